package io.dsblocks.benchmarks.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.dsblocks.cache.edge.EdgeCache;
import io.dsblocks.cache.edge.EdgeCacheConfig;
import io.dsblocks.cache.edge.EdgeCaches;
import io.dsblocks.cache.edge.EdgeHeaders;
import io.dsblocks.cache.edge.EdgeRequest;
import io.dsblocks.cache.edge.EdgeResponse;
import io.dsblocks.cache.edge.EdgeResult;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of a fresh edge-cache hit: key lookup, variant selection, the age computation, a new {@code
 * Age} header and the client-conditional check. {@code caffeine-raw} is the floor: a Caffeine
 * lookup of the same stored response with none of the HTTP work.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar EdgeCacheBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EdgeCacheBenchmark {
  private static final int KEYS = 1024;

  /** Which implementation serves the hit. */
  @Param({"dsblocks", "caffeine-raw"})
  public String impl;

  private EdgeRequest[] requests;
  private EdgeCache edge;
  private Cache<String, EdgeResponse> raw;
  private int index;

  /** Fills both caches with the same 1 KiB responses. */
  @Setup
  public void setUp() {
    InstantSource clock = InstantSource.fixed(Instant.parse("2026-01-01T00:00:00Z"));
    edge = EdgeCaches.create(EdgeCacheConfig.builder().clock(clock).build());
    raw = Caffeine.newBuilder().maximumSize(KEYS).build();
    requests = new EdgeRequest[KEYS];
    EdgeHeaders headers =
        EdgeHeaders.of(
            "Cache-Control", "max-age=3600", "Content-Type", "text/html", "ETag", "\"v1\"");
    for (int i = 0; i < KEYS; i++) {
      requests[i] = EdgeRequest.get("/static/page-" + i + ".html", EdgeHeaders.of("Accept", "*/*"));
      EdgeResponse r = EdgeResponse.of(200, headers, new byte[1024]);
      edge.publish(requests[i], r, java.util.List.of());
      raw.put(requests[i].uri(), r);
    }
  }

  /**
   * One fresh hit.
   *
   * @return the served response
   */
  @Benchmark
  public EdgeResponse freshHit() {
    EdgeRequest r = requests[index++ & (KEYS - 1)];
    if ("dsblocks".equals(impl)) {
      EdgeResult result = edge.lookup(r).orElseThrow();
      return result.response();
    }
    return raw.getIfPresent(r.uri());
  }
}
