package io.dsblocks.storage.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.storage.KeyProvider;
import io.dsblocks.storage.StorageCorruptionException;
import io.dsblocks.storage.StorageException;
import io.dsblocks.storage.WrongPassphraseException;
import io.dsblocks.storage.internal.crypto.RepositoryKeys.ScryptCost;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepositoryKeysTest {

  /** Tiny scrypt cost so tests take milliseconds; the default is exercised once below. */
  private static final ScryptCost FAST = new ScryptCost(4, 1, 1);

  private static final byte[] ID = new byte[32];
  private static final byte[] DATA = "some chunk content".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;

  /** A stand-in KMS: AES-GCM under its own key, as a real KMS's encrypt/decrypt would be. */
  static final class TestKms implements KeyProvider {
    private final String id;
    private final SecretKeySpec key;
    int unwrapCalls;

    TestKms(String id, int seed) {
      this.id = id;
      byte[] k = new byte[32];
      new java.util.SplittableRandom(seed).nextBytes(k);
      this.key = new SecretKeySpec(k, "AES");
    }

    @Override
    public String keyId() {
      return id;
    }

    @Override
    public byte[] wrap(byte[] plaintextKey) {
      try {
        byte[] nonce = new byte[12];
        new SecureRandom().nextBytes(nonce);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
        byte[] ct = c.doFinal(plaintextKey);
        return ByteBuffer.allocate(12 + ct.length).put(nonce).put(ct).array();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public byte[] unwrap(byte[] wrappedKey) {
      unwrapCalls++;
      try {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(
            Cipher.DECRYPT_MODE,
            key,
            new GCMParameterSpec(128, Arrays.copyOfRange(wrappedKey, 0, 12)));
        return c.doFinal(wrappedKey, 12, wrappedKey.length - 12);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("KMS: access denied for key " + id, e);
      }
    }
  }

  private static void assertSameSecrets(RepositoryKeys a, RepositoryKeys b) {
    assertThat(b.hasher().id(DATA, 0, DATA.length)).isEqualTo(a.hasher().id(DATA, 0, DATA.length));
    assertThat(b.gearSeed()).isEqualTo(a.gearSeed());
    byte[] sealed = a.sealer().seal(DATA, 0, DATA.length, ID);
    assertThat(b.sealer().open(sealed, 0, sealed.length, ID)).isEqualTo(DATA);
  }

  @Test
  void createThenOpenWithThePassphraseGivesTheSameSecrets() throws Exception {
    Path file = dir.resolve("keys");
    RepositoryKeys created = RepositoryKeys.create(file, "correct horse".toCharArray(), FAST);
    RepositoryKeys opened = RepositoryKeys.open(file, "correct horse".toCharArray());
    assertSameSecrets(created, opened);
    assertThat(opened.currentKeyId()).isEqualTo(1);
    assertThat(created.gearSeed()).hasSize(32).isNotEqualTo(new byte[32]);
    // Two repositories never share secrets.
    RepositoryKeys other =
        RepositoryKeys.create(dir.resolve("other"), "correct horse".toCharArray(), FAST);
    assertThat(other.gearSeed()).isNotEqualTo(created.gearSeed());
    assertThat(other.hasher().id(DATA, 0, DATA.length))
        .isNotEqualTo(created.hasher().id(DATA, 0, DATA.length));
    // Secrets are not in the file in the clear.
    byte[] raw = Files.readAllBytes(file);
    assertThat(indexOf(raw, created.gearSeed())).isEqualTo(-1);
    assertThat(new String(raw, 0, 8, StandardCharsets.US_ASCII)).isEqualTo("DSBLKKEY");
    // Owner-only permissions, and no temporary files left behind.
    if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
      assertThat(Files.getPosixFilePermissions(file))
          .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("keys", "other");
    }
  }

  @Test
  void defaultScryptCostWorksAndIsRecordedInTheFile() throws Exception {
    Path file = dir.resolve("keys");
    RepositoryKeys created = RepositoryKeys.create(file, "pw".toCharArray());
    byte[] raw = Files.readAllBytes(file);
    // magic(8) version(1) kind(1) salt(32) log2N(1) r(4) p(4)
    assertThat(raw[9]).isEqualTo((byte) 1);
    assertThat(raw[42]).isEqualTo((byte) 15);
    assertThat(ByteBuffer.wrap(raw, 43, 8).getInt()).isEqualTo(8);
    assertThat(ByteBuffer.wrap(raw, 47, 4).getInt()).isEqualTo(1);
    assertSameSecrets(created, RepositoryKeys.open(file, "pw".toCharArray()));
  }

  @Test
  void wrongPassphraseIsAClearErrorNamingTheFile() {
    Path file = dir.resolve("keys");
    RepositoryKeys.create(file, "right".toCharArray(), FAST);
    assertThatThrownBy(() -> RepositoryKeys.open(file, "wrong".toCharArray()))
        .isInstanceOf(WrongPassphraseException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("passphrase is wrong")
        .satisfies(
            e -> assertThat(((WrongPassphraseException) e).keyFile()).isEqualTo(file.toString()));
  }

  @Test
  void damagedKeyFilesAreCorruptionNotWrongPassphrase() throws Exception {
    Path file = dir.resolve("keys");
    RepositoryKeys.create(file, "pw".toCharArray(), FAST);
    byte[] good = Files.readAllBytes(file);
    for (int i = 0; i < good.length; i++) {
      byte[] bad = good.clone();
      bad[i] ^= 0x10;
      Files.write(file, bad);
      int at = i;
      assertThatThrownBy(() -> RepositoryKeys.open(file, "pw".toCharArray()))
          .as("flip at %d", at)
          .isInstanceOf(StorageCorruptionException.class)
          .hasMessageContaining(file.toString())
          .hasMessageContaining("corrupt");
    }
    for (int len : new int[] {0, 5, 20, good.length - 1}) {
      Files.write(file, Arrays.copyOf(good, len));
      assertThatThrownBy(() -> RepositoryKeys.open(file, "pw".toCharArray()))
          .as("truncated to %d", len)
          .isInstanceOf(StorageCorruptionException.class);
    }
    Files.delete(file);
    assertThatThrownBy(() -> RepositoryKeys.open(file, "pw".toCharArray()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("no key file at " + file);
  }

  @Test
  void refusesToOverwriteAnExistingKeyFile() throws Exception {
    Path file = dir.resolve("keys");
    RepositoryKeys first = RepositoryKeys.create(file, "pw".toCharArray(), FAST);
    byte[] before = Files.readAllBytes(file);
    assertThatThrownBy(() -> RepositoryKeys.create(file, "pw2".toCharArray(), FAST))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("already exists");
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
    assertSameSecrets(first, RepositoryKeys.open(file, "pw".toCharArray()));
  }

  @Test
  void rotationAddsACurrentKeyAndOldDataStillOpensAfterReopen() {
    Path file = dir.resolve("keys");
    RepositoryKeys keys = RepositoryKeys.create(file, "pw".toCharArray(), FAST);
    ChunkSealer sealer = keys.sealer();
    byte[] old = sealer.seal(DATA, 0, DATA.length, ID);
    byte[] hashBefore = keys.hasher().id(DATA, 0, DATA.length);
    assertThat(keys.rotateDataKey()).isEqualTo(2);
    byte[] fresh = sealer.seal(DATA, 0, DATA.length, ID);
    assertThat(ByteBuffer.wrap(old, 1, 4).getInt()).isEqualTo(1);
    assertThat(ByteBuffer.wrap(fresh, 1, 4).getInt()).isEqualTo(2);

    RepositoryKeys reopened = RepositoryKeys.open(file, "pw".toCharArray());
    assertThat(reopened.currentKeyId()).isEqualTo(2);
    assertThat(reopened.sealer().open(old, 0, old.length, ID)).isEqualTo(DATA);
    assertThat(reopened.sealer().open(fresh, 0, fresh.length, ID)).isEqualTo(DATA);
    // Rotation changes data keys only: chunk ids (dedup) and boundaries are unchanged.
    assertThat(reopened.hasher().id(DATA, 0, DATA.length)).isEqualTo(hashBefore);
    assertThat(reopened.gearSeed()).isEqualTo(keys.gearSeed());
  }

  @Test
  void changingThePassphraseRewrapsWithoutTouchingData() {
    Path file = dir.resolve("keys");
    RepositoryKeys keys = RepositoryKeys.create(file, "old".toCharArray(), FAST);
    byte[] sealed = keys.sealer().seal(DATA, 0, DATA.length, ID);
    keys.changePassphrase("new".toCharArray(), FAST);
    assertThatThrownBy(() -> RepositoryKeys.open(file, "old".toCharArray()))
        .isInstanceOf(WrongPassphraseException.class);
    RepositoryKeys reopened = RepositoryKeys.open(file, "new".toCharArray());
    assertThat(reopened.sealer().open(sealed, 0, sealed.length, ID)).isEqualTo(DATA);
    assertSameSecrets(keys, reopened);
    // A rotation after the change keeps the new passphrase.
    keys.rotateDataKey();
    assertThat(RepositoryKeys.open(file, "new".toCharArray()).currentKeyId()).isEqualTo(2);
  }

  @Test
  void keyProviderCreateOpenAndWrongProvider() {
    Path file = dir.resolve("keys");
    TestKms kms = new TestKms("kms-key-A", 1);
    RepositoryKeys keys = RepositoryKeys.create(file, kms);
    assertThat(kms.unwrapCalls).isEqualTo(1); // round trip checked before writing
    assertSameSecrets(keys, RepositoryKeys.open(file, kms));

    assertThatThrownBy(() -> RepositoryKeys.open(file, new TestKms("kms-key-B", 2)))
        .isInstanceOf(WrongPassphraseException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("wrong key")
        .hasCauseInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> RepositoryKeys.open(file, "pw".toCharArray()))
        .isInstanceOf(WrongPassphraseException.class)
        .hasMessageContaining("protected by KeyProvider key 'kms-key-A', not by a passphrase");

    // A provider whose unwrap returns other bytes instead of failing: the file's tag catches it.
    KeyProvider garbage =
        new KeyProvider() {
          @Override
          public String keyId() {
            return "xor";
          }

          @Override
          public byte[] wrap(byte[] k) {
            return k;
          }

          @Override
          public byte[] unwrap(byte[] w) {
            return new byte[32];
          }
        };
    assertThatThrownBy(() -> RepositoryKeys.open(file, garbage))
        .isInstanceOf(WrongPassphraseException.class)
        .hasMessageContaining("KeyProvider key 'xor' is not the key that wrapped it ('kms-key-A')");
  }

  @Test
  void switchingBetweenPassphraseAndProvider() {
    Path file = dir.resolve("keys");
    RepositoryKeys keys = RepositoryKeys.create(file, "pw".toCharArray(), FAST);
    TestKms kms = new TestKms("kms", 5);
    keys.changeKeyProvider(kms);
    assertThatThrownBy(() -> RepositoryKeys.open(file, "pw".toCharArray()))
        .isInstanceOf(WrongPassphraseException.class);
    RepositoryKeys viaKms = RepositoryKeys.open(file, kms);
    assertSameSecrets(keys, viaKms);
    viaKms.changePassphrase("back".toCharArray(), FAST);
    assertThatThrownBy(() -> RepositoryKeys.open(file, kms))
        .isInstanceOf(WrongPassphraseException.class)
        .hasMessageContaining("protected by a passphrase, not by a KeyProvider");
    assertSameSecrets(keys, RepositoryKeys.open(file, "back".toCharArray()));
  }

  @Test
  void aProviderThatCannotRoundTripIsRejectedBeforeAnythingIsWritten() {
    Path file = dir.resolve("keys");
    KeyProvider broken =
        new KeyProvider() {
          @Override
          public String keyId() {
            return "broken";
          }

          @Override
          public byte[] wrap(byte[] k) {
            return new byte[] {1, 2, 3};
          }

          @Override
          public byte[] unwrap(byte[] w) {
            return new byte[32];
          }
        };
    assertThatThrownBy(() -> RepositoryKeys.create(file, broken))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("KeyProvider 'broken' did not return the original key");
    assertThat(Files.exists(file)).isFalse();
  }

  @Test
  void validatesArguments() {
    Path file = dir.resolve("keys");
    assertThatThrownBy(() -> RepositoryKeys.create(file, new char[0], FAST))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("passphrase must not be empty");
    assertThatThrownBy(() -> new ScryptCost(23, 8, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("log2N must be in [1, 22] but was 23");
    assertThatThrownBy(() -> new ScryptCost(22, 32, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exceeds the limit");
    assertThatThrownBy(() -> new ScryptCost(10, 8, 0)).hasMessageContaining("p must be in [1, 16]");
    assertThat(Files.exists(file)).isFalse();
  }

  @Test
  void concurrentSealingDuringRotationNeverUsesAnUnsavedKey() throws Exception {
    Path file = dir.resolve("keys");
    RepositoryKeys keys = RepositoryKeys.create(file, "pw".toCharArray(), FAST);
    java.util.concurrent.atomic.AtomicBoolean stop =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicInteger count =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.List<byte[]> sealed =
        java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    Thread sealerThread =
        new Thread(
            () -> {
              while (!stop.get()) {
                byte[] s = keys.sealer().seal(DATA, 0, DATA.length, ID);
                // Keep a sample so memory stays bounded however slow the rotations' fsyncs are.
                if (count.getAndIncrement() % 16 == 0) {
                  sealed.add(s);
                }
              }
            });
    sealerThread.start();
    for (int i = 0; i < 5; i++) {
      // Let the sealer make progress under each key, so rotations really race with sealing.
      int before = count.get();
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(20))
          .until(() -> count.get() > before + 1000);
      keys.rotateDataKey();
    }
    stop.set(true);
    sealerThread.join(30_000);
    assertThat(sealerThread.isAlive()).isFalse();
    assertThat(sealed.stream().map(s -> ByteBuffer.wrap(s, 1, 4).getInt()).distinct().count())
        .isGreaterThanOrEqualTo(5);
    // Everything sealed at any point opens from the key file as persisted.
    RepositoryKeys reopened = RepositoryKeys.open(file, "pw".toCharArray());
    assertThat(reopened.currentKeyId()).isEqualTo(6);
    for (byte[] s : List.copyOf(sealed)) {
      assertThat(reopened.sealer().open(s, 0, s.length, ID)).isEqualTo(DATA);
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
