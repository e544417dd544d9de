package io.dsblocks.storage.internal;

import io.dsblocks.storage.Compression;
import io.dsblocks.storage.StorageCorruptionException;
import io.dsblocks.storage.internal.compress.ChunkCompressor;
import io.dsblocks.storage.internal.compress.Compressors;
import io.dsblocks.storage.internal.compress.DictionaryResolver;
import io.dsblocks.storage.internal.crypto.ChunkSealer;
import io.dsblocks.storage.internal.index.RepositoryDb;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * The store's compressor: the configured codec, plus a per-repository trained dictionary when the
 * configured codec is zstd (zstd with a dictionary, codec 3) or LZ4 (LZ4 with a dictionary, codec
 * 5: the same dictionary bytes, of which LZ4 uses the last 64 KiB, where zstd's trainer puts the
 * most useful content). Training needs zstd-jni; an LZ4 store without it keeps plain LZ4.
 *
 * <p><b>Training.</b> While no dictionary is active, a copy of every new chunk is kept as a sample
 * until {@link #SAMPLE_BYTES} are collected; the thread that completes the sample trains a {@link
 * #DICTIONARY_SIZE}-byte dictionary (zstd's trainer: a fraction of a second for LZ4's {@link
 * #LZ4_SAMPLE_BYTES}, about a second for zstd's {@link #SAMPLE_BYTES}), stores it and switches to
 * it. While the first dictionary of an open trains, other compressions wait for it (chunks stored
 * meanwhile without one would stay larger for good); while a retraining runs, they go on with the
 * old one. <b>Retraining:</b> after {@link #RETRAIN_BYTES} of new chunk data under one dictionary
 * (counted per open), sampling starts again and a new dictionary replaces it for new chunks. Old
 * dictionaries are never deleted, so every chunk stays readable: each dictionary chunk names its
 * dictionary's id (see {@link Compressors#dictionaryId}). If training fails (samples too uniform or
 * random), sampling stops for this open.
 *
 * <p><b>Storage.</b> Each dictionary is a row {@code "dict." + 8 hex digits of its id} in the
 * index's default column family, sealed with associated data {@code "dsb/dict/1" + id}, written
 * (with {@code "dict.current"}, which names the active one) in one synced batch before any chunk
 * uses it. Every store loads them all, so chunks written under any setting stay readable.
 *
 * <p>Thread-safe.
 */
final class RepositoryCompressor implements ChunkCompressor {

  /** Sample for zstd's dictionary (cold tiers: the better dictionary is worth the training). */
  static final int SAMPLE_BYTES = 8 << 20;

  /**
   * Sample for LZ4's dictionary: LZ4 only uses the dictionary's last 64 KiB. On the JDK trees a
   * dictionary trained from 2 MiB compressed within 0.5% of one from 8 MiB, and one from 1 MiB as
   * well as one from 2 MiB (repository 93.5-93.9 MB against 93.4-94.1 MB after both trees, two runs
   * each; 512 KiB cost 3.5 MB more). Training takes about 55 ms for 1 MiB, 110 ms for 2 MiB, and
   * every writer of the open waits for it (see {@link #firstTraining}).
   */
  static final int LZ4_SAMPLE_BYTES = 1 << 20;

  static final int DICTIONARY_SIZE = 64 << 10;
  static final long RETRAIN_BYTES = 4L << 30;

  private static final String PREFIX = "dict.";
  private static final byte[] CURRENT = "dict.current".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] AD = "dsb/dict/1".getBytes(StandardCharsets.US_ASCII);

  private final RepositoryDb db;
  private final ChunkSealer sealer;
  private final Compression setting;
  private final ChunkCompressor configured;
  private final Map<Integer, byte[]> dictionaries = new ConcurrentHashMap<>();
  private final DictionaryResolver resolver = dictionaries::get;
  private final AtomicBoolean training = new AtomicBoolean();
  private final int sampleBytes;
  private final long retrainBytes;

  private volatile ChunkCompressor current;
  private volatile int currentId;
  private volatile boolean sampling;

  /**
   * Open while this open's first dictionary is being trained (no dictionary existed): compressions
   * wait for it instead of storing every chunk meanwhile without one. Null otherwise.
   */
  private volatile CountDownLatch firstTraining;

  // Guarded by this.
  private final List<byte[]> samples = new ArrayList<>();
  private long sampled;
  private long sinceTraining;

  RepositoryCompressor(
      RepositoryDb db, ChunkSealer sealer, Compression setting, ChunkCompressor configured) {
    this(
        db,
        sealer,
        setting,
        configured,
        setting.codec() == Compression.Codec.LZ4 ? LZ4_SAMPLE_BYTES : SAMPLE_BYTES,
        RETRAIN_BYTES);
  }

  RepositoryCompressor(
      RepositoryDb db,
      ChunkSealer sealer,
      Compression setting,
      ChunkCompressor configured,
      int sampleBytes,
      long retrainBytes) {
    this.db = db;
    this.sealer = sealer;
    this.setting = setting;
    this.configured = configured;
    this.sampleBytes = sampleBytes;
    this.retrainBytes = retrainBytes;
    load();
    // Dictionaries are trained with zstd's trainer, so a store without zstd-jni keeps plain LZ4
    // (it still uses and reads an existing dictionary: LZ4 with a dictionary is pure Java).
    boolean dictionaryCodec =
        setting.codec() == Compression.Codec.LZ4
            || (setting.codec() == Compression.Codec.ZSTD && Compressors.zstdAvailable());
    byte[] cur = db.get(db.meta, CURRENT);
    if (dictionaryCodec && cur != null && dictionaries.containsKey(Bytes.getInt(cur, 0))) {
      activate(Bytes.getInt(cur, 0));
    } else {
      this.current = Compressors.withDictionaries(configured, resolver);
    }
    this.sampling = dictionaryCodec && Compressors.zstdAvailable() && currentId == 0;
  }

  private void load() {
    byte[] prefix = PREFIX.getBytes(StandardCharsets.US_ASCII);
    try (RocksIterator it = db.iterator(db.meta)) {
      for (it.seek(prefix); it.isValid(); it.next()) {
        byte[] k = it.key();
        if (!Arrays.equals(k, 0, Math.min(k.length, prefix.length), prefix, 0, prefix.length)) {
          break;
        }
        if (Arrays.equals(k, CURRENT)) {
          continue;
        }
        String hex =
            new String(k, prefix.length, k.length - prefix.length, StandardCharsets.US_ASCII);
        int id = Integer.parseUnsignedInt(hex, 16);
        byte[] dict = sealer.open(it.value(), 0, it.value().length, ad(id));
        if (Compressors.dictionaryId(dict) != id) {
          throw new StorageCorruptionException(
              "zstd dictionary row " + hex + " holds a dictionary whose id differs");
        }
        dictionaries.put(id, dict);
      }
      db.checkIterator(it);
    }
  }

  private static byte[] ad(int id) {
    byte[] ad = Arrays.copyOf(AD, AD.length + 4);
    Bytes.putInt(ad, AD.length, id);
    return ad;
  }

  private static String rowName(int id) {
    return PREFIX + String.format("%08x", id);
  }

  private void activate(int id) {
    byte[] dict = dictionaries.get(id);
    ChunkCompressor withDict =
        setting.codec() == Compression.Codec.LZ4
            ? Compressors.lz4(dict)
            : Compressors.zstd(setting.level(), dict);
    this.current = Compressors.withDictionaries(withDict, resolver);
    this.currentId = id;
  }

  /** The id of the dictionary new chunks use, 0 if none. */
  int currentDictionaryId() {
    return currentId;
  }

  /** Every dictionary this repository has stored. */
  int dictionaryCount() {
    return dictionaries.size();
  }

  @Override
  public byte[] compress(byte[] data, int offset, int length) {
    if (sampling) {
      sample(data, offset, length);
    } else if (currentId != 0 && retrainBytes > 0) {
      boolean start;
      synchronized (this) {
        sinceTraining += length;
        start = sinceTraining >= retrainBytes;
        if (start) {
          sinceTraining = 0;
        }
      }
      if (start) {
        sampling = true;
      }
    }
    CountDownLatch pending = firstTraining;
    if (pending != null) {
      // Wait for the first dictionary. At ingest speed, the chunks compressed during training
      // (0.25-1.5 s then) without a dictionary were 50-300 MB of the JDK trees stored about 25%
      // larger (LZ4), which cost more reduction than the wait costs time.
      Latches.awaitUninterruptibly(pending);
    }
    return current.compress(data, offset, length);
  }

  /**
   * Compresses without sampling (delta programs are not representative chunks).
   *
   * @param data buffer
   * @param offset start
   * @param length length
   * @return the encoded form
   */
  byte[] compressUnsampled(byte[] data, int offset, int length) {
    return current.compress(data, offset, length);
  }

  private void sample(byte[] data, int offset, int length) {
    List<byte[]> ready = null;
    synchronized (this) {
      if (!sampling) {
        return;
      }
      samples.add(Arrays.copyOfRange(data, offset, offset + length));
      sampled += length;
      if (sampled >= sampleBytes && training.compareAndSet(false, true)) {
        ready = new ArrayList<>(samples);
        samples.clear();
        sampled = 0;
        sampling = false;
        if (currentId == 0) {
          firstTraining = new CountDownLatch(1);
        }
      }
    }
    if (ready != null) {
      try {
        train(ready);
      } finally {
        training.set(false);
        CountDownLatch latch = firstTraining;
        if (latch != null) {
          firstTraining = null;
          latch.countDown(); // also when training failed: go on without a dictionary
        }
      }
    }
  }

  /** Trains from the given samples, stores the dictionary durably, then switches to it. */
  private void train(List<byte[]> ready) {
    byte[] dict;
    try {
      dict = Compressors.trainZstdDictionary(ready, DICTIONARY_SIZE);
    } catch (IllegalArgumentException e) {
      return; // zstd found nothing to learn: keep plain zstd for this open
    }
    store(dict);
  }

  /**
   * Stores a dictionary (synced) and makes it current.
   *
   * @param dict the dictionary
   */
  void store(byte[] dict) {
    int id = Compressors.dictionaryId(dict);
    byte[] sealed = sealer.seal(dict, 0, dict.length, ad(id));
    byte[] cur = new byte[4];
    Bytes.putInt(cur, 0, id);
    // Durable before any chunk can name it. One synced batch, not two synced puts: while an open's
    // first dictionary is stored, every other writer waits for it.
    try (WriteBatch batch = new WriteBatch()) {
      batch.put(db.meta, rowName(id).getBytes(StandardCharsets.US_ASCII), sealed);
      batch.put(db.meta, CURRENT, cur);
      db.write(batch, true);
    } catch (RocksDBException e) {
      throw db.failure("store dictionary", e);
    }
    dictionaries.put(id, dict);
    activate(id);
  }

  /**
   * Trains now from the samples collected so far (tests and tools).
   *
   * @return true if a dictionary was trained and activated
   */
  boolean trainNow(List<byte[]> sampleChunks) {
    int before = currentId;
    train(sampleChunks);
    return currentId != before;
  }

  @Override
  public byte[] decompress(byte[] encoded, int offset, int length) {
    return current.decompress(encoded, offset, length);
  }

  @Override
  public String toString() {
    return current.toString();
  }
}
