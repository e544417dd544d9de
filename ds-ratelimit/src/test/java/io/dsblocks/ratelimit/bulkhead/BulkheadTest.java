package io.dsblocks.ratelimit.bulkhead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BulkheadTest {
  private final ExecutorService pool = Executors.newFixedThreadPool(16);

  @AfterEach
  void shutdown() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void admitsUpToTheLimitAndReleases() {
    Bulkhead b = Bulkhead.of("db", BulkheadConfig.ofMaxConcurrentCalls(2));
    assertThat(b.tryAcquirePermission()).isTrue();
    assertThat(b.tryAcquirePermission()).isTrue();
    assertThat(b.tryAcquirePermission()).isFalse();
    assertThatThrownBy(b::acquirePermission)
        .isInstanceOfSatisfying(
            BulkheadFullException.class,
            e -> {
              assertThat(e.bulkheadName()).isEqualTo("db");
              assertThat(e.maxConcurrentCalls()).isEqualTo(2);
            });
    b.onComplete();
    assertThat(b.availableConcurrentCalls()).isEqualTo(1);
    assertThat(b.tryAcquirePermission()).isTrue();
    assertThat(b.stats()).isEqualTo(new BulkheadStats(2, 2, 3, 2));
    b.onComplete();
    b.onComplete();
    assertThatThrownBy(b::onComplete)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("onComplete");
  }

  @Test
  void neverExceedsLimitUnderContention() throws Exception {
    Bulkhead b = Bulkhead.of("cpu", BulkheadConfig.ofMaxConcurrentCalls(3));
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxSeen = new AtomicInteger();
    AtomicInteger admitted = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> fs = new ArrayList<>();
    for (int t = 0; t < 16; t++) {
      fs.add(
          pool.submit(
              () -> {
                go.await();
                for (int i = 0; i < 2_000; i++) {
                  if (b.tryAcquirePermission()) {
                    int now = running.incrementAndGet();
                    maxSeen.accumulateAndGet(now, Math::max);
                    admitted.incrementAndGet();
                    running.decrementAndGet();
                    b.onComplete();
                  }
                }
                return null;
              }));
    }
    go.countDown();
    for (Future<?> f : fs) {
      f.get(30, TimeUnit.SECONDS);
    }
    assertThat(maxSeen.get()).isLessThanOrEqualTo(3);
    assertThat(b.availableConcurrentCalls()).isEqualTo(3);
    assertThat(b.stats().permittedCalls()).isEqualTo(admitted.get());
    assertThat(b.stats().permittedCalls() + b.stats().rejectedCalls()).isEqualTo(16 * 2_000);
  }

  @Test
  void waiterIsAdmittedWhenASlotFrees() throws Exception {
    Bulkhead b =
        Bulkhead.of(
            "wait",
            BulkheadConfig.builder()
                .maxConcurrentCalls(1)
                .maxWaitDuration(Duration.ofSeconds(30))
                .build());
    b.acquirePermission();
    Future<?> waiter = pool.submit(b::acquirePermission);
    // The waiter is parked (not admitted) until we release.
    Awaitility.await().until(() -> b.stats().permittedCalls() == 1 && !waiter.isDone());
    b.onComplete();
    waiter.get(30, TimeUnit.SECONDS);
    assertThat(b.stats().permittedCalls()).isEqualTo(2);
    assertThat(b.availableConcurrentCalls()).isZero();
  }

  @Test
  void waiterTimesOut() {
    Bulkhead b =
        Bulkhead.of(
            "short",
            BulkheadConfig.builder()
                .maxConcurrentCalls(1)
                .maxWaitDuration(Duration.ofMillis(20))
                .build());
    b.acquirePermission();
    assertThatThrownBy(b::acquirePermission).isInstanceOf(BulkheadFullException.class);
    assertThat(b.stats().rejectedCalls()).isEqualTo(1);
  }

  @Test
  void reconfigureRaisesAndLowersLimit() {
    Bulkhead b = Bulkhead.of("re", BulkheadConfig.ofMaxConcurrentCalls(2));
    b.tryAcquirePermission();
    b.tryAcquirePermission();
    b.reconfigure(BulkheadConfig.ofMaxConcurrentCalls(1));
    assertThat(b.availableConcurrentCalls()).isEqualTo(-1);
    b.onComplete();
    assertThat(b.tryAcquirePermission()).as("still at the lowered limit").isFalse();
    b.reconfigure(BulkheadConfig.ofMaxConcurrentCalls(5));
    assertThat(b.tryAcquirePermission()).isTrue();
    assertThat(b.config().maxConcurrentCalls()).isEqualTo(5);
  }

  @Test
  void listenerEvents() {
    Bulkhead b = Bulkhead.of("ev", BulkheadConfig.ofMaxConcurrentCalls(1));
    List<String> events = new ArrayList<>();
    BulkheadListener l =
        new BulkheadListener() {
          @Override
          public void onCallPermitted(String name) {
            events.add("permitted");
          }

          @Override
          public void onCallRejected(String name) {
            events.add("rejected");
          }

          @Override
          public void onCallFinished(String name) {
            events.add("finished");
          }
        };
    b.addListener(l);
    b.tryAcquirePermission();
    b.tryAcquirePermission();
    b.onComplete();
    b.removeListener(l);
    b.tryAcquirePermission();
    assertThat(events).containsExactly("permitted", "rejected", "finished");
  }

  @Test
  void badConfiguration() {
    assertThatThrownBy(() -> BulkheadConfig.ofMaxConcurrentCalls(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxConcurrentCalls must be in [1, 2147483647], was 0");
    assertThatThrownBy(
            () -> BulkheadConfig.builder().maxWaitDuration(Duration.ofMillis(-1)).build())
        .hasMessageContaining("maxWaitDuration");
    assertThatThrownBy(() -> BulkheadConfig.builder().maxWaitDuration(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("maxWaitDuration");
  }
}
