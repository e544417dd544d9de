package io.dsblocks.benchmarks.storage;

import io.dsblocks.storage.internal.chunk.FastCdcChunker;
import io.dsblocks.storage.internal.compress.ChunkCompressor;
import io.dsblocks.storage.internal.compress.Compressors;
import io.dsblocks.storage.internal.crypto.AesGcmSealer;
import io.dsblocks.storage.internal.crypto.HmacSha256Hasher;
import io.dsblocks.storage.internal.crypto.KeyRing;
import io.dsblocks.storage.internal.pipeline.ChunkPipeline;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole per-chunk ingest path for new data on one core: FastCDC (4/16/1024 KiB) → HMAC-SHA-256
 * id → compress → AES-256-GCM seal, over the JDK-source corpus. Each invocation processes the next
 * 4 MiB slice of the corpus (cycling), so <b>the reported ops/s are MiB/s per core</b>. {@code
 * none} isolates chunk + hash + seal; the storage core scales this across cores and skips compress
 * and seal for duplicate chunks.
 *
 * <p>After each iteration a {@code [cpu]} line reports MiB per CPU-second of the benchmark thread
 * ({@link CpuMeter}): the per-core cost, independent of how much of a core a shared machine gave.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ChunkPipelineBenchmark -f 1 -wi 2 -w 1s
 * -i 3 -r 1s}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class ChunkPipelineBenchmark {

  @Param({"lz4", "zstd1", "zstd3", "none"})
  String compression;

  private static final int SLICE = 4 << 20;

  private byte[] data;
  private int slice;
  private FastCdcChunker chunker;
  private ChunkPipeline pipeline;

  @Setup
  public void setup() {
    data = StorageCorpus.get();
    SplittableRandom r = new SplittableRandom(5);
    byte[] seed = new byte[32];
    byte[] hashKey = new byte[32];
    byte[] dataKey = new byte[32];
    r.nextBytes(seed);
    r.nextBytes(hashKey);
    r.nextBytes(dataKey);
    chunker = new FastCdcChunker(4 << 10, 16 << 10, 1 << 20, seed);
    ChunkCompressor compressor;
    switch (compression) {
      case "lz4":
        compressor = Compressors.lz4();
        break;
      case "zstd1":
        compressor = Compressors.zstd(1);
        break;
      case "zstd3":
        compressor = Compressors.zstd(3);
        break;
      case "none":
        compressor = Compressors.none();
        break;
      default:
        throw new IllegalArgumentException("compression " + compression);
    }
    pipeline =
        new ChunkPipeline(
            new HmacSha256Hasher(hashKey), compressor, new AesGcmSealer(KeyRing.of(1, dataKey)));
    // Work-bounded JIT warm-up (64 MiB, see StoragePrimitivesBenchmark for why), then start the
    // measured slices from the beginning of the corpus again.
    for (int i = 0; i < 16; i++) {
      ingest();
    }
    slice = 0;
  }

  private final CpuMeter cpu = new CpuMeter();

  @Setup(Level.Iteration)
  public void startIteration() {
    cpu.reset();
  }

  @TearDown(Level.Iteration)
  public void endIteration() {
    cpu.report("ChunkPipelineBenchmark " + compression);
  }

  /** Returns the stored bytes, so no work can be optimized away. */
  @Benchmark
  @OperationsPerInvocation(SLICE >> 20)
  public long ingestSlice() {
    cpu.add(SLICE);
    return ingest();
  }

  private long ingest() {
    int start = slice * SLICE;
    slice = (slice + 1) % (data.length / SLICE);
    int end = start + SLICE;
    long stored = 0;
    for (int pos = start; pos < end; ) {
      int n = chunker.cut(data, pos, end - pos);
      byte[] id = pipeline.id(data, pos, n);
      stored += pipeline.seal(id, data, pos, n).length;
      pos += n;
    }
    return stored;
  }
}
