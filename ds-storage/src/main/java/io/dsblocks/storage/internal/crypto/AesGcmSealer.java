package io.dsblocks.storage.internal.crypto;

import io.dsblocks.storage.StorageCorruptionException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM with the JDK provider (its AES-NI/CLMUL intrinsics make it ~40x faster than Bouncy
 * Castle's pure-Java GCM), with nonces that can never repeat under one key.
 *
 * <p><b>Why nonces cannot repeat.</b> GCM fails catastrophically on a repeated (key, nonce) pair,
 * and a counter alone is not enough: two processes, or one process after a restart, would start
 * from the same value. So every sealer draws a random 16-byte salt and seals under a subkey {@code
 * HKDF-SHA256(dataKey, salt, "dsblocks-storage aes-gcm chunk key v1" | keyId)}, with a 96-bit nonce
 * {@code 0x00000000 | counter} from a per-sealer atomic counter. Within one subkey the counter is
 * strictly increasing, and two sealers share a subkey only if they draw the same 128-bit salt
 * (probability about {@code s^2 / 2^129} for {@code s} sealers). After {@value #COUNTER_LIMIT}
 * seals, and whenever the key ring's current key changes, the sealer draws a fresh salt, so the
 * limit never reaches the caller.
 *
 * <p><b>Sealed format</b> (version 1, big-endian, 45 bytes of overhead):
 *
 * <pre>
 * offset  size  field
 *      0     1  format version = 1
 *      1     4  data key id
 *      5    16  salt
 *     21     8  counter (the nonce is 4 zero bytes followed by these 8)
 *     29     n  ciphertext (n = plaintext length)
 *   29+n    16  GCM tag
 * </pre>
 *
 * <p>The GCM associated data is the 29-byte header followed by the caller's associated data (for a
 * chunk, its id), so changing any header byte, any ciphertext byte, the tag, or presenting the blob
 * under another id fails authentication; {@link #open} then throws {@link
 * StorageCorruptionException} and never returns data.
 *
 * <p>Opening derives the subkey for the blob's (key id, salt) once and caches it (bounded), since a
 * repository has only as many salts as sealer lifetimes.
 *
 * <p>Thread-safe: each thread has its own {@link Cipher}; the counter is atomic.
 */
public final class AesGcmSealer implements ChunkSealer {

  /** The only sealed-format version this class writes and reads. */
  public static final byte VERSION = 1;

  /** Header length: version, key id, salt, counter. */
  public static final int HEADER_LENGTH = 1 + 4 + 16 + 8;

  /** GCM tag length in bytes. */
  public static final int TAG_LENGTH = 16;

  /** Bytes a sealed blob adds to its plaintext. */
  public static final int OVERHEAD = HEADER_LENGTH + TAG_LENGTH;

  /**
   * Seals per subkey before a fresh salt is drawn: 2^48, far inside GCM's safe usage for one key
   * (NIST SP 800-38D) and large enough that re-salting costs nothing.
   */
  public static final long COUNTER_LIMIT = 1L << 48;

  private static final int SALT_LENGTH = 16;
  private static final int SUBKEY_CACHE_LIMIT = 4096;
  private static final byte[] HKDF_INFO =
      "dsblocks-storage aes-gcm chunk key v1".getBytes(StandardCharsets.US_ASCII);

  private final KeyRing ring;
  private final SecureRandom random;
  private final long firstCounter;
  private final AtomicReference<SealState> state = new AtomicReference<>();
  private final Map<SubkeyId, SecretKeySpec> subkeys = new ConcurrentHashMap<>();
  private final ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(AesGcmSealer::newCipher);

  /**
   * Creates a sealer over a key ring. It seals under whatever key is current at the time of each
   * call and opens blobs sealed under any key the ring holds.
   *
   * @param ring the data keys
   * @throws NullPointerException if {@code ring} is null
   */
  public AesGcmSealer(KeyRing ring) {
    this(ring, new SecureRandom(), 0);
  }

  /** Test hook: a chosen random source and starting counter (to reach the re-salt limit). */
  AesGcmSealer(KeyRing ring, SecureRandom random, long firstCounter) {
    this.ring = Objects.requireNonNull(ring, "ring");
    this.random = random;
    this.firstCounter = firstCounter;
    newCipher(); // fail at construction if the platform lacks AES/GCM
  }

  /** What one salt's lifetime needs: the subkey and the next counter. */
  private static final class SealState {
    final int keyId;
    final byte[] salt;
    final SecretKeySpec key;
    final AtomicLong counter;

    SealState(int keyId, byte[] salt, SecretKeySpec key, long firstCounter) {
      this.keyId = keyId;
      this.salt = salt;
      this.key = key;
      this.counter = new AtomicLong(firstCounter);
    }
  }

  /** Cache key for derived subkeys. */
  private record SubkeyId(int keyId, long saltHigh, long saltLow) {
    static SubkeyId of(int keyId, byte[] buf, int saltOffset) {
      ByteBuffer b = ByteBuffer.wrap(buf, saltOffset, SALT_LENGTH);
      return new SubkeyId(keyId, b.getLong(), b.getLong());
    }
  }

  private static Cipher newCipher() {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/GCM/NoPadding is required of every Java platform", e);
    }
  }

  private static SecretKeySpec deriveSubkey(byte[] dataKey, int keyId, byte[] salt, int off) {
    byte[] saltCopy = new byte[SALT_LENGTH];
    System.arraycopy(salt, off, saltCopy, 0, SALT_LENGTH);
    byte[] info = ByteBuffer.allocate(HKDF_INFO.length + 4).put(HKDF_INFO).putInt(keyId).array();
    return new SecretKeySpec(Hkdf.sha256(dataKey, saltCopy, info, 32), "AES");
  }

  @Override
  public byte[] seal(byte[] data, int offset, int length, byte[] associatedData) {
    Objects.checkFromIndexSize(offset, length, data.length);
    Objects.requireNonNull(associatedData, "associatedData");
    if (length > Integer.MAX_VALUE - OVERHEAD - 16) {
      throw new IllegalArgumentException("length " + length + " is too large to seal");
    }
    SealState s;
    long counter;
    while (true) {
      s = currentState();
      counter = s.counter.getAndIncrement();
      if (counter < COUNTER_LIMIT) {
        break;
      }
      // Exhausted: replace it with a fresh salt (unless another thread already did).
      state.compareAndSet(s, newState(s.keyId));
    }
    byte[] out = new byte[OVERHEAD + length];
    out[0] = VERSION;
    ByteBuffer header = ByteBuffer.wrap(out);
    header.position(1);
    header.putInt(s.keyId).put(s.salt).putLong(counter);
    try {
      Cipher cipher = ciphers.get();
      cipher.init(Cipher.ENCRYPT_MODE, s.key, new GCMParameterSpec(TAG_LENGTH * 8, nonce(out, 0)));
      cipher.updateAAD(out, 0, HEADER_LENGTH);
      cipher.updateAAD(associatedData);
      cipher.doFinal(data, offset, length, out, HEADER_LENGTH);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  /** The state for the ring's current key, replacing the held one after a key rotation. */
  private SealState currentState() {
    int keyId = ring.currentKeyId();
    while (true) {
      SealState s = state.get();
      if (s != null && s.keyId == keyId) {
        return s;
      }
      SealState fresh = newState(keyId);
      if (state.compareAndSet(s, fresh)) {
        return fresh;
      }
    }
  }

  private SealState newState(int keyId) {
    byte[] dataKey = ring.dataKey(keyId);
    if (dataKey == null) {
      throw new IllegalStateException("the key ring's current key " + keyId + " is missing");
    }
    byte[] salt = new byte[SALT_LENGTH];
    random.nextBytes(salt);
    SecretKeySpec key = deriveSubkey(dataKey, keyId, salt, 0);
    // Our own blobs are the likeliest to be read back soon: pre-seed the open cache.
    cacheSubkey(SubkeyId.of(keyId, salt, 0), key);
    return new SealState(keyId, salt, key, firstCounter);
  }

  private void cacheSubkey(SubkeyId id, SecretKeySpec key) {
    if (subkeys.size() >= SUBKEY_CACHE_LIMIT) {
      // Crude but bounded; a repository rarely has this many live salts.
      subkeys.clear();
    }
    subkeys.put(id, key);
  }

  private static byte[] nonce(byte[] header, int headerOffset) {
    byte[] nonce = new byte[12];
    System.arraycopy(header, headerOffset + 21, nonce, 4, 8);
    return nonce;
  }

  @Override
  public byte[] open(byte[] sealed, int offset, int length, byte[] associatedData) {
    Objects.checkFromIndexSize(offset, length, sealed.length);
    Objects.requireNonNull(associatedData, "associatedData");
    if (length < OVERHEAD) {
      throw new StorageCorruptionException(
          "sealed blob is "
              + length
              + " bytes, shorter than the "
              + OVERHEAD
              + "-byte header and tag: it was truncated");
    }
    if (sealed[offset] != VERSION) {
      throw new StorageCorruptionException(
          "sealed blob has format version "
              + (sealed[offset] & 0xff)
              + ", this build reads version "
              + VERSION
              + ": the header is corrupt");
    }
    int keyId = ByteBuffer.wrap(sealed, offset + 1, 4).getInt();
    SubkeyId id = SubkeyId.of(keyId, sealed, offset + 5);
    SecretKeySpec key = subkeys.get(id);
    if (key == null) {
      byte[] dataKey = ring.dataKey(keyId);
      if (dataKey == null) {
        throw new StorageCorruptionException(
            "sealed blob names data key "
                + keyId
                + ", which the key ring does not hold (current key is "
                + ring.currentKeyId()
                + "): the header is corrupt or the key file is older than the data");
      }
      key = deriveSubkey(dataKey, keyId, sealed, offset + 5);
      cacheSubkey(id, key);
    }
    try {
      Cipher cipher = ciphers.get();
      cipher.init(
          Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_LENGTH * 8, nonce(sealed, offset)));
      cipher.updateAAD(sealed, offset, HEADER_LENGTH);
      cipher.updateAAD(associatedData);
      return cipher.doFinal(sealed, offset + HEADER_LENGTH, length - HEADER_LENGTH);
    } catch (AEADBadTagException e) {
      throw new StorageCorruptionException(
          "authentication failed for a "
              + length
              + "-byte sealed blob under data key "
              + keyId
              + ": its ciphertext, tag or header was modified, or it is presented with other"
              + " associated data (e.g. another chunk id) than it was sealed with",
          e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM decryption failed", e);
    }
  }

  @Override
  public String toString() {
    return "AesGcmSealer[currentKey=" + ring.currentKeyId() + "]";
  }
}
