package io.dsblocks.storage.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.storage.StorageCorruptionException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AesGcmSealerTest {

  private static final byte[] ID =
      "chunk-id-0123456789abcdef0123456".getBytes(StandardCharsets.US_ASCII);

  private static byte[] key(int n) {
    byte[] k = new byte[32];
    new SplittableRandom(n).nextBytes(k);
    return k;
  }

  private static byte[] data(int n) {
    byte[] d = new byte[n];
    new SplittableRandom(n).nextBytes(d);
    return d;
  }

  /** A key ring whose current key a test can switch, like RepositoryKeys after a rotation. */
  private static final class MutableRing implements KeyRing {
    final Map<Integer, byte[]> keys = new ConcurrentHashMap<>();
    volatile int current;

    @Override
    public int currentKeyId() {
      return current;
    }

    @Override
    public byte[] dataKey(int keyId) {
      return keys.get(keyId);
    }
  }

  @Test
  void roundTripsAnyRangeAndWritesTheDocumentedHeader() {
    AesGcmSealer sealer = new AesGcmSealer(KeyRing.of(7, key(1)));
    byte[] d = data(5000);
    byte[] sealed = sealer.seal(d, 100, 4000, ID);
    assertThat(sealed).hasSize(4000 + AesGcmSealer.OVERHEAD);
    ByteBuffer header = ByteBuffer.wrap(sealed);
    assertThat(header.get()).isEqualTo(AesGcmSealer.VERSION);
    assertThat(header.getInt()).isEqualTo(7);
    byte[] salt = new byte[16];
    header.get(salt);
    assertThat(header.getLong()).isZero(); // first seal of this salt
    // Ciphertext is not the plaintext.
    assertThat(Arrays.copyOfRange(sealed, 29, 29 + 32))
        .isNotEqualTo(Arrays.copyOfRange(d, 100, 132));

    byte[] second = sealer.seal(d, 100, 4000, ID);
    assertThat(ByteBuffer.wrap(second, 21, 8).getLong()).isEqualTo(1);
    assertThat(Arrays.copyOfRange(second, 5, 21)).isEqualTo(salt);

    byte[] framed = new byte[sealed.length + 10];
    System.arraycopy(sealed, 0, framed, 3, sealed.length);
    assertThat(sealer.open(framed, 3, sealed.length, ID))
        .isEqualTo(Arrays.copyOfRange(d, 100, 4100));
    assertThat(sealer.open(second, 0, second.length, ID))
        .isEqualTo(Arrays.copyOfRange(d, 100, 4100));
    assertThat(sealer.open(sealer.seal(new byte[0], 0, 0, ID), 0, 45, ID)).isEmpty();
  }

  @Test
  void anotherSealerOverTheSameKeysOpensAndUsesItsOwnSalt() {
    KeyRing ring = KeyRing.of(1, key(1));
    AesGcmSealer a = new AesGcmSealer(ring);
    AesGcmSealer b = new AesGcmSealer(ring);
    byte[] d = data(300);
    byte[] sa = a.seal(d, 0, d.length, ID);
    byte[] sb = b.seal(d, 0, d.length, ID);
    // A new process/instance never reuses a (subkey, nonce): its salt differs.
    assertThat(Arrays.copyOfRange(sa, 5, 21)).isNotEqualTo(Arrays.copyOfRange(sb, 5, 21));
    assertThat(b.open(sa, 0, sa.length, ID)).isEqualTo(d);
    assertThat(a.open(sb, 0, sb.length, ID)).isEqualTo(d);
  }

  @Test
  void everySingleBitFlipIsDetectedAndNamed() {
    AesGcmSealer sealer = new AesGcmSealer(KeyRing.of(1, key(1)));
    byte[] d = data(64);
    byte[] sealed = sealer.seal(d, 0, d.length, ID);
    for (int i = 0; i < sealed.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] bad = sealed.clone();
        bad[i] ^= (byte) (1 << bit);
        int at = i;
        assertThatThrownBy(() -> sealer.open(bad, 0, bad.length, ID))
            .as("flip at byte %d", at)
            .isInstanceOf(StorageCorruptionException.class)
            .hasMessageMatching(
                "(?s).*(authentication failed|format version|does not hold|truncated).*");
      }
    }
  }

  @Test
  void wrongAssociatedDataTruncationAndUnknownKeyAreCorruption() {
    AesGcmSealer sealer = new AesGcmSealer(KeyRing.of(1, key(1)));
    byte[] d = data(100);
    byte[] sealed = sealer.seal(d, 0, d.length, ID);
    byte[] otherId = ID.clone();
    otherId[0] ^= 1;
    assertThatThrownBy(() -> sealer.open(sealed, 0, sealed.length, otherId))
        .isInstanceOf(StorageCorruptionException.class)
        .hasMessageContaining("authentication failed")
        .hasMessageContaining("associated data");
    assertThatThrownBy(() -> sealer.open(sealed, 0, sealed.length - 1, ID))
        .isInstanceOf(StorageCorruptionException.class)
        .hasMessageContaining("authentication failed");
    assertThatThrownBy(() -> sealer.open(sealed, 0, 44, ID))
        .isInstanceOf(StorageCorruptionException.class)
        .hasMessageContaining("44 bytes, shorter than the 45-byte header and tag");
    AesGcmSealer otherRing = new AesGcmSealer(KeyRing.of(2, key(2)));
    assertThatThrownBy(() -> otherRing.open(sealed, 0, sealed.length, ID))
        .isInstanceOf(StorageCorruptionException.class)
        .hasMessageContaining("names data key 1, which the key ring does not hold");
    // Same key id, different key bytes: authentication, not garbage.
    AesGcmSealer impostor = new AesGcmSealer(KeyRing.of(1, key(3)));
    assertThatThrownBy(() -> impostor.open(sealed, 0, sealed.length, ID))
        .isInstanceOf(StorageCorruptionException.class);
  }

  @Test
  void followsKeyRotationAndStillOpensOldData() {
    MutableRing ring = new MutableRing();
    ring.keys.put(1, key(1));
    ring.current = 1;
    AesGcmSealer sealer = new AesGcmSealer(ring);
    byte[] d = data(1000);
    byte[] old = sealer.seal(d, 0, d.length, ID);
    ring.keys.put(2, key(2));
    ring.current = 2;
    byte[] fresh = sealer.seal(d, 0, d.length, ID);
    assertThat(ByteBuffer.wrap(old, 1, 4).getInt()).isEqualTo(1);
    assertThat(ByteBuffer.wrap(fresh, 1, 4).getInt()).isEqualTo(2);
    assertThat(sealer.open(old, 0, old.length, ID)).isEqualTo(d);
    assertThat(sealer.open(fresh, 0, fresh.length, ID)).isEqualTo(d);
    // A fresh sealer (a restarted process) opens both too.
    AesGcmSealer restarted = new AesGcmSealer(ring);
    assertThat(restarted.open(old, 0, old.length, ID)).isEqualTo(d);
    assertThat(restarted.open(fresh, 0, fresh.length, ID)).isEqualTo(d);
  }

  @Test
  void drawsAFreshSaltWhenTheCounterLimitIsReached() {
    AesGcmSealer sealer =
        new AesGcmSealer(KeyRing.of(1, key(1)), new SecureRandom(), AesGcmSealer.COUNTER_LIMIT - 2);
    byte[] d = data(10);
    List<byte[]> sealed = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      sealed.add(sealer.seal(d, 0, d.length, ID));
    }
    Set<String> salts = new HashSet<>();
    for (byte[] s : sealed) {
      long counter = ByteBuffer.wrap(s, 21, 8).getLong();
      assertThat(counter).isLessThan(AesGcmSealer.COUNTER_LIMIT);
      salts.add(Arrays.toString(Arrays.copyOfRange(s, 5, 21)));
      assertThat(sealer.open(s, 0, s.length, ID)).isEqualTo(d);
    }
    // Two seals per salt: LIMIT-2 and LIMIT-1, then a new salt.
    assertThat(salts).hasSize(3);
  }

  @Test
  void concurrentSealsNeverRepeatANonceUnderOneSubkey() throws Exception {
    MutableRing ring = new MutableRing();
    ring.keys.put(1, key(1));
    ring.keys.put(2, key(2));
    ring.current = 1;
    AesGcmSealer sealer = new AesGcmSealer(ring);
    int threads = 8;
    int perThread = 2_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<List<byte[]>>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int me = t;
        futures.add(
            pool.submit(
                () -> {
                  go.await();
                  List<byte[]> out = new ArrayList<>(perThread);
                  byte[] d = data(32 + me);
                  for (int i = 0; i < perThread; i++) {
                    if (me == 0 && i == perThread / 2) {
                      ring.current = 2; // rotate mid-run
                    }
                    out.add(sealer.seal(d, 0, d.length, ID));
                  }
                  return out;
                }));
      }
      go.countDown();
      Set<String> nonces = new HashSet<>();
      Map<Integer, Integer> perKey = new HashMap<>();
      int total = 0;
      for (Future<List<byte[]>> f : futures) {
        for (byte[] s : f.get(60, TimeUnit.SECONDS)) {
          // (key id, salt, counter) names (subkey, nonce) uniquely.
          nonces.add(Arrays.toString(Arrays.copyOfRange(s, 1, 29)));
          perKey.merge(ByteBuffer.wrap(s, 1, 4).getInt(), 1, Integer::sum);
          assertThat(sealer.open(s, 0, s.length, ID)).hasSize(s.length - AesGcmSealer.OVERHEAD);
          total++;
        }
      }
      assertThat(total).isEqualTo(threads * perThread);
      assertThat(nonces).hasSize(total);
      assertThat(perKey.keySet()).containsExactlyInAnyOrder(1, 2);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void keyRingValidatesKeys() {
    assertThatThrownBy(() -> KeyRing.of(1, new byte[16]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("data key 1 must be 32 bytes but was 16 bytes");
    assertThatThrownBy(() -> KeyRing.of(3, Map.of(1, key(1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("currentKeyId 3 is not among the keys [1]");
  }
}
