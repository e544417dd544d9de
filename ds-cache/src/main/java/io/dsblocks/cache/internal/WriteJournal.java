package io.dsblocks.cache.internal;

import io.dsblocks.cache.Codec;
import io.dsblocks.cache.JournalException;
import io.dsblocks.cache.JournalReport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Append-only journal of the write-back queue. Each record is {@code [int length][int crc32c of
 * payload][payload]} with payload {@code [byte type][long seq]} followed, for a put or delete, by
 * {@code [int keyLength][key]} and, for a put, {@code [int valueLength][value]}. A {@code DONE}
 * record marks a write (by the sequence number of its newest coalesced operation) as stored.
 *
 * <p>On open, records are read until the first that is incomplete or fails its checksum; the file
 * is truncated there, because a crash can only tear the record being appended last. Every complete
 * record before that point is kept, so no acknowledged write is lost.
 *
 * <p>When the queue becomes empty the journal is truncated to zero (everything in it is stored);
 * when it grows past a threshold while writes are still pending, it is rewritten with only the
 * pending writes ({@link #rewrite}). Not thread-safe: the write-back queue calls it under its lock.
 */
public final class WriteJournal<K, V> implements AutoCloseable {
  static final byte PUT = 1;
  static final byte DELETE = 2;
  static final byte DONE = 3;
  private static final int HEADER = 8;
  private static final int MAX_RECORD = 64 << 20;

  private final Path path;
  private final Codec<K> keyCodec;
  private final Codec<V> valueCodec;
  private FileChannel channel;
  private final CRC32C crc = new CRC32C();
  private boolean dirty;
  private long bytes; // tracked, so the size check on every append costs no system call

  /** A write found in the journal that was not marked done, in sequence order. */
  record Replayed<K, V>(K key, V value, boolean delete, long seq) {}

  /** What {@link #open} found. */
  record Recovery<K, V>(List<Replayed<K, V>> pending, long maxSeq, JournalReport report) {}

  private WriteJournal(Path path, Codec<K> keyCodec, Codec<V> valueCodec, FileChannel channel) {
    this.path = path;
    this.keyCodec = keyCodec;
    this.valueCodec = valueCodec;
    this.channel = channel;
  }

  /**
   * Opens (creating if needed) and recovers the journal: truncates a torn tail and returns the
   * writes not yet marked done, one per key (the newest), in sequence order.
   */
  static <K, V> Recovered<K, V> open(Path path, Codec<K> keyCodec, Codec<V> valueCodec) {
    try {
      FileChannel channel =
          FileChannel.open(
              path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      try {
        byte[] bytes = Files.readAllBytes(path);
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        CRC32C check = new CRC32C();
        Map<K, Replayed<K, V>> latest = new HashMap<>();
        Set<Long> done = new HashSet<>();
        long valid = 0;
        long maxSeq = 0;
        int goodEnd = 0;
        while (buf.remaining() >= HEADER) {
          int start = buf.position();
          int length = buf.getInt();
          int crcValue = buf.getInt();
          if (length < 9 || length > MAX_RECORD || buf.remaining() < length) {
            break;
          }
          check.reset();
          check.update(bytes, buf.position(), length);
          if ((int) check.getValue() != crcValue) {
            break;
          }
          ByteBuffer payload = ByteBuffer.wrap(bytes, buf.position(), length).slice();
          buf.position(buf.position() + length);
          Replayed<K, V> op = decode(payload, keyCodec, valueCodec);
          if (op == null) {
            buf.position(start);
            break;
          }
          maxSeq = Math.max(maxSeq, op.seq());
          if (op.key() == null) {
            done.add(op.seq());
          } else {
            latest.put(op.key(), op);
          }
          valid++;
          goodEnd = buf.position();
        }
        long truncated = bytes.length - goodEnd;
        if (truncated > 0) {
          channel.truncate(goodEnd);
          channel.force(true);
        }
        channel.position(goodEnd);
        List<Replayed<K, V>> pending = new ArrayList<>();
        for (Replayed<K, V> op : latest.values()) {
          if (!done.contains(op.seq())) {
            pending.add(op);
          }
        }
        pending.sort(Comparator.comparingLong(Replayed::seq));
        JournalReport report = new JournalReport(path, valid, pending.size(), truncated, goodEnd);
        WriteJournal<K, V> journal = new WriteJournal<>(path, keyCodec, valueCodec, channel);
        journal.bytes = goodEnd;
        return new Recovered<>(journal, new Recovery<>(pending, maxSeq, report));
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    } catch (IOException e) {
      throw new JournalException("cannot open write-back journal " + path + ": " + e, e);
    }
  }

  /** The opened journal and what it held. */
  record Recovered<K, V>(WriteJournal<K, V> journal, Recovery<K, V> recovery) {}

  /** Returns null if the payload is malformed (treated like a torn record). */
  private static <K, V> Replayed<K, V> decode(
      ByteBuffer p, Codec<K> keyCodec, Codec<V> valueCodec) {
    try {
      byte type = p.get();
      long seq = p.getLong();
      if (type == DONE) {
        return p.hasRemaining() ? null : new Replayed<>(null, null, false, seq);
      }
      if (type != PUT && type != DELETE) {
        return null;
      }
      K key = keyCodec.decode(readBytes(p));
      V value = type == PUT ? valueCodec.decode(readBytes(p)) : null;
      return p.hasRemaining() ? null : new Replayed<>(key, value, type == DELETE, seq);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static byte[] readBytes(ByteBuffer p) {
    int n = p.getInt();
    if (n < 0 || n > p.remaining()) {
      throw new IllegalStateException("bad length " + n);
    }
    byte[] out = new byte[n];
    p.get(out);
    return out;
  }

  /** Appends a put or delete; the record is in the OS page cache when this returns. */
  void appendWrite(long seq, K key, V value, boolean delete) {
    ByteBuffer buf = encodeWrite(seq, key, value, delete);
    write(buf, buf.capacity() - HEADER);
  }

  /** Marks the write whose newest operation has {@code seq} as stored. */
  void appendDone(long seq) {
    ByteBuffer buf = ByteBuffer.allocate(HEADER + 9);
    buf.position(HEADER);
    buf.put(DONE).putLong(seq);
    write(buf, 9);
  }

  private void write(ByteBuffer buf, int length) {
    try {
      writeTo(channel, buf, length);
      bytes += HEADER + length;
      dirty = true;
    } catch (IOException e) {
      throw new JournalException("cannot append to write-back journal " + path + ": " + e, e);
    }
  }

  private void writeTo(FileChannel target, ByteBuffer buf, int length) throws IOException {
    crc.reset();
    crc.update(buf.array(), HEADER, length);
    buf.putInt(0, length).putInt(4, (int) crc.getValue());
    buf.position(0);
    while (buf.hasRemaining()) {
      target.write(buf);
    }
  }

  private ByteBuffer encodeWrite(long seq, K key, V value, boolean delete) {
    byte[] k = keyCodec.encode(key);
    byte[] v = delete ? null : valueCodec.encode(value);
    int length = 1 + 8 + 4 + k.length + (delete ? 0 : 4 + v.length);
    if (length > MAX_RECORD) {
      throw new JournalException(
          "journal record of " + length + " bytes exceeds the limit of " + MAX_RECORD, null);
    }
    ByteBuffer buf = ByteBuffer.allocate(HEADER + length);
    buf.position(HEADER);
    buf.put(delete ? DELETE : PUT).putLong(seq).putInt(k.length).put(k);
    if (!delete) {
      buf.putInt(v.length).put(v);
    }
    return buf;
  }

  /**
   * Replaces the journal by one holding only {@code live} (the writes not yet stored): written to a
   * side file, forced, then atomically renamed over the journal, so a crash at any point leaves
   * either the old or the new journal, both complete.
   */
  void rewrite(List<Replayed<K, V>> live) {
    Path tmp = path.resolveSibling(path.getFileName() + ".compact");
    try {
      try (FileChannel out =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        for (Replayed<K, V> r : live) {
          ByteBuffer buf = encodeWrite(r.seq(), r.key(), r.value(), r.delete());
          writeTo(out, buf, buf.capacity() - HEADER);
        }
        out.force(true);
      }
      Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      FileChannel old = channel;
      channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
      bytes = channel.size();
      channel.position(bytes);
      dirty = false;
      old.close();
    } catch (IOException e) {
      throw new JournalException("cannot compact write-back journal " + path + ": " + e, e);
    }
  }

  /** Forces appended records to the device if any were appended since the last force. */
  void force() {
    if (!dirty) {
      return;
    }
    try {
      channel.force(false);
      dirty = false;
    } catch (IOException e) {
      throw new JournalException("cannot fsync write-back journal " + path + ": " + e, e);
    }
  }

  /** Drops every record; called when nothing is pending, so nothing is lost. */
  void reset() {
    try {
      channel.truncate(0);
      channel.position(0);
      bytes = 0;
      dirty = true;
    } catch (IOException e) {
      throw new JournalException("cannot truncate write-back journal " + path + ": " + e, e);
    }
  }

  long size() {
    return bytes;
  }

  @Override
  public void close() {
    try {
      if (channel.isOpen()) {
        force();
        channel.close();
      }
    } catch (IOException e) {
      throw new JournalException("cannot close write-back journal " + path + ": " + e, e);
    }
  }
}
