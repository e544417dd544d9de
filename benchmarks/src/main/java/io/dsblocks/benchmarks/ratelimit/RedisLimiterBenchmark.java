package io.dsblocks.benchmarks.ratelimit;

import io.dsblocks.benchmarks.BenchRedisServer;
import io.dsblocks.ratelimit.redis.RedisRateLimiter;
import io.dsblocks.ratelimit.redis.RedisRateLimiterConfig;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.github.bucket4j.redis.lettuce.cas.LettuceBasedProxyManager;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * A distributed token-bucket decision on Redis, side by side: dsblocks' {@code RedisRateLimiter}
 * (one {@code EVALSHA} per decision) and Bucket4j's Lettuce integration ({@code
 * Bucket4jLettuce.casBasedBuilder}, the documented way to use it: read state, then a
 * compare-and-swap script, retried on conflict). Both use one shared Lettuce connection, the same
 * limit (large enough that every call is admitted, so both do the same work) and one key per
 * benchmark thread ({@code keys=perThread}) or one key for all threads ({@code keys=shared}, where
 * CAS conflicts show).
 *
 * <p>Needs a {@code redis-server}: by default the benchmark starts one itself on a free loopback
 * port (binary from PATH or {@code -Ddsblocks.redis.server=/path}); {@code
 * -Ddsblocks.redis.uri=redis://host:port} uses an existing one instead. At the end of each trial it
 * prints how many Redis commands the server processed per decision (from {@code INFO}).
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar RedisLimiterBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s -t 1
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
public class RedisLimiterBenchmark {

  @Param({"dsblocks", "bucket4j"})
  public String impl;

  @Param({"perThread", "shared"})
  public String keys;

  private BenchRedisServer server;
  private RedisClient client;
  private StatefulRedisConnection<String, String> dsConnection;
  private StatefulRedisConnection<String, byte[]> b4jConnection;
  private RedisRateLimiter dsblocks;
  private LettuceBasedProxyManager<String> bucket4j;
  private BucketConfiguration bucketConfig;
  private final LongAdder decisions = new LongAdder();
  private long commandsBefore;

  /** Per-thread handle: its key and, for Bucket4j, its bucket proxy. */
  @State(Scope.Thread)
  public static class PerThread {
    String key;
    Bucket bucket;
    long admitted;

    @Setup(Level.Trial)
    public void setUp(RedisLimiterBenchmark b) {
      key = "shared".equals(b.keys) ? "bench-shared" : "bench-" + Thread.currentThread().getId();
      if ("bucket4j".equals(b.impl)) {
        bucket = b.bucket4j.builder().build("b4j:" + key, () -> b.bucketConfig);
      }
    }
  }

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    String uri = System.getProperty("dsblocks.redis.uri");
    if (uri == null) {
      server = BenchRedisServer.start();
      uri = server.uri();
    }
    client = RedisClient.create(uri);
    // A limit no benchmark run can exhaust: both sides admit every call, doing the same work.
    long capacity = 1_000_000_000L;
    Duration period = Duration.ofSeconds(1);
    if ("dsblocks".equals(impl)) {
      dsConnection = client.connect();
      dsblocks =
          RedisRateLimiter.create(
              dsConnection,
              RedisRateLimiterConfig.builder()
                  .limit(capacity, period)
                  .keyPrefix("ds:")
                  .commandTimeout(Duration.ofSeconds(5))
                  .build());
    } else {
      b4jConnection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
      bucket4j =
          Bucket4jLettuce.casBasedBuilder(b4jConnection)
              .expirationAfterWrite(
                  ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(
                      Duration.ofSeconds(10)))
              .build();
      bucketConfig =
          BucketConfiguration.builder()
              .addLimit(limit -> limit.capacity(capacity).refillGreedy(capacity, period))
              .build();
    }
    commandsBefore = totalCommands();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    long commands = totalCommands() - commandsBefore - 1; // minus the first INFO
    long n = decisions.sum();
    System.out.printf(
        "%n[%s/%s] %d decisions, %d Redis commands processed (incl. those inside scripts):"
            + " %.2f per decision; %s%n",
        impl, keys, n, commands, n == 0 ? 0.0 : (double) commands / n, clientCommands());
    if (dsConnection != null) {
      dsConnection.close();
    }
    if (b4jConnection != null) {
      b4jConnection.close();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    if (server != null) {
      server.close();
    }
  }

  @Benchmark
  public boolean tryAcquire(PerThread t) {
    boolean ok = "dsblocks".equals(impl) ? dsblocks.tryAcquire(t.key) : t.bucket.tryConsume(1);
    decisions.increment();
    return ok;
  }

  private long totalCommands() {
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      for (String line : c.sync().info("stats").split("\r?\n")) {
        if (line.startsWith("total_commands_processed:")) {
          return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
        }
      }
    }
    throw new IllegalStateException("no total_commands_processed");
  }

  /** The commands clients sent (EVAL/EVALSHA/GET/...), as counted by INFO commandstats. */
  private String clientCommands() {
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      StringBuilder sb = new StringBuilder("commandstats:");
      for (String line : c.sync().info("commandstats").split("\r?\n")) {
        if (line.startsWith("cmdstat_")) {
          sb.append(' ').append(line, "cmdstat_".length(), line.indexOf(",usec="));
        }
      }
      return sb.toString();
    }
  }
}
