package io.dsblocks.benchmarks.loadbalancer;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.LoadBalancer;
import io.dsblocks.loadbalancer.LoadBalancers;
import io.dsblocks.loadbalancer.RequestContext;
import io.dsblocks.loadbalancer.Selection;
import io.dsblocks.loadbalancer.Strategies;
import io.dsblocks.loadbalancer.Strategy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
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
 * One {@code pick} plus its {@code release} per operation (the release keeps in-flight counts from
 * growing without bound, which would skew the load-aware strategies), single-threaded, for every
 * strategy at 10, 100 and 1000 endpoints. Endpoints have weights 1 to 4 (round robin and random
 * ignore them). Request contexts cycle through 4096 pre-built ones carrying a key and a client
 * address (hash strategies use them, the others ignore them). Setup reports 10 requests per
 * endpoint with latencies of 0.5 to 5 ms, so peak-EWMA estimates differ and carry different time
 * stamps, as in use. Target: at most 50 ns for round robin and power of two choices at 1000
 * endpoints, 0 B/op for all.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar PickBenchmark -f 1 -wi 2 -w 1s -i 3 -r
 * 1s -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class PickBenchmark {

  @Param({
    "roundRobin",
    "p2c",
    "leastRequest",
    "weightedRandom",
    "smoothWrr",
    "ring",
    "maglev",
    "peakEwma"
  })
  String strategy;

  @Param({"10", "100", "1000"})
  int endpoints;

  private static final int CONTEXTS = 4096;
  private final RequestContext[] contexts = new RequestContext[CONTEXTS];
  private LoadBalancer<Endpoint> lb;
  private int next;

  /**
   * Builds the balancer and the contexts.
   *
   * @throws UnknownHostException never (literal addresses)
   */
  @Setup
  public void setUp() throws UnknownHostException {
    List<Endpoint> eps = new ArrayList<>();
    for (int i = 0; i < endpoints; i++) {
      eps.add(
          Endpoint.builder()
              .id("backend-" + i)
              .host("10.0." + (i / 250) + "." + (i % 250 + 1))
              .port(8080)
              .weight(1 + i % 4)
              .build());
    }
    lb = LoadBalancers.builder(strategy(strategy)).name("bench").build(eps);
    SplittableRandom r = new SplittableRandom(42);
    // Prime latency estimates (peak EWMA) with samples taken at different times, as in use.
    for (int i = 0; i < 10 * endpoints; i++) {
      lb.pick().onSuccess(500_000 + r.nextInt(4_500_000));
    }
    for (int i = 0; i < CONTEXTS; i++) {
      byte[] addr = {(byte) 192, (byte) 168, (byte) r.nextInt(256), (byte) r.nextInt(256)};
      contexts[i] =
          RequestContext.builder().key(r.nextLong()).client(InetAddress.getByAddress(addr)).build();
    }
  }

  private static Strategy strategy(String name) {
    switch (name) {
      case "roundRobin":
        return Strategies.roundRobin();
      case "p2c":
        return Strategies.powerOfTwoChoices();
      case "leastRequest":
        return Strategies.leastRequest();
      case "weightedRandom":
        return Strategies.weightedRandom();
      case "smoothWrr":
        return Strategies.smoothWeightedRoundRobin();
      case "ring":
        return Strategies.ringHash();
      case "maglev":
        return Strategies.maglev();
      case "peakEwma":
        return Strategies.peakEwma();
      default:
        throw new IllegalArgumentException("unknown strategy " + name);
    }
  }

  /**
   * Pick an endpoint for the next context, then release it.
   *
   * @return the chosen endpoint
   */
  @Benchmark
  public Endpoint pick() {
    Selection<Endpoint> s = lb.pick(contexts[next++ & (CONTEXTS - 1)]);
    s.release();
    return s.endpoint();
  }
}
