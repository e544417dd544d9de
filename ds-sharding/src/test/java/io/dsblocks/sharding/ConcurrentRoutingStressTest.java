package io.dsblocks.sharding;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Many readers route while a writer keeps swapping membership through an AtomicReference. */
class ConcurrentRoutingStressTest {

  @ParameterizedTest
  @EnumSource(Scheme.class)
  void lookupsDuringMembershipSwapsAlwaysReturnAMemberOfTheSnapshotTheyUsed(Scheme scheme)
      throws Exception {
    AtomicReference<ShardRouter<SimpleNode>> current =
        new AtomicReference<>(TestNodes.router(scheme, TestNodes.nodes(16)));
    int readers = 6;
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicLong lookups = new AtomicLong();
    CountDownLatch ready = new CountDownLatch(readers);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < readers; t++) {
      int seed = t;
      Thread th =
          new Thread(
              () -> {
                SplittableRandom r = new SplittableRandom(seed);
                long n = 0;
                ready.countDown();
                try {
                  while (!stop.get() && n < 2_000_000) {
                    ShardRouter<SimpleNode> snap = current.get();
                    long key = r.nextLong();
                    SimpleNode owner = snap.route(key);
                    if (snap.node(owner.id()).orElse(null) != owner) {
                      throw new AssertionError(owner + " is not a member of " + snap.nodes());
                    }
                    if (!snap.route(key).equals(owner)) {
                      throw new AssertionError("lookup not deterministic for " + key);
                    }
                    if ((n & 63) == 0 && !snap.replicas(key, 2).get(0).equals(owner)) {
                      throw new AssertionError("replica list does not start with the owner");
                    }
                    n++;
                  }
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                }
                lookups.addAndGet(n);
              });
      threads.add(th);
      th.start();
    }
    ready.await();
    SplittableRandom r = new SplittableRandom(99);
    int next = 16;
    for (int swap = 0; swap < 300 && failure.get() == null; swap++) {
      ShardRouter<SimpleNode> snap = current.get();
      ShardRouter<SimpleNode> changed =
          snap.size() > 4 && r.nextBoolean()
              ? snap.withoutNode(snap.nodes().get(r.nextInt(snap.size())).id())
              : snap.withNode(Node.of("node-" + next++));
      current.set(changed);
    }
    stop.set(true);
    for (Thread th : threads) {
      th.join(60_000);
      assertThat(th.isAlive()).isFalse();
    }
    assertThat(failure.get()).isNull();
    assertThat(lookups.get()).isPositive();
  }
}
