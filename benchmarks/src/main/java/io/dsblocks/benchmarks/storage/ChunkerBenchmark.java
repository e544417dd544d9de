package io.dsblocks.benchmarks.storage;

import io.dsblocks.storage.internal.chunk.Chunker;
import io.dsblocks.storage.internal.chunk.FastCdcChunker;
import io.dsblocks.storage.internal.chunk.FixedChunker;
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
 * Chunker throughput over 32 MiB of the JDK's own sources ({@link StorageCorpus}), one thread. One
 * invocation cuts the whole corpus; {@code @OperationsPerInvocation(32)} makes one operation one
 * MiB, so <b>the reported ops/s are MiB/s</b> (divide by 1024 for GiB/s).
 *
 * <ul>
 *   <li>{@code fastcdc-16k}: FastCDC, min 4 KiB, avg 16 KiB, max 1 MiB, normalization 2 (the
 *       store's default for object data);
 *   <li>{@code fastcdc-16k-nc0}: the same without normalized chunking, for comparison;
 *   <li>{@code fixed-16k}: fixed 16 KiB blocks, the floor (no hashing at all).
 * </ul>
 *
 * <p>After each iteration a {@code [cpu]} line reports MiB per CPU-second of the benchmark thread
 * ({@link CpuMeter}): the per-core cost, independent of how much of a core a shared machine gave.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ChunkerBenchmark -f 1 -wi 2 -w 1s -i 3
 * -r 1s}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class ChunkerBenchmark {

  @Param({"fastcdc-16k", "fastcdc-16k-nc0", "fixed-16k"})
  String impl;

  private byte[] data;
  private Chunker chunker;

  @Setup
  public void setup() {
    data = StorageCorpus.get();
    byte[] seed = new byte[32];
    new SplittableRandom(7).nextBytes(seed);
    switch (impl) {
      case "fastcdc-16k":
        chunker = new FastCdcChunker(4 << 10, 16 << 10, 1 << 20, seed);
        break;
      case "fastcdc-16k-nc0":
        chunker = new FastCdcChunker(4 << 10, 16 << 10, 1 << 20, seed, 0);
        break;
      case "fixed-16k":
        chunker = new FixedChunker(16 << 10);
        break;
      default:
        throw new IllegalArgumentException("impl " + impl);
    }
  }

  /** Cuts the whole corpus; returns the chunk count so the work cannot be eliminated. */
  private final CpuMeter cpu = new CpuMeter();

  @Setup(Level.Iteration)
  public void startIteration() {
    cpu.reset();
  }

  @TearDown(Level.Iteration)
  public void endIteration() {
    cpu.report("ChunkerBenchmark " + impl);
  }

  @Benchmark
  @OperationsPerInvocation(StorageCorpus.SIZE >> 20)
  public int chunkCorpus() {
    byte[] d = data;
    Chunker c = chunker;
    cpu.add(d.length);
    int chunks = 0;
    for (int pos = 0; pos < d.length; chunks++) {
      pos += c.cut(d, pos, d.length - pos);
    }
    return chunks;
  }
}
