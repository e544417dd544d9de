package io.dsblocks.storage.internal.pack;

import io.dsblocks.storage.StorageCorruptionException;
import io.dsblocks.storage.internal.Bytes;
import io.dsblocks.storage.internal.crypto.ChunkSealer;
import io.dsblocks.storage.internal.index.ChunkLocation;
import io.dsblocks.storage.internal.index.IndexedChunk;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * The pack file format. A pack is written front to back and never modified afterwards:
 *
 * <pre>
 *   header  (16 bytes)  "DSBP" | u16 format version (1) | u16 reserved (0) | u64 pack id
 *   record* (44 + n)    32-byte chunk id | u32 raw length | u32 sealed length n
 *                       | u32 CRC32C of (id, raw length, sealed length, sealed bytes) | n sealed bytes
 *   trailer (m bytes)   sealed with associated data "dsb/pack-trailer/1" + pack id:
 *                       u32 count | count x (32-byte id | u64 offset | u32 record length | u32 raw length)
 *   footer  (16 bytes)  u32 m | u32 CRC32C of the m trailer bytes | "DSBPTRL1"
 * </pre>
 *
 * <p>Why each piece: the header names the pack so a file renamed onto another id is caught; the
 * record CRC lets a scrub or recovery find torn or bit-flipped records without the keys; the sealed
 * bytes (compressed chunk, AES-GCM with the chunk id as associated data) make any tampering fail
 * authentication; the trailer lists every record so the dedup index can be rebuilt from packs alone
 * by reading only their tails; the footer's CRC and magic let recovery tell a complete pack from
 * one torn while its trailer was written. All integers are big-endian.
 */
public final class PackFormat {
  private PackFormat() {}

  /** Current format version. */
  public static final int VERSION = 1;

  /** Header length. */
  public static final int HEADER_LENGTH = 16;

  /** Record header length. */
  public static final int RECORD_HEADER_LENGTH = 44;

  /** Footer length. */
  public static final int FOOTER_LENGTH = 16;

  /** Trailer entry length. */
  public static final int TRAILER_ENTRY_LENGTH = 48;

  private static final byte[] MAGIC = "DSBP".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] FOOTER_MAGIC = "DSBPTRL1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TRAILER_DOMAIN =
      "dsb/pack-trailer/1".getBytes(StandardCharsets.US_ASCII);

  /**
   * Returns the file name of a pack.
   *
   * @param packId the id
   * @return 16 hex digits + ".pack"
   */
  public static String fileName(long packId) {
    return String.format(Locale.ROOT, "%016x.pack", packId);
  }

  /**
   * Parses a pack file name.
   *
   * @param name a file name
   * @return the pack id, or -1 if the name is not a pack's
   */
  public static long parseFileName(String name) {
    if (name.length() != 21 || !name.endsWith(".pack")) {
      return -1;
    }
    try {
      return Long.parseUnsignedLong(name.substring(0, 16), 16);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * Encodes a pack header.
   *
   * @param packId the pack
   * @return 16 bytes
   */
  public static byte[] header(long packId) {
    byte[] h = new byte[HEADER_LENGTH];
    System.arraycopy(MAGIC, 0, h, 0, 4);
    h[4] = 0;
    h[5] = (byte) VERSION;
    Bytes.putLong(h, 8, packId);
    return h;
  }

  /**
   * Checks a pack header.
   *
   * @param h at least 16 bytes
   * @param packId the id the file name says
   * @return null if fine, else what is wrong
   */
  public static String checkHeader(byte[] h, long packId) {
    if (h.length < HEADER_LENGTH
        || h[0] != MAGIC[0]
        || h[1] != MAGIC[1]
        || h[2] != MAGIC[2]
        || h[3] != MAGIC[3]) {
      return "bad pack header magic";
    }
    int version = ((h[4] & 0xff) << 8) | (h[5] & 0xff);
    if (version != VERSION) {
      return "unsupported pack format version " + version;
    }
    if (Bytes.getLong(h, 8) != packId) {
      return "header names pack " + Bytes.getLong(h, 8) + " but the file is pack " + packId;
    }
    return null;
  }

  /**
   * Encodes a record header.
   *
   * @param id chunk id
   * @param rawLength plaintext length
   * @param sealed sealed bytes
   * @return 44 bytes
   */
  public static byte[] recordHeader(byte[] id, int rawLength, byte[] sealed) {
    byte[] h = new byte[RECORD_HEADER_LENGTH];
    System.arraycopy(id, 0, h, 0, 32);
    Bytes.putInt(h, 32, rawLength);
    Bytes.putInt(h, 36, sealed.length);
    CRC32C crc = new CRC32C();
    crc.update(h, 0, 40);
    crc.update(sealed, 0, sealed.length);
    Bytes.putInt(h, 40, (int) crc.getValue());
    return h;
  }

  /**
   * Checks a whole record (header and sealed bytes) read from a pack.
   *
   * @param record the bytes
   * @param expectedId the chunk id the index says is here, or null to accept any
   * @param expectedRawLength the raw length the index says, or -1 to accept any
   * @return null if fine, else what is wrong
   */
  public static String checkRecord(byte[] record, byte[] expectedId, int expectedRawLength) {
    if (record.length < RECORD_HEADER_LENGTH) {
      return "record shorter than its header";
    }
    int sealedLength = Bytes.getInt(record, 36);
    if (sealedLength != record.length - RECORD_HEADER_LENGTH) {
      return "record length field "
          + sealedLength
          + " does not match the indexed length "
          + (record.length - RECORD_HEADER_LENGTH);
    }
    CRC32C crc = new CRC32C();
    crc.update(record, 0, 40);
    crc.update(record, RECORD_HEADER_LENGTH, sealedLength);
    if ((int) crc.getValue() != Bytes.getInt(record, 40)) {
      return "record checksum mismatch";
    }
    if (expectedId != null && !java.util.Arrays.equals(record, 0, 32, expectedId, 0, 32)) {
      return "record holds chunk "
          + Bytes.shortId(java.util.Arrays.copyOf(record, 32))
          + " instead of the indexed one";
    }
    if (expectedRawLength >= 0 && Bytes.getInt(record, 32) != expectedRawLength) {
      return "record raw length " + Bytes.getInt(record, 32) + " differs from the indexed one";
    }
    return null;
  }

  /**
   * Encodes and seals a trailer, and appends the footer.
   *
   * @param packId the pack
   * @param entries its records
   * @param sealer the repository's sealer
   * @return trailer plus footer bytes
   */
  public static byte[] trailer(long packId, List<IndexedChunk> entries, ChunkSealer sealer) {
    byte[] plain = new byte[4 + entries.size() * TRAILER_ENTRY_LENGTH];
    Bytes.putInt(plain, 0, entries.size());
    int off = 4;
    for (IndexedChunk e : entries) {
      System.arraycopy(e.id(), 0, plain, off, 32);
      Bytes.putLong(plain, off + 32, e.location().offset());
      Bytes.putInt(plain, off + 40, e.location().length());
      Bytes.putInt(plain, off + 44, e.location().rawLength());
      off += TRAILER_ENTRY_LENGTH;
    }
    byte[] sealed = sealer.seal(plain, 0, plain.length, trailerAad(packId));
    byte[] out = new byte[sealed.length + FOOTER_LENGTH];
    System.arraycopy(sealed, 0, out, 0, sealed.length);
    Bytes.putInt(out, sealed.length, sealed.length);
    CRC32C crc = new CRC32C();
    crc.update(sealed, 0, sealed.length);
    Bytes.putInt(out, sealed.length + 4, (int) crc.getValue());
    System.arraycopy(FOOTER_MAGIC, 0, out, sealed.length + 8, 8);
    return out;
  }

  /**
   * Reads the trailer length from a footer.
   *
   * @param footer the last 16 bytes of a pack
   * @return the sealed trailer length, or -1 if the footer is not valid
   */
  public static int trailerLength(byte[] footer) {
    if (!java.util.Arrays.equals(footer, 8, 16, FOOTER_MAGIC, 0, 8)) {
      return -1;
    }
    return Bytes.getInt(footer, 0);
  }

  /**
   * Checks and opens a sealed trailer.
   *
   * @param packId the pack
   * @param sealed the sealed trailer bytes
   * @param footer the footer
   * @param sealer the repository's sealer
   * @return the entries
   * @throws StorageCorruptionException if the checksum, authentication or layout is wrong
   */
  public static List<IndexedChunk> openTrailer(
      long packId, byte[] sealed, byte[] footer, ChunkSealer sealer) {
    CRC32C crc = new CRC32C();
    crc.update(sealed, 0, sealed.length);
    if ((int) crc.getValue() != Bytes.getInt(footer, 4)) {
      throw new StorageCorruptionException(fileName(packId) + ": trailer checksum mismatch");
    }
    byte[] plain;
    try {
      plain = sealer.open(sealed, 0, sealed.length, trailerAad(packId));
    } catch (StorageCorruptionException e) {
      throw new StorageCorruptionException(fileName(packId) + ": trailer failed authentication", e);
    }
    if (plain.length < 4) {
      throw new StorageCorruptionException(fileName(packId) + ": trailer too short");
    }
    int count = Bytes.getInt(plain, 0);
    if (count < 0 || (long) count * TRAILER_ENTRY_LENGTH != plain.length - 4) {
      throw new StorageCorruptionException(
          fileName(packId) + ": trailer entry count " + count + " does not match its length");
    }
    List<IndexedChunk> out = new ArrayList<>(count);
    int off = 4;
    for (int i = 0; i < count; i++) {
      byte[] id = java.util.Arrays.copyOfRange(plain, off, off + 32);
      out.add(
          new IndexedChunk(
              id,
              new ChunkLocation(
                  packId,
                  Bytes.getLong(plain, off + 32),
                  Bytes.getInt(plain, off + 40),
                  Bytes.getInt(plain, off + 44))));
      off += TRAILER_ENTRY_LENGTH;
    }
    return out;
  }

  private static byte[] trailerAad(long packId) {
    byte[] aad = java.util.Arrays.copyOf(TRAILER_DOMAIN, TRAILER_DOMAIN.length + 8);
    Bytes.putLong(aad, TRAILER_DOMAIN.length, packId);
    return aad;
  }
}
