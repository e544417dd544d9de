package io.dsblocks.benchmarks.cache;

import io.dsblocks.benchmarks.BenchRedisServer;
import io.dsblocks.cache.Codec;
import io.dsblocks.cache.redis.RedisTier;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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
 * The Redis tier's own cost over the client it wraps: {@link RedisTier#get} of a present key and
 * {@link RedisTier#put} (no TTL), side by side with raw Lettuce sync {@code GET} / {@code SET} of
 * the same key (namespace prefix included) and the same 100-byte value on one connection. Both
 * encode the {@code String} key to UTF-8 per call; the tier also checks the connection, copies the
 * prefix, bounds the wait with its timeout and checks for pending repairs. The difference is what
 * the tier adds; the absolute numbers are mostly the loopback round trip.
 *
 * <p>Needs a {@code redis-server}: by default the benchmark starts one on a free loopback port
 * (binary from PATH or {@code -Ddsblocks.redis.server=/path}); {@code REDIS_URL} (environment) or
 * {@code -Ddsblocks.redis.uri=redis://host:port} uses an existing one instead.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar RedisTierBenchmark -f 1 -wi 2 -w 1s -i 3 -r 1s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Threads(1)
public class RedisTierBenchmark {
  private static final int KEYS = 1024;
  private static final String NAMESPACE = "bench";

  /** {@code dsblocks}: {@link RedisTier}; {@code lettuce}: raw Lettuce sync commands. */
  @Param({"dsblocks", "lettuce"})
  public String impl;

  private BenchRedisServer server;
  private RedisClient client;
  private RedisTier<String, byte[]> tier;
  private StatefulRedisConnection<String, byte[]> raw;
  private RedisCommands<String, byte[]> rawCommands;
  private final String[] keys = new String[KEYS];
  private final String[] prefixedKeys = new String[KEYS];
  private final byte[] value = new byte[100];
  private int next;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    String uri = System.getProperty("dsblocks.redis.uri", System.getenv("REDIS_URL"));
    if (uri == null) {
      server = BenchRedisServer.start();
      uri = server.uri();
    }
    new Random(1).nextBytes(value);
    for (int i = 0; i < KEYS; i++) {
      keys[i] = "user-" + i;
      prefixedKeys[i] = NAMESPACE + ":" + keys[i];
    }
    client = RedisClient.create(uri);
    if ("dsblocks".equals(impl)) {
      tier =
          RedisTier.<String, byte[]>builder()
              .client(client)
              .namespace(NAMESPACE)
              .keyCodec(Codec.utf8())
              .valueCodec(new BytesCodec())
              // A loaded benchmark machine can stall a reply; a timeout would end the run.
              .commandTimeout(Duration.ofSeconds(5))
              .build();
      for (String k : keys) {
        tier.put(k, value, null);
      }
    } else {
      raw = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
      rawCommands = raw.sync();
      for (String k : prefixedKeys) {
        rawCommands.set(k, value);
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    if (tier != null) {
      tier.close();
    }
    if (raw != null) {
      raw.close();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    if (server != null) {
      server.close();
    }
  }

  @Benchmark
  public byte[] getHit() {
    int i = next++ & (KEYS - 1);
    return tier != null ? tier.get(keys[i]) : rawCommands.get(prefixedKeys[i]);
  }

  @Benchmark
  public int put() {
    int i = next++ & (KEYS - 1);
    if (tier != null) {
      tier.put(keys[i], value, null);
    } else {
      rawCommands.set(prefixedKeys[i], value);
    }
    return i;
  }

  /** Values are already bytes: the codec is the identity, as a raw client would store them. */
  static final class BytesCodec implements Codec<byte[]> {
    @Override
    public byte[] encode(byte[] v) {
      return v;
    }

    @Override
    public byte[] decode(byte[] bytes) {
      return bytes;
    }
  }
}
