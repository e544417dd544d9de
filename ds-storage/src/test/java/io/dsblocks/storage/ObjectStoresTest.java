package io.dsblocks.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The public entry points with real key files (default scrypt cost). */
class ObjectStoresTest {
  @TempDir Path dir;

  private static byte[] read(InputStream in) throws IOException {
    try (in) {
      return in.readAllBytes();
    }
  }

  @Test
  void createThenReopenWithThePassphrase() throws IOException {
    char[] pass = "s3cret".toCharArray();
    byte[] data = "hello, repository".getBytes(StandardCharsets.UTF_8);
    try (ObjectStore store = ObjectStores.create(dir, pass)) {
      store.put("greeting", new ByteArrayInputStream(data), Map.of("lang", "en"));
      assertThat(store.directory()).isEqualTo(dir);
    }
    java.util.Arrays.fill(pass, 'x'); // the store copied it
    try (ObjectStore store = ObjectStores.open(dir, "s3cret".toCharArray())) {
      assertThat(read(store.get("greeting"))).isEqualTo(data);
      assertThat(store.stat("greeting").orElseThrow().metadata()).containsEntry("lang", "en");
    }
  }

  @Test
  void aWrongPassphraseOpensNothingAndLeavesTheRepositoryUsable() throws IOException {
    ObjectStores.create(dir, "right".toCharArray()).close();
    long indexFiles;
    try (var files = Files.list(dir.resolve("index"))) {
      indexFiles = files.count();
    }
    assertThatThrownBy(() -> ObjectStores.open(dir, "wrong".toCharArray()))
        .isInstanceOf(WrongPassphraseException.class)
        .hasMessageContaining(dir.resolve("keys").toString());
    try (var files = Files.list(dir.resolve("index"))) {
      assertThat(files.count()).as("the index was not opened").isEqualTo(indexFiles);
    }
    // The lock was released: the right passphrase opens it at once.
    ObjectStores.open(dir, "right".toCharArray()).close();
  }

  /** A stand-in for a KMS: AES key wrap under a key the "KMS" holds. */
  private static KeyProvider kms(byte[] kek, String id) {
    return new KeyProvider() {
      @Override
      public String keyId() {
        return id;
      }

      @Override
      public byte[] wrap(byte[] plaintextKey) {
        try {
          Cipher c = Cipher.getInstance("AESWrap");
          c.init(Cipher.WRAP_MODE, new SecretKeySpec(kek, "AES"));
          return c.wrap(new SecretKeySpec(plaintextKey, "AES"));
        } catch (java.security.GeneralSecurityException e) {
          throw new IllegalStateException(e);
        }
      }

      @Override
      public byte[] unwrap(byte[] wrappedKey) {
        try {
          Cipher c = Cipher.getInstance("AESWrap");
          c.init(Cipher.UNWRAP_MODE, new SecretKeySpec(kek, "AES"));
          return c.unwrap(wrappedKey, "AES", Cipher.SECRET_KEY).getEncoded();
        } catch (java.security.GeneralSecurityException e) {
          throw new IllegalStateException("cannot unwrap", e);
        }
      }
    };
  }

  @Test
  void aKeyProviderProtectsTheRepository() throws IOException {
    byte[] kek = new byte[32];
    kek[0] = 1;
    byte[] other = new byte[32];
    other[0] = 2;
    try (ObjectStore store =
        ObjectStores.create(dir, kms(kek, "kms-1"), StorageConfig.defaults())) {
      store.put("k", new ByteArrayInputStream(new byte[] {1, 2, 3}));
    }
    assertThatThrownBy(() -> ObjectStores.open(dir, kms(other, "kms-1"), StorageConfig.defaults()))
        .isInstanceOf(WrongPassphraseException.class);
    try (ObjectStore store = ObjectStores.open(dir, kms(kek, "kms-1"), StorageConfig.defaults())) {
      assertThat(read(store.get("k"))).containsExactly(1, 2, 3);
    }
  }

  @Test
  void argumentsAreChecked() {
    assertThatThrownBy(() -> ObjectStores.create(dir, (char[]) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("passphrase");
    assertThatThrownBy(() -> ObjectStores.create(null, "p".toCharArray()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("dir");
    assertThatThrownBy(() -> ObjectStores.open(dir, "p".toCharArray()))
        .isInstanceOf(StorageException.class)
        .hasMessage("no repository at " + dir);
  }
}
