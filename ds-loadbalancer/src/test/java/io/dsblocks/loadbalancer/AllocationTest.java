package io.dsblocks.loadbalancer;

import static io.dsblocks.loadbalancer.TestEndpoints.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code pick} and the outcome reports allocate nothing, for every strategy. */
class AllocationTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "roundRobin",
        "smoothWeightedRoundRobin",
        "random",
        "weightedRandom",
        "leastRequest",
        "powerOfTwoChoices",
        "peakEwma",
        "ringHash",
        "maglev",
        "boundedLoadHash",
        "ipHash"
      })
  void pickAndReportDoNotAllocate(String name) throws Exception {
    Strategy strategy =
        (Strategy)
            (name.equals("boundedLoadHash")
                ? Strategies.boundedLoadHash(1.25)
                : Strategies.class.getMethod(name).invoke(null));
    List<Endpoint> eps = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      eps.add(endpoint("e" + i, 1 + i % 4));
    }
    LoadBalancer<Endpoint> lb = LoadBalancers.of(strategy, eps);
    RequestContext[] contexts = new RequestContext[64];
    for (int i = 0; i < contexts.length; i++) {
      contexts[i] =
          RequestContext.builder()
              .key(i)
              .client(java.net.InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) i}))
              .build();
    }
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long sink = 0;
    for (int i = 0; i < 200_000; i++) { // warm up: let the JIT compile the path
      sink += cycle(lb, contexts[i & 63], i);
    }
    long t = Thread.currentThread().getId();
    long before = mx.getThreadAllocatedBytes(t);
    for (int i = 0; i < 100_000; i++) {
      sink += cycle(lb, contexts[i & 63], i);
    }
    long allocated = mx.getThreadAllocatedBytes(t) - before;
    assertThat(sink).isNotZero();
    // 100k picks: one 16-byte allocation per pick would be 1.6 MB.
    assertThat(allocated).as("bytes allocated by 100k pick + report").isLessThan(64 * 1024);
  }

  private static long cycle(LoadBalancer<Endpoint> lb, RequestContext ctx, int i) {
    Selection<Endpoint> s = lb.pick(ctx);
    switch (i & 3) {
      case 0 -> s.onSuccess(1000);
      case 1 -> s.onResponse(200, 1000);
      case 2 -> s.onFailure(1000);
      default -> s.release();
    }
    return s.endpoint().port();
  }
}
