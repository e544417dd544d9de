package io.dsblocks.benchmarks.storage;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import io.dsblocks.storage.internal.chunk.FastCdcChunker;
import io.dsblocks.storage.internal.crypto.AesGcmSealer;
import io.dsblocks.storage.internal.crypto.Blake3Hasher;
import io.dsblocks.storage.internal.crypto.ChunkHasher;
import io.dsblocks.storage.internal.crypto.HmacSha256Hasher;
import io.dsblocks.storage.internal.crypto.KeyRing;
import io.dsblocks.storage.internal.delta.SketchIndex;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The raw single-core cost of each primitive of the chunk pipeline, on the same data: 16 distinct
 * 64 KiB buffers (1 MiB) cut from the JDK-source corpus per invocation, so <b>the reported ops/s
 * are MiB/s</b>. These are the numbers the speed budget is made of; {@link
 * ChunkPipelineBenchmark} measures them composed.
 *
 * <ul>
 *   <li>{@code sha256}: JDK MessageDigest; {@code hmac-sha256}: the store's chunk-id hasher; {@code
 *       blake3}: Bouncy Castle keyed BLAKE3 (the alternative hasher);
 *   <li>{@code gear-cdc}: FastCDC (16 KiB average) cutting each buffer through;
 *   <li>{@code lz4-*}, {@code zstd1-*}: the libraries' block APIs into preallocated buffers;
 *   <li>{@code aes-gcm-seal}/{@code -open}: the store's sealer (JDK provider, includes the 45-byte
 *       header and per-call cipher init);
 *   <li>{@code crc32c}: JDK CRC32C (the pack-level checksum);
 *   <li>{@code similarity-sketch}: the near-duplicate super-features of each 16 KiB quarter of a
 *       buffer (the store's {@code SketchIndex.sketch}, computed for every new chunk).
 * </ul>
 *
 * <p>After each iteration a {@code [cpu]} line reports MiB per CPU-second of the benchmark thread
 * ({@link CpuMeter}): the per-core cost, independent of how much of a core a shared machine gave.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar StoragePrimitivesBenchmark -f 1 -wi 2
 * -w 1s -i 3 -r 1s}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class StoragePrimitivesBenchmark {

  @Param({
    "sha256",
    "hmac-sha256",
    "blake3",
    "gear-cdc",
    "lz4-compress",
    "lz4-decompress",
    "zstd1-compress",
    "zstd1-decompress",
    "aes-gcm-seal",
    "aes-gcm-open",
    "crc32c",
    "similarity-sketch"
  })
  String primitive;

  private static final int BUFFER = 64 << 10;
  private static final int BUFFERS = 16; // 16 x 64 KiB = 1 MiB per invocation
  private static final byte[] AAD = new byte[32];

  private final byte[][] buffers = new byte[BUFFERS][];
  private final byte[][] encoded = new byte[BUFFERS][];
  private final int[] encodedLength = new int[BUFFERS];
  private byte[] out;
  private MessageDigest sha256;
  private ChunkHasher hasher;
  private FastCdcChunker chunker;
  private LZ4Compressor lz4;
  private LZ4SafeDecompressor lz4d;
  private ZstdCompressCtx zstd;
  private ZstdDecompressCtx zstdd;
  private AesGcmSealer sealer;
  private final CRC32C crc = new CRC32C();

  @Setup
  public void setup() throws NoSuchAlgorithmException {
    byte[] corpus = StorageCorpus.get();
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < BUFFERS; i++) {
      int at = r.nextInt(corpus.length / BUFFER) * BUFFER;
      buffers[i] = java.util.Arrays.copyOfRange(corpus, at, at + BUFFER);
    }
    byte[] key = new byte[32];
    r.nextBytes(key);
    out = new byte[BUFFER * 2 + 1024];
    sha256 = MessageDigest.getInstance("SHA-256");
    hasher = primitive.equals("blake3") ? new Blake3Hasher(key) : new HmacSha256Hasher(key);
    chunker = new FastCdcChunker(4 << 10, 16 << 10, 1 << 20, key);
    LZ4Factory factory = LZ4Factory.fastestInstance();
    lz4 = factory.fastCompressor();
    lz4d = factory.safeDecompressor();
    zstd = new ZstdCompressCtx().setLevel(1);
    zstdd = new ZstdDecompressCtx();
    sealer = new AesGcmSealer(KeyRing.of(1, key));
    for (int i = 0; i < BUFFERS; i++) {
      byte[] b = buffers[i];
      switch (primitive) {
        case "lz4-decompress":
          encoded[i] = new byte[lz4.maxCompressedLength(BUFFER)];
          encodedLength[i] = lz4.compress(b, 0, BUFFER, encoded[i], 0, encoded[i].length);
          break;
        case "zstd1-decompress":
          encoded[i] = new byte[BUFFER * 2];
          encodedLength[i] = zstd.compressByteArray(encoded[i], 0, encoded[i].length, b, 0, BUFFER);
          break;
        case "aes-gcm-open":
          encoded[i] = sealer.seal(b, 0, BUFFER, AAD);
          encodedLength[i] = encoded[i].length;
          break;
        default:
          break;
      }
    }
    // Work-bounded JIT warm-up (about 250 MiB) on top of JMH's time-bounded one: the JDK's GCM
    // runs interpreted at well under 100 MiB/s until C2 compiles its bulk loop, which takes
    // 100+ MiB of input; on a loaded 2-core machine, 2 x 1 s of warm-up does not get there.
    for (int i = 0; i < 4000; i++) {
      run(i % BUFFERS);
    }
  }

  @TearDown
  public void tearDown() {
    zstd.close();
    zstdd.close();
  }

  private final CpuMeter cpu = new CpuMeter();

  @Setup(Level.Iteration)
  public void startIteration() {
    cpu.reset();
  }

  @TearDown(Level.Iteration)
  public void endIteration() {
    cpu.report("StoragePrimitivesBenchmark " + primitive);
  }

  @Benchmark
  public void oneMiB(Blackhole bh) {
    cpu.add((long) BUFFERS * BUFFER);
    for (int i = 0; i < BUFFERS; i++) {
      bh.consume(run(i));
    }
  }

  private Object run(int i) {
    byte[] b = buffers[i];
    switch (primitive) {
      case "sha256":
        sha256.update(b, 0, BUFFER);
        return sha256.digest();
      case "hmac-sha256":
      case "blake3":
        return hasher.id(b, 0, BUFFER);
      case "gear-cdc":
        int chunks = 0;
        for (int pos = 0; pos < BUFFER; chunks++) {
          pos += chunker.cut(b, pos, BUFFER - pos);
        }
        return chunks;
      case "lz4-compress":
        return lz4.compress(b, 0, BUFFER, out, 0, out.length);
      case "lz4-decompress":
        return lz4d.decompress(encoded[i], 0, encodedLength[i], out, 0, BUFFER);
      case "zstd1-compress":
        return zstd.compressByteArray(out, 0, out.length, b, 0, BUFFER);
      case "zstd1-decompress":
        return zstdd.decompressByteArray(out, 0, BUFFER, encoded[i], 0, encodedLength[i]);
      case "aes-gcm-seal":
        return sealer.seal(b, 0, BUFFER, AAD);
      case "aes-gcm-open":
        return sealer.open(encoded[i], 0, encodedLength[i], AAD);
      case "similarity-sketch":
        long acc = 0;
        for (int q = 0; q < BUFFER; q += BUFFER / 4) {
          acc += SketchIndex.sketch(b, q, BUFFER / 4)[0];
        }
        return acc;
      case "crc32c":
        crc.reset();
        crc.update(b, 0, BUFFER);
        return crc.getValue();
      default:
        throw new IllegalArgumentException("primitive " + primitive);
    }
  }
}
