package io.dsblocks.storage.internal.crypto;

import io.dsblocks.storage.KeyProvider;
import io.dsblocks.storage.StorageCorruptionException;
import io.dsblocks.storage.StorageException;
import io.dsblocks.storage.WrongPassphraseException;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.SCrypt;

/**
 * A repository's secret material and its key file: the hash key (chunk ids), the gear seed (chunk
 * boundaries) and the data keys (AES-256-GCM), all random, protected at rest by a key-encryption
 * key (KEK) that comes from a passphrase through scrypt or from a {@link KeyProvider}.
 *
 * <p>Changing the passphrase or provider re-wraps only the key file; rotating the data key adds a
 * new current key to it. Neither touches sealed data: every sealed blob names its data key, and old
 * keys stay in the ring so old data keeps opening.
 *
 * <p><b>Key file format</b> (version 1, big-endian):
 *
 * <pre>
 * size  field
 *    8  magic "DSBLKKEY"
 *    1  format version = 1
 *    1  protection: 1 = passphrase (scrypt), 2 = KeyProvider
 *       passphrase: 32 salt | 1 log2(N) | 4 r | 4 p
 *       provider:   2 n | n UTF-8 provider key id | 4 m | m wrapped KEK
 *   12  nonce (random per write)
 *    4  L
 *    L  AES-256-GCM(KEK, nonce, associated data = every byte before the nonce) of the secrets,
 *       including the 16-byte tag
 *    4  CRC32C of every byte before it
 *
 * secrets: 1 version = 1 | 32 hash key | 32 gear seed | 4 current key id | 4 k |
 *          k x (4 key id | 32 data key)
 * </pre>
 *
 * <p>Why both a CRC and a GCM tag: the tag alone cannot tell a wrong passphrase from a damaged
 * file, and the two need different actions. A CRC mismatch is reported as {@link
 * StorageCorruptionException}; an intact file whose tag fails means the secret is wrong, reported
 * as {@link WrongPassphraseException}.
 *
 * <p>The file is written atomically (temporary file, fsync, rename, fsync of the directory), so a
 * crash leaves either the old or the new key file, never a mix. A key is published to sealers only
 * after the file holding it is durable, so no data is ever sealed under a key the file lacks.
 *
 * <p>Thread-safe: reads are lock-free over an immutable snapshot; rotation and re-wrapping are
 * serialized. Coordinating two processes that change one key file is the repository lock's job.
 */
public final class RepositoryKeys implements KeyRing {

  /** Scrypt cost parameters; memory use is {@code 128 * r * 2^log2N} bytes. */
  public record ScryptCost(int log2N, int r, int p) {

    /** N = 2^15, r = 8, p = 1: 32 MiB and roughly 0.1 s here, the common interactive setting. */
    public static final ScryptCost DEFAULT = new ScryptCost(15, 8, 1);

    /** Largest memory accepted, from callers or from a key file (bounds a hostile file). */
    static final long MAX_MEMORY = 1L << 30;

    /**
     * Validates the parameters.
     *
     * @throws IllegalArgumentException if a parameter is out of range
     */
    public ScryptCost {
      if (log2N < 1 || log2N > 22) {
        throw new IllegalArgumentException("log2N must be in [1, 22] but was " + log2N);
      }
      if (r < 1 || r > 32) {
        throw new IllegalArgumentException("r must be in [1, 32] but was " + r);
      }
      if (p < 1 || p > 16) {
        throw new IllegalArgumentException("p must be in [1, 16] but was " + p);
      }
      if (128L * r << log2N > MAX_MEMORY) {
        throw new IllegalArgumentException(
            "scrypt memory 128 * r * 2^log2N = "
                + (128L * r << log2N)
                + " bytes exceeds the limit of "
                + MAX_MEMORY);
      }
    }
  }

  private static final byte[] MAGIC = "DSBLKKEY".getBytes(StandardCharsets.US_ASCII);
  private static final byte FORMAT_VERSION = 1;
  private static final byte SECRETS_VERSION = 1;
  private static final byte PROTECTION_PASSPHRASE = 1;
  private static final byte PROTECTION_PROVIDER = 2;
  private static final int KEY_LENGTH = 32;
  private static final int NONCE_LENGTH = 12;
  private static final int TAG_LENGTH = 16;
  private static final int MAX_FILE_SIZE = 1 << 20;
  private static final int MAX_WRAPPED_LENGTH = 65_535;
  private static final int MAX_PROVIDER_ID_LENGTH = 1024;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** How the key file is protected: the header bytes after the protection byte, and the KEK. */
  private record Protection(byte[] header, SecretKeySpec kek) {}

  /** An immutable snapshot of the data keys, swapped whole on rotation. */
  private record Ring(int currentKeyId, Map<Integer, byte[]> keys) {}

  private final Path keyFile;
  private final byte[] hashKey;
  private final byte[] gearSeed;
  private volatile Ring ring;
  // Guarded by this: only rotation and re-wrapping change it, both synchronized.
  private Protection protection;
  private final ChunkHasher hasher;
  private final AesGcmSealer sealer;

  private RepositoryKeys(
      Path keyFile, byte[] hashKey, byte[] gearSeed, Ring ring, Protection protection) {
    this.keyFile = keyFile;
    this.hashKey = hashKey;
    this.gearSeed = gearSeed;
    this.ring = ring;
    this.protection = protection;
    this.hasher = new HmacSha256Hasher(hashKey);
    this.sealer = new AesGcmSealer(this);
  }

  // ---------------------------------------------------------------- factories

  /**
   * Creates fresh random secrets protected by a passphrase (scrypt with {@link ScryptCost#DEFAULT})
   * and writes them to a new key file.
   *
   * @param keyFile where to write; must not exist yet
   * @param passphrase the passphrase (UTF-8 encoded as given, not normalized); not kept and not
   *     wiped, the caller owns the array
   * @return the keys
   * @throws StorageException if the file exists or cannot be written
   * @throws IllegalArgumentException if the passphrase is empty
   */
  public static RepositoryKeys create(Path keyFile, char[] passphrase) {
    return create(keyFile, passphrase, ScryptCost.DEFAULT);
  }

  /**
   * Like {@link #create(Path, char[])} with chosen scrypt costs (tests use tiny ones).
   *
   * @param keyFile where to write; must not exist yet
   * @param passphrase the passphrase
   * @param cost scrypt parameters
   * @return the keys
   */
  public static RepositoryKeys create(Path keyFile, char[] passphrase, ScryptCost cost) {
    Objects.requireNonNull(keyFile, "keyFile");
    Protection protection = passphraseProtection(passphrase, cost);
    return createWith(keyFile, protection);
  }

  /**
   * Creates fresh random secrets whose key-encryption key is wrapped by a {@link KeyProvider}, and
   * writes them to a new key file. The provider is asked to wrap once and to unwrap once (to check
   * that it round-trips) before anything is written.
   *
   * @param keyFile where to write; must not exist yet
   * @param provider wraps the key-encryption key
   * @return the keys
   * @throws StorageException if the file exists or cannot be written, or the provider's unwrap does
   *     not return what it wrapped
   */
  public static RepositoryKeys create(Path keyFile, KeyProvider provider) {
    Objects.requireNonNull(keyFile, "keyFile");
    return createWith(keyFile, providerProtection(provider));
  }

  private static RepositoryKeys createWith(Path keyFile, Protection protection) {
    byte[] firstKey = randomBytes(KEY_LENGTH);
    Map<Integer, byte[]> keys = new TreeMap<>();
    keys.put(1, firstKey);
    RepositoryKeys created =
        new RepositoryKeys(
            keyFile,
            randomBytes(KEY_LENGTH),
            randomBytes(KEY_LENGTH),
            new Ring(1, Collections.unmodifiableMap(keys)),
            protection);
    created.write(created.ring, protection, true);
    return created;
  }

  /**
   * Opens a passphrase-protected key file.
   *
   * @param keyFile the key file
   * @param passphrase the passphrase; not kept and not wiped
   * @return the keys
   * @throws WrongPassphraseException if the passphrase is wrong, or the file is protected by a
   *     {@link KeyProvider} instead
   * @throws StorageCorruptionException if the file is damaged
   * @throws StorageException if the file is missing, unreadable or of a newer format
   */
  public static RepositoryKeys open(Path keyFile, char[] passphrase) {
    Objects.requireNonNull(passphrase, "passphrase");
    return openWith(keyFile, passphrase, null);
  }

  /**
   * Opens a key file protected by a {@link KeyProvider}.
   *
   * @param keyFile the key file
   * @param provider the provider holding the wrapping key
   * @return the keys
   * @throws WrongPassphraseException if the provider cannot unwrap (wrong key, refused), or the
   *     file is passphrase-protected instead
   * @throws StorageCorruptionException if the file is damaged
   * @throws StorageException if the file is missing, unreadable or of a newer format
   */
  public static RepositoryKeys open(Path keyFile, KeyProvider provider) {
    Objects.requireNonNull(provider, "provider");
    return openWith(keyFile, null, provider);
  }

  // ---------------------------------------------------------------- use

  /**
   * Returns the chunk-id hasher keyed with this repository's hash key (one shared instance).
   *
   * @return the hasher
   */
  public ChunkHasher hasher() {
    return hasher;
  }

  /**
   * Returns the sealer (one shared instance): it seals under the current data key, following
   * rotations, and opens blobs sealed under any key this repository has had.
   *
   * @return the sealer
   */
  public ChunkSealer sealer() {
    return sealer;
  }

  /**
   * Returns the 32-byte seed for the chunker's gear table.
   *
   * @return a copy of the seed
   */
  public byte[] gearSeed() {
    return gearSeed.clone();
  }

  /**
   * Returns the key file this was created or opened from.
   *
   * @return the path
   */
  public Path keyFile() {
    return keyFile;
  }

  @Override
  public int currentKeyId() {
    return ring.currentKeyId();
  }

  @Override
  public byte[] dataKey(int keyId) {
    return ring.keys().get(keyId);
  }

  /**
   * Adds a new random data key and makes it current. Existing data stays readable under its old
   * key; only the key file is rewritten. The new key is used only once the file holding it is
   * durable.
   *
   * @return the new key's id
   * @throws StorageException if the key file cannot be written (the old key stays current)
   */
  public synchronized int rotateDataKey() {
    Ring old = ring;
    int newId = Collections.max(old.keys().keySet()) + 1;
    Map<Integer, byte[]> keys = new TreeMap<>(old.keys());
    keys.put(newId, randomBytes(KEY_LENGTH));
    Ring next = new Ring(newId, Collections.unmodifiableMap(keys));
    write(next, protection, false);
    ring = next;
    return newId;
  }

  /**
   * Protects the key file with a new passphrase (default scrypt cost), replacing the old passphrase
   * or key provider. Data is not touched.
   *
   * @param newPassphrase the new passphrase; not kept and not wiped
   * @throws StorageException if the key file cannot be written (the old protection stays)
   */
  public void changePassphrase(char[] newPassphrase) {
    changePassphrase(newPassphrase, ScryptCost.DEFAULT);
  }

  /**
   * Like {@link #changePassphrase(char[])} with chosen scrypt costs.
   *
   * @param newPassphrase the new passphrase
   * @param cost scrypt parameters
   */
  public synchronized void changePassphrase(char[] newPassphrase, ScryptCost cost) {
    Protection next = passphraseProtection(newPassphrase, cost);
    write(ring, next, false);
    protection = next;
  }

  /**
   * Protects the key file with a {@link KeyProvider}, replacing the passphrase or previous
   * provider. Data is not touched.
   *
   * @param provider the new provider
   * @throws StorageException if the key file cannot be written (the old protection stays)
   */
  public synchronized void changeKeyProvider(KeyProvider provider) {
    Protection next = providerProtection(provider);
    write(ring, next, false);
    protection = next;
  }

  @Override
  public String toString() {
    // Never print key material.
    return "RepositoryKeys[" + keyFile + ", currentKey=" + ring.currentKeyId() + "]";
  }

  // ---------------------------------------------------------------- protection

  private static Protection passphraseProtection(char[] passphrase, ScryptCost cost) {
    Objects.requireNonNull(passphrase, "passphrase");
    Objects.requireNonNull(cost, "cost");
    if (passphrase.length == 0) {
      throw new IllegalArgumentException("passphrase must not be empty");
    }
    byte[] salt = randomBytes(32);
    byte[] kek = scrypt(passphrase, salt, cost.log2N(), cost.r(), cost.p());
    ByteBuffer header = ByteBuffer.allocate(1 + 32 + 1 + 4 + 4);
    header.put(PROTECTION_PASSPHRASE).put(salt).put((byte) cost.log2N());
    header.putInt(cost.r()).putInt(cost.p());
    return new Protection(header.array(), new SecretKeySpec(kek, "AES"));
  }

  private static byte[] scrypt(char[] passphrase, byte[] salt, int log2N, int r, int p) {
    ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(passphrase));
    byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);
    // The encoder's buffer may be larger than what it returned; wipe all of it.
    Arrays.fill(encoded.array(), (byte) 0);
    try {
      return SCrypt.generate(bytes, salt, 1 << log2N, r, p, KEY_LENGTH);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  private static Protection providerProtection(KeyProvider provider) {
    Objects.requireNonNull(provider, "provider");
    String id = provider.keyId();
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException("provider.keyId() must be non-empty but was " + id);
    }
    byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
    if (idBytes.length > MAX_PROVIDER_ID_LENGTH) {
      throw new IllegalArgumentException(
          "provider.keyId() must be at most "
              + MAX_PROVIDER_ID_LENGTH
              + " UTF-8 bytes but was "
              + idBytes.length);
    }
    byte[] kek = randomBytes(KEY_LENGTH);
    try {
      byte[] wrapped = provider.wrap(kek.clone());
      if (wrapped == null || wrapped.length == 0 || wrapped.length > MAX_WRAPPED_LENGTH) {
        throw new StorageException(
            "KeyProvider '"
                + id
                + "' returned "
                + (wrapped == null ? "null" : wrapped.length + " bytes")
                + " from wrap; expected 1 to "
                + MAX_WRAPPED_LENGTH
                + " bytes");
      }
      // Check the round trip now: a provider that cannot unwrap what it wrapped would otherwise
      // be discovered only when the repository is next opened, with its data unreadable.
      byte[] back = provider.unwrap(wrapped.clone());
      if (back == null || !MessageDigest.isEqual(back, kek)) {
        throw new StorageException(
            "KeyProvider '" + id + "' did not return the original key from unwrap(wrap(key))");
      }
      Arrays.fill(back, (byte) 0);
      ByteBuffer header = ByteBuffer.allocate(1 + 2 + idBytes.length + 4 + wrapped.length);
      header.put(PROTECTION_PROVIDER).putShort((short) idBytes.length).put(idBytes);
      header.putInt(wrapped.length).put(wrapped);
      return new Protection(header.array(), new SecretKeySpec(kek, "AES"));
    } finally {
      Arrays.fill(kek, (byte) 0); // SecretKeySpec made its own copy
    }
  }

  // ---------------------------------------------------------------- file format

  private void write(Ring ringToWrite, Protection prot, boolean mustNotExist) {
    byte[] secrets = encodeSecrets(ringToWrite);
    byte[] nonce = randomBytes(NONCE_LENGTH);
    int prefix = MAGIC.length + 1 + prot.header().length;
    byte[] sealed;
    ByteBuffer aad = ByteBuffer.allocate(prefix);
    aad.put(MAGIC).put(FORMAT_VERSION).put(prot.header());
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, prot.kek(), new GCMParameterSpec(TAG_LENGTH * 8, nonce));
      cipher.updateAAD(aad.array());
      sealed = cipher.doFinal(secrets);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is required of every Java platform", e);
    } finally {
      Arrays.fill(secrets, (byte) 0);
    }
    ByteBuffer file = ByteBuffer.allocate(prefix + NONCE_LENGTH + 4 + sealed.length + 4);
    file.put(aad.array()).put(nonce).putInt(sealed.length).put(sealed);
    CRC32C crc = new CRC32C();
    crc.update(file.array(), 0, file.position());
    file.putInt((int) crc.getValue());
    writeAtomically(keyFile, file.array(), mustNotExist);
  }

  private byte[] encodeSecrets(Ring r) {
    ByteBuffer b = ByteBuffer.allocate(1 + 32 + 32 + 4 + 4 + r.keys().size() * (4 + KEY_LENGTH));
    b.put(SECRETS_VERSION).put(hashKey).put(gearSeed).putInt(r.currentKeyId());
    b.putInt(r.keys().size());
    r.keys().forEach((id, key) -> b.putInt(id).put(key));
    return b.array();
  }

  private static RepositoryKeys openWith(Path keyFile, char[] passphrase, KeyProvider provider) {
    Objects.requireNonNull(keyFile, "keyFile");
    byte[] file = readKeyFile(keyFile);
    ByteBuffer b = ByteBuffer.wrap(file);
    try {
      byte[] magic = new byte[MAGIC.length];
      b.get(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw corrupt(keyFile, "it does not start with the key file magic \"DSBLKKEY\"");
      }
      int version = b.get() & 0xff;
      if (version != FORMAT_VERSION) {
        throw new StorageException(
            "key file "
                + keyFile
                + " has format version "
                + version
                + "; this build reads version "
                + FORMAT_VERSION
                + " (written by a newer dsblocks?)");
      }
      int headerStart = b.position();
      byte kind = b.get();
      SecretKeySpec kek;
      String secretName;
      if (kind == PROTECTION_PASSPHRASE) {
        byte[] salt = new byte[32];
        b.get(salt);
        int log2N = b.get() & 0xff;
        int r = b.getInt();
        int p = b.getInt();
        ScryptCost cost;
        try {
          cost = new ScryptCost(log2N, r, p);
        } catch (IllegalArgumentException e) {
          throw corrupt(
              keyFile, "its scrypt parameters are out of bounds (" + e.getMessage() + ")");
        }
        if (passphrase == null) {
          throw new WrongPassphraseException(
              keyFile.toString(),
              "key file " + keyFile + " is protected by a passphrase, not by a KeyProvider",
              null);
        }
        kek = new SecretKeySpec(scrypt(passphrase, salt, cost.log2N(), cost.r(), cost.p()), "AES");
        secretName = "the passphrase is wrong";
      } else if (kind == PROTECTION_PROVIDER) {
        int idLength = b.getShort() & 0xffff;
        if (idLength > MAX_PROVIDER_ID_LENGTH) {
          throw corrupt(keyFile, "its provider key id length " + idLength + " is out of bounds");
        }
        byte[] idBytes = new byte[idLength];
        b.get(idBytes);
        String wrappedBy = new String(idBytes, StandardCharsets.UTF_8);
        int wrappedLength = b.getInt();
        if (wrappedLength < 1 || wrappedLength > MAX_WRAPPED_LENGTH) {
          throw corrupt(keyFile, "its wrapped key length " + wrappedLength + " is out of bounds");
        }
        byte[] wrapped = new byte[wrappedLength];
        b.get(wrapped);
        if (provider == null) {
          throw new WrongPassphraseException(
              keyFile.toString(),
              "key file "
                  + keyFile
                  + " is protected by KeyProvider key '"
                  + wrappedBy
                  + "', not by a passphrase",
              null);
        }
        secretName =
            "KeyProvider key '"
                + provider.keyId()
                + "' is not the key that wrapped it ('"
                + wrappedBy
                + "')";
        kek = unwrap(keyFile, provider, wrapped, secretName);
      } else {
        throw corrupt(keyFile, "its protection kind " + kind + " is unknown");
      }
      byte[] aad = Arrays.copyOfRange(file, 0, b.position());
      byte[] nonce = new byte[NONCE_LENGTH];
      b.get(nonce);
      int sealedLength = b.getInt();
      if (sealedLength < TAG_LENGTH || sealedLength != b.remaining() - 4) {
        throw corrupt(keyFile, "its sealed length " + sealedLength + " does not match its size");
      }
      byte[] secrets;
      try {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, kek, new GCMParameterSpec(TAG_LENGTH * 8, nonce));
        cipher.updateAAD(aad);
        secrets = cipher.doFinal(file, b.position(), sealedLength);
      } catch (AEADBadTagException e) {
        // The CRC already passed, so the file is intact: the secret is wrong.
        throw new WrongPassphraseException(
            keyFile.toString(),
            "cannot unlock key file " + keyFile + ": " + secretName + "; nothing was opened",
            null);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES-GCM is required of every Java platform", e);
      }
      Protection protection = new Protection(Arrays.copyOfRange(aad, headerStart, aad.length), kek);
      try {
        return decodeSecrets(keyFile, secrets, protection);
      } finally {
        Arrays.fill(secrets, (byte) 0);
      }
    } catch (BufferUnderflowException e) {
      throw corrupt(keyFile, "it ends in the middle of its header");
    }
  }

  private static SecretKeySpec unwrap(
      Path keyFile, KeyProvider provider, byte[] wrapped, String secretName) {
    byte[] kek;
    try {
      kek = provider.unwrap(wrapped);
    } catch (RuntimeException e) {
      throw new WrongPassphraseException(
          keyFile.toString(),
          "cannot unlock key file "
              + keyFile
              + ": the KeyProvider failed to unwrap its key (wrong key, or the provider refused;"
              + " see the cause); nothing was opened",
          e);
    }
    if (kek == null || kek.length != KEY_LENGTH) {
      throw new WrongPassphraseException(
          keyFile.toString(),
          "cannot unlock key file "
              + keyFile
              + ": "
              + secretName
              + " (unwrap returned "
              + (kek == null ? "null" : kek.length + " bytes")
              + " instead of 32); nothing was opened",
          null);
    }
    try {
      return new SecretKeySpec(kek, "AES");
    } finally {
      Arrays.fill(kek, (byte) 0);
    }
  }

  private static RepositoryKeys decodeSecrets(Path keyFile, byte[] secrets, Protection prot) {
    ByteBuffer s = ByteBuffer.wrap(secrets);
    try {
      if (s.get() != SECRETS_VERSION) {
        throw corrupt(keyFile, "its secrets have an unknown version");
      }
      byte[] hashKey = new byte[KEY_LENGTH];
      byte[] gearSeed = new byte[KEY_LENGTH];
      s.get(hashKey).get(gearSeed);
      int current = s.getInt();
      int count = s.getInt();
      if (count < 1 || count != s.remaining() / (4 + KEY_LENGTH)) {
        throw corrupt(keyFile, "its data key count " + count + " does not match its size");
      }
      Map<Integer, byte[]> keys = new TreeMap<>();
      for (int i = 0; i < count; i++) {
        int id = s.getInt();
        byte[] key = new byte[KEY_LENGTH];
        s.get(key);
        keys.put(id, key);
      }
      if (!keys.containsKey(current)) {
        throw corrupt(keyFile, "its current data key " + current + " is missing");
      }
      return new RepositoryKeys(
          keyFile, hashKey, gearSeed, new Ring(current, Collections.unmodifiableMap(keys)), prot);
    } catch (BufferUnderflowException e) {
      throw corrupt(keyFile, "its secrets are truncated");
    }
  }

  private static byte[] readKeyFile(Path keyFile) {
    byte[] file;
    try {
      long size = Files.size(keyFile);
      if (size > MAX_FILE_SIZE) {
        throw corrupt(keyFile, "it is " + size + " bytes, more than a key file can be");
      }
      file = Files.readAllBytes(keyFile);
    } catch (NoSuchFileException e) {
      throw new StorageException("no key file at " + keyFile, e);
    } catch (IOException e) {
      throw new StorageException("cannot read key file " + keyFile + ": " + e.getMessage(), e);
    }
    if (file.length < MAGIC.length + 4) {
      throw corrupt(keyFile, "it is only " + file.length + " bytes long (truncated)");
    }
    CRC32C crc = new CRC32C();
    crc.update(file, 0, file.length - 4);
    int stored = ByteBuffer.wrap(file, file.length - 4, 4).getInt();
    if (stored != (int) crc.getValue()) {
      throw corrupt(
          keyFile, "its CRC32C does not match (bit flip or truncation); restore it from a backup");
    }
    return file;
  }

  private static StorageCorruptionException corrupt(Path keyFile, String why) {
    return new StorageCorruptionException("key file " + keyFile + " is corrupt: " + why);
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  /**
   * Replaces (or creates) a file so that a crash at any point leaves either the old content or the
   * new, both durable: write a temporary file in the same directory, fsync it, rename it over the
   * target, fsync the directory so the rename itself survives a power cut.
   */
  static void writeAtomically(Path target, byte[] bytes, boolean mustNotExist) {
    Path absolute = target.toAbsolutePath();
    Path dir = absolute.getParent();
    Path tmp = dir.resolve(absolute.getFileName() + ".tmp-" + Long.toHexString(RANDOM.nextLong()));
    try {
      try {
        Files.createFile(
            tmp,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(tmp); // not a POSIX file system; rely on the directory's permissions
      }
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      if (mustNotExist) {
        // Plain move without REPLACE_EXISTING refuses an existing target (a same-directory move
        // is still a rename, so it is atomic with respect to crashes).
        Files.move(tmp, absolute);
      } else {
        Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE);
      }
      fsyncDirectory(dir);
    } catch (FileAlreadyExistsException e) {
      throw new StorageException(
          "key file " + target + " already exists; refusing to overwrite a repository's keys", e);
    } catch (IOException e) {
      throw new StorageException("cannot write key file " + target + ": " + e.getMessage(), e);
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // best effort: a stray temporary file is harmless and never read
      }
    }
  }

  private static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some platforms (Windows) cannot open a directory; their rename is durable by itself.
      if (!System.getProperty("os.name", "").startsWith("Windows")) {
        throw e;
      }
    }
  }
}
