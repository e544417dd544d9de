package io.dsblocks.storage.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ChunkHasherTest {

  private static final HexFormat HEX = HexFormat.of();

  private static byte[] key0to31() {
    byte[] key = new byte[32];
    for (int i = 0; i < 32; i++) {
      key[i] = (byte) i;
    }
    return key;
  }

  @Test
  void hmacMatchesAnIndependentlyComputedVector() {
    // Python: hmac.new(bytes(range(32)), b"abc", hashlib.sha256).hexdigest()
    byte[] abc = "xxabcxx".getBytes(StandardCharsets.US_ASCII);
    byte[] id = new HmacSha256Hasher(key0to31()).id(abc, 2, 3);
    assertThat(HEX.formatHex(id))
        .isEqualTo("f0133729c4163dede81e21cd47839256da58171238c8a0d874397c73b14e1e47");
  }

  @Test
  void blake3MatchesTheOfficialKeyedTestVector() {
    // BLAKE3 test_vectors.json: key "whats the Elvish word for friend", input length 0.
    byte[] key = "whats the Elvish word for friend".getBytes(StandardCharsets.US_ASCII);
    assertThat(HEX.formatHex(new Blake3Hasher(key).id(new byte[0], 0, 0)))
        .isEqualTo("92b2b75604ed3c761f9d6f62392c8a9227ad0ea3f09573e783f1498a4ed60d26");
  }

  @Test
  void idsDependOnKeyAndContentAndRepeatingIsStable() {
    for (Function<byte[], ChunkHasher> make :
        List.<Function<byte[], ChunkHasher>>of(HmacSha256Hasher::new, Blake3Hasher::new)) {
      byte[] data = new byte[10_000];
      new SplittableRandom(1).nextBytes(data);
      ChunkHasher a = make.apply(key0to31());
      byte[] otherKey = key0to31();
      otherKey[31] ^= 1;
      ChunkHasher b = make.apply(otherKey);
      byte[] first = a.id(data, 0, data.length);
      assertThat(first).hasSize(ChunkHasher.ID_LENGTH);
      // Per-thread state is reset after every id: hashing again gives the same id.
      assertThat(a.id(data, 0, data.length)).isEqualTo(first);
      assertThat(b.id(data, 0, data.length)).isNotEqualTo(first);
      assertThat(a.id(data, 1, data.length - 1)).isNotEqualTo(first);
    }
  }

  @Test
  void rejectsKeysThatAreNot32Bytes() {
    assertThatThrownBy(() -> new HmacSha256Hasher(new byte[16]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key32 must be 32 bytes but was 16 bytes");
    assertThatThrownBy(() -> new Blake3Hasher(new byte[33]))
        .hasMessageContaining("key32 must be 32 bytes but was 33 bytes");
    assertThatThrownBy(() -> new HmacSha256Hasher(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("key32");
  }

  @Test
  void concurrentHashingGivesTheSameIdsAsSequential() throws Exception {
    for (ChunkHasher hasher :
        List.of(new HmacSha256Hasher(key0to31()), new Blake3Hasher(key0to31()))) {
      int chunks = 100;
      byte[][] data = new byte[chunks][];
      byte[][] expected = new byte[chunks][];
      SplittableRandom r = new SplittableRandom(3);
      for (int i = 0; i < chunks; i++) {
        data[i] = new byte[1 + r.nextInt(10_000)];
        r.nextBytes(data[i]);
        expected[i] = hasher.id(data[i], 0, data[i].length);
      }
      int threads = 8;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch go = new CountDownLatch(1);
      try {
        List<Future<Integer>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int offset = t;
          results.add(
              pool.submit(
                  () -> {
                    go.await();
                    int mismatches = 0;
                    for (int round = 0; round < 3; round++) {
                      for (int i = 0; i < chunks; i++) {
                        int k = (i + offset * 17) % chunks;
                        byte[] id = hasher.id(data[k], 0, data[k].length);
                        if (!java.util.Arrays.equals(id, expected[k])) {
                          mismatches++;
                        }
                      }
                    }
                    return mismatches;
                  }));
        }
        go.countDown();
        for (Future<Integer> f : results) {
          assertThat(f.get(60, TimeUnit.SECONDS)).as("%s", hasher).isZero();
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
