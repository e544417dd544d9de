package io.dsblocks.benchmarks.storage;

import io.dsblocks.storage.internal.compress.ChunkCompressor;
import io.dsblocks.storage.internal.compress.Compressors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * LZ4 with the repository's trained dictionary (dsblocks' own pure-Java LZ4 block codec, codec 5)
 * next to plain LZ4 through lz4-java (codec 1), both through the store's {@link ChunkCompressor}
 * API on the same 12 KiB source-code chunks (the typical source file), so each does the same work
 * (chunk header, raw-fallback check, output copy).
 *
 * <p>The dictionary is trained (zstd's trainer, 64 KiB) from the first 8 MiB of the corpus and
 * measured on the rest. Setup prints the compressed size of the measured chunks per impl.
 * Throughput is MB of raw chunk bytes per second: operations/s x {@link #BYTES_PER_OP}.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar Lz4DictionaryBenchmark -f 1 -wi 3 -w 1s
 * -i 5 -r 1s}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class Lz4DictionaryBenchmark {

  private static final int CHUNK = 12 << 10;
  private static final int CHUNKS = 64;

  /** Raw bytes processed per benchmark operation. */
  public static final int BYTES_PER_OP = CHUNK * CHUNKS;

  @Param({"dsblocks-lz4-dict", "lz4-java"})
  String impl;

  private ChunkCompressor compressor;
  private byte[][] chunks;
  private byte[][] encoded;

  @Setup(Level.Trial)
  public void setUp() {
    byte[] corpus = StorageCorpus.get();
    int trainBytes = 8 << 20;
    List<byte[]> samples = new ArrayList<>();
    for (int p = 0; p + CHUNK <= trainBytes; p += CHUNK) {
      samples.add(Arrays.copyOfRange(corpus, p, p + CHUNK));
    }
    byte[] dict = Compressors.trainZstdDictionary(samples, 64 << 10);
    compressor = impl.equals("lz4-java") ? Compressors.lz4() : Compressors.lz4(dict);
    chunks = new byte[CHUNKS][];
    encoded = new byte[CHUNKS][];
    long total = 0;
    for (int i = 0; i < CHUNKS; i++) {
      // Spread over the untrained part of the corpus.
      int p = trainBytes + i * ((corpus.length - trainBytes - CHUNK) / CHUNKS);
      chunks[i] = Arrays.copyOfRange(corpus, p, p + CHUNK);
      encoded[i] = compressor.compress(chunks[i], 0, CHUNK);
      total += encoded[i].length;
    }
    System.out.printf(
        Locale.ROOT,
        "%n[ratio] %s: %d raw bytes -> %d (%.3f)%n",
        impl,
        (long) BYTES_PER_OP,
        total,
        (double) BYTES_PER_OP / total);
  }

  /**
   * Compresses every chunk.
   *
   * @param bh sink
   */
  @Benchmark
  public void compress(Blackhole bh) {
    for (byte[] c : chunks) {
      bh.consume(compressor.compress(c, 0, c.length));
    }
  }

  /**
   * Decompresses every chunk.
   *
   * @param bh sink
   */
  @Benchmark
  public void decompress(Blackhole bh) {
    for (byte[] e : encoded) {
      bh.consume(compressor.decompress(e, 0, e.length));
    }
  }
}
