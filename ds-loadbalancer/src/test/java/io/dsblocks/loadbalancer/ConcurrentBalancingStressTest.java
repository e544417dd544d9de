package io.dsblocks.loadbalancer;

import static io.dsblocks.loadbalancer.TestEndpoints.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.loadbalancer.health.OutlierDetection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Many threads pick and report while another thread keeps changing membership, weights and health
 * and outlier detection ejects endpoints. Invariants: every pick returns an endpoint that was a
 * member, no report throws, no in-flight count is ever seen below zero, and once every request is
 * reported every count is back to zero. Bounded in picks and in time.
 */
class ConcurrentBalancingStressTest {
  private static final int PICKERS = 4;
  private static final int PICKS_PER_THREAD = 40_000;

  @ParameterizedTest
  @ValueSource(
      strings = {
        "powerOfTwoChoices",
        "leastRequest",
        "smoothWeightedRoundRobin",
        "peakEwma",
        "boundedLoadHash",
        "ringHash"
      })
  void countersStayConsistentUnderChurn(String strategyName) throws Exception {
    Strategy strategy =
        switch (strategyName) {
          case "powerOfTwoChoices" -> Strategies.powerOfTwoChoices();
          case "leastRequest" -> Strategies.leastRequest();
          case "smoothWeightedRoundRobin" -> Strategies.smoothWeightedRoundRobin();
          case "peakEwma" -> Strategies.peakEwma();
          case "boundedLoadHash" -> Strategies.boundedLoadHash(1.25);
          default -> Strategies.ringHash(20);
        };
    List<Endpoint> all = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      all.add(endpoint("e" + i, 1 + i % 3));
    }
    Set<String> everMember = new HashSet<>();
    all.forEach(e -> everMember.add(e.id()));
    LoadBalancer<Endpoint> lb =
        LoadBalancers.builder(strategy)
            .outlierDetection(
                OutlierDetection.builder()
                    .consecutiveFailures(3)
                    .interval(Duration.ofMillis(1))
                    .baseEjectionTime(Duration.ofMillis(1))
                    .maxEjectionPercent(50)
                    .build())
            .slowStart(strategy.weighted() ? Duration.ofMillis(5) : Duration.ZERO)
            .build(all);

    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong negativeSeen = new AtomicLong();
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < PICKERS; t++) {
      long seed = t;
      threads.add(
          new Thread(
              () -> {
                SplittableRandom r = new SplittableRandom(seed);
                List<Selection<Endpoint>> open = new ArrayList<>();
                try {
                  start.await();
                  for (int i = 0; i < PICKS_PER_THREAD; i++) {
                    Selection<Endpoint> s = lb.tryPick(RequestContext.ofKey(r.nextInt(1000)));
                    if (s == null) {
                      continue;
                    }
                    if (!everMember.contains(s.endpoint().id())) {
                      throw new AssertionError("picked a non-member " + s.endpoint());
                    }
                    open.add(s);
                    if (open.size() > 8 || r.nextInt(4) == 0) {
                      Selection<Endpoint> done = open.remove(r.nextInt(open.size()));
                      switch (r.nextInt(5)) {
                        case 0 -> done.onFailure(1000);
                        case 1 -> done.onResponse(503, 2000);
                        case 2 -> done.release();
                        default -> done.onSuccess(500 + r.nextInt(5000));
                      }
                    }
                  }
                  open.forEach(Selection::release);
                } catch (Throwable e) {
                  errors.add(e);
                }
              }));
    }
    Thread churn =
        new Thread(
            () -> {
              SplittableRandom r = new SplittableRandom(99);
              try {
                start.await();
                while (!stop.get()) {
                  List<Endpoint> next = new ArrayList<>();
                  for (Endpoint e : all) {
                    if (e == all.get(0) || r.nextInt(4) != 0) { // e0 stays a member throughout
                      next.add(e.toBuilder().weight(1 + r.nextInt(4)).build());
                    }
                  }
                  if (next.isEmpty()) {
                    next.add(all.get(0));
                  }
                  lb.update(next);
                  lb.setHealthy(next.get(r.nextInt(next.size())).id(), r.nextBoolean());
                  for (Endpoint e : all) {
                    lb.status(e.id())
                        .ifPresent(
                            st -> {
                              if (st.inFlight() < 0) {
                                negativeSeen.incrementAndGet();
                              }
                            });
                  }
                }
              } catch (Throwable e) {
                errors.add(e);
              }
            });
    threads.forEach(Thread::start);
    churn.start();
    start.countDown();
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(60));
      assertThat(t.isAlive()).as("picker finished in time").isFalse();
    }
    stop.set(true);
    churn.join(TimeUnit.SECONDS.toMillis(10));

    assertThat(errors).isEmpty();
    assertThat(negativeSeen.get()).isZero();
    // e0 was a member all along: its count saw every pick and every report and must be back at
    // zero. The others were removed and re-added (fresh state) but must be at zero as well.
    assertThat(lb.status("e0").orElseThrow().inFlight()).isZero();
    for (Endpoint e : lb.endpoints()) {
      assertThat(lb.status(e.id()).orElseThrow().inFlight()).as(e.id()).isZero();
    }
  }
}
