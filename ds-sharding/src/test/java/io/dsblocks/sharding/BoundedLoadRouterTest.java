package io.dsblocks.sharding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class BoundedLoadRouterTest {

  /** A caller-side load table, as a load balancer would keep. */
  static final class Loads implements LoadView<SimpleNode> {
    final Map<String, Long> byId = new HashMap<>();
    long total;

    @Override
    public long load(SimpleNode node) {
      return byId.getOrDefault(node.id(), 0L);
    }

    @Override
    public long totalLoad() {
      return total;
    }

    void add(SimpleNode n, long delta) {
      byId.merge(n.id(), delta, Long::sum);
      total += delta;
    }
  }

  @Test
  void statelessRoutingNeverAssignsANodeAboveCeilOfCTimesMean() {
    List<SimpleNode> nodes = TestNodes.nodes(10);
    BoundedLoadRouter<SimpleNode> router = BoundedLoadRouter.create(nodes, 1.25);
    Loads loads = new Loads();
    SplittableRandom r = new SplittableRandom(1);
    ArrayDeque<SimpleNode> live = new ArrayDeque<>();
    for (int i = 0; i < 50_000; i++) {
      // Heavily skewed keys: 80% of requests hit 3 keys, which a plain ring would pile on <= 3
      // nodes.
      long key = r.nextInt(10) < 8 ? r.nextInt(3) : r.nextLong();
      SimpleNode n = router.route(key, loads);
      long totalAfter = loads.totalLoad() + 1;
      long cap = (long) Math.ceil(1.25 * totalAfter / nodes.size());
      assertThat(loads.load(n) + 1)
          .as("load of %s after placement", n.id())
          .isLessThanOrEqualTo(cap);
      assertThat(router.capacity(n, totalAfter)).isEqualTo(cap);
      loads.add(n, 1);
      live.add(n);
      if (live.size() > 500 || r.nextInt(3) == 0) {
        loads.add(live.poll(), -1);
      }
    }
  }

  @Test
  void keysStayOnTheirRingOwnerWhileItHasRoom() {
    BoundedLoadRouter<SimpleNode> router = BoundedLoadRouter.create(TestNodes.nodes(8), 1.25);
    Loads empty = new Loads();
    for (long k = 0; k < 10_000; k++) {
      assertThat(router.route(k, empty)).isEqualTo(router.ring().route(k));
    }
  }

  @Test
  void weightedCapacitiesFollowWeights() {
    List<SimpleNode> nodes = List.of(Node.of("a", 1), Node.of("b", 3));
    BoundedLoadRouter<SimpleNode> router = BoundedLoadRouter.create(nodes, 1.0);
    assertThat(router.capacity(nodes.get(0), 100)).isEqualTo(25);
    assertThat(router.capacity(nodes.get(1), 100)).isEqualTo(75);
  }

  @Test
  void inconsistentLoadViewsFailInsteadOfLooping() {
    BoundedLoadRouter<SimpleNode> router = BoundedLoadRouter.create(TestNodes.nodes(3), 1.25);
    LoadView<SimpleNode> liar =
        new LoadView<>() {
          @Override
          public long load(SimpleNode node) {
            return 1_000;
          }

          @Override
          public long totalLoad() {
            return 0;
          }
        };
    assertThatThrownBy(() -> router.route(1L, liar))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("totalLoad()=0");
  }

  @Test
  void leasesCountAgainstTheirNodeAndReleaseIsIdempotent() {
    BoundedLoadRouter<SimpleNode> router = BoundedLoadRouter.create(TestNodes.nodes(4), 1.25);
    List<BoundedLoadRouter.Lease<SimpleNode>> leases = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      BoundedLoadRouter.Lease<SimpleNode> l = router.acquire("hot");
      assertThat(l.loadAtAcquire()).isLessThanOrEqualTo(l.capacityAtAcquire());
      assertThat(l.capacityAtAcquire()).isEqualTo((long) Math.ceil(1.25 * (i + 1) / 4));
      leases.add(l);
    }
    assertThat(router.totalLoad()).isEqualTo(100);
    long sum = 0;
    for (SimpleNode n : router.nodes()) {
      sum += router.load(n.id());
      assertThat(router.load(n.id())).isLessThanOrEqualTo((long) Math.ceil(1.25 * 100 / 4));
    }
    assertThat(sum).isEqualTo(100);
    leases.forEach(BoundedLoadRouter.Lease::release);
    leases.get(0).close();
    assertThat(router.totalLoad()).isZero();
    for (SimpleNode n : router.nodes()) {
      assertThat(router.load(n.id())).isZero();
    }
  }

  @Test
  void concurrentAcquirersNeverExceedTheCapacityTheyWerePlacedUnder() throws Exception {
    BoundedLoadRouter<SimpleNode> router = BoundedLoadRouter.create(TestNodes.nodes(6), 1.1);
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int seed = t;
      Thread th =
          new Thread(
              () -> {
                SplittableRandom r = new SplittableRandom(seed);
                ArrayDeque<BoundedLoadRouter.Lease<SimpleNode>> held = new ArrayDeque<>();
                try {
                  start.await();
                  for (int i = 0; i < 20_000; i++) {
                    BoundedLoadRouter.Lease<SimpleNode> l = router.acquire((long) r.nextInt(4));
                    if (l.loadAtAcquire() > l.capacityAtAcquire()) {
                      throw new AssertionError(
                          "load " + l.loadAtAcquire() + " > cap " + l.capacityAtAcquire());
                    }
                    held.add(l);
                    if (held.size() > 20) {
                      held.poll().release();
                    }
                  }
                  held.forEach(BoundedLoadRouter.Lease::release);
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                }
              });
      workers.add(th);
      th.start();
    }
    start.countDown();
    for (Thread th : workers) {
      th.join(TimeUnit.SECONDS.toMillis(60));
      assertThat(th.isAlive()).isFalse();
    }
    assertThat(failure.get()).isNull();
    assertThat(router.totalLoad()).isZero();
    for (SimpleNode n : router.nodes()) {
      assertThat(router.load(n.id())).isZero();
    }
  }
}
