package io.dsblocks.ratelimit.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdaptiveLimiterTest {
  private static final long MS = 1_000_000L;

  /** Fills the limiter to its limit, then completes every call with {@code rtt}. */
  private static void saturatedRound(AdaptiveLimiter l, long rtt) {
    int n = 0;
    while (l.tryAcquire()) {
      n++;
    }
    for (int i = 0; i < n; i++) {
      l.onSuccess(rtt);
    }
  }

  @Test
  void aimdGrowsUnderLoadAndBacksOffOnDrop() {
    AdaptiveLimiter l =
        AdaptiveLimiter.builder("aimd")
            .algorithm(AimdLimit.builder().limits(1, 10, 100).backoffRatio(0.5).build())
            .build();
    assertThat(l.limit()).isEqualTo(10);
    saturatedRound(l, 5 * MS);
    assertThat(l.limit()).as("+1 per sample while busy").isGreaterThan(10);
    int before = l.limit();
    assertThat(l.tryAcquire()).isTrue();
    l.onDropped();
    assertThat(l.limit()).isEqualTo(before / 2);
    assertThat(l.stats().dropped()).isEqualTo(1);
  }

  @Test
  void aimdDoesNotGrowWhenIdle() {
    AdaptiveLimiter l =
        AdaptiveLimiter.builder("idle")
            .algorithm(AimdLimit.builder().limits(1, 10, 100).build())
            .build();
    for (int i = 0; i < 100; i++) {
      assertThat(l.tryAcquire()).isTrue();
      l.onSuccess(MS); // one call in flight of a limit of 10
    }
    assertThat(l.limit()).isEqualTo(10);
  }

  @Test
  void aimdTreatsTimeoutLatencyAsDrop() {
    AdaptiveLimiter l =
        AdaptiveLimiter.builder("t")
            .algorithm(
                AimdLimit.builder().limits(1, 10, 100).timeout(Duration.ofMillis(100)).build())
            .build();
    l.tryAcquire();
    l.onSuccess(200 * MS);
    assertThat(l.limit()).isEqualTo(9);
  }

  @Test
  void vegasGrowsWithFlatLatencyAndShrinksWhenQueueing() {
    AdaptiveLimiter l =
        AdaptiveLimiter.builder("vegas")
            .algorithm(VegasLimit.builder().limits(1, 20, 200).probeInterval(100_000).build())
            .build();
    for (int i = 0; i < 5; i++) {
      saturatedRound(l, 10 * MS);
    }
    int grown = l.limit();
    assertThat(grown).isGreaterThan(20);
    for (int i = 0; i < 5; i++) {
      saturatedRound(l, 40 * MS); // 4x the no-load latency: a long queue
    }
    assertThat(l.limit()).isLessThan(grown);
  }

  @Test
  void gradient2ShrinksWhenLatencyJumpsAndRecovers() {
    AdaptiveLimiter l =
        AdaptiveLimiter.builder("g2")
            .algorithm(Gradient2Limit.builder().limits(1, 50, 500).longWindow(100).build())
            .build();
    for (int i = 0; i < 10; i++) {
      saturatedRound(l, 10 * MS);
    }
    int steady = l.limit();
    assertThat(steady).as("grows by the queue allowance").isGreaterThan(50);
    for (int i = 0; i < 3; i++) {
      saturatedRound(l, 100 * MS); // latency x10
    }
    int shrunk = l.limit();
    assertThat(shrunk).isLessThan(steady);
    for (int i = 0; i < 30; i++) {
      saturatedRound(l, 10 * MS);
    }
    assertThat(l.limit()).isGreaterThan(shrunk);
  }

  @Test
  void partitionsKeepTheirGuaranteedShare() {
    AdaptiveLimiter l =
        AdaptiveLimiter.builder("parts")
            .algorithm(AimdLimit.builder().limits(10, 10, 10).build())
            .partition("live", 0.7)
            .partition("batch", 0.3)
            .build();
    AdaptiveLimiter.Partition live = l.partition("live");
    AdaptiveLimiter.Partition batch = l.partition("batch");
    assertThat(live.guaranteedLimit()).isEqualTo(7);
    assertThat(batch.guaranteedLimit()).isEqualTo(3);
    // batch borrows the whole idle limit...
    int borrowed = 0;
    while (batch.tryAcquire()) {
      borrowed++;
    }
    assertThat(borrowed).isEqualTo(10);
    // ...yet live still gets its 7 guaranteed slots, and not one more
    int liveAdmitted = 0;
    while (live.tryAcquire()) {
      liveAdmitted++;
    }
    assertThat(liveAdmitted).isEqualTo(7);
    assertThat(l.inFlight()).as("overshoot bounded by the guarantees").isEqualTo(17);
    // batch, above its share and with the limit full, waits until the total drops below the limit
    for (int i = 0; i < 7; i++) {
      batch.onIgnore();
    }
    assertThat(batch.tryAcquire()).isFalse();
    assertThat(l.stats().rejected()).isGreaterThanOrEqualTo(2);
    assertThatThrownBy(() -> l.partition("nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nope");
  }

  @Test
  void listenerSeesLimitChanges() {
    AdaptiveLimiter l =
        AdaptiveLimiter.builder("ev")
            .algorithm(AimdLimit.builder().limits(1, 4, 100).build())
            .build();
    List<String> changes = new ArrayList<>();
    l.addListener(
        new AdaptiveLimiterListener() {
          @Override
          public void onLimitChanged(String name, int oldLimit, int newLimit) {
            changes.add(oldLimit + "->" + newLimit);
          }

          @Override
          public void onRejected(String name, String partition) {
            changes.add("rejected:" + partition);
          }
        });
    l.tryAcquire();
    l.tryAcquire();
    l.onDropped();
    l.onSuccess(MS);
    assertThat(changes).containsExactly("4->3");
    for (int i = 0; i < 3; i++) {
      l.tryAcquire();
    }
    assertThat(l.tryAcquire()).isFalse();
    assertThat(changes).containsExactly("4->3", "rejected:default");
  }

  @Test
  void badConfiguration() {
    assertThatThrownBy(() -> AimdLimit.builder().limits(0, 1, 1).build())
        .hasMessageContaining("minLimit must be >= 1, was 0");
    assertThatThrownBy(() -> AimdLimit.builder().limits(5, 1, 10).build())
        .hasMessageContaining("initialLimit must be in [5, 10], was 1");
    assertThatThrownBy(() -> AimdLimit.builder().limits(5, 5, 4).build())
        .hasMessageContaining("maxLimit");
    assertThatThrownBy(() -> AimdLimit.builder().backoffRatio(1.0).build())
        .hasMessageContaining("backoffRatio must be in [0.5, 1)");
    assertThatThrownBy(() -> VegasLimit.builder().smoothing(0).build())
        .hasMessageContaining("smoothing");
    assertThatThrownBy(() -> Gradient2Limit.builder().tolerance(0.5).build())
        .hasMessageContaining("tolerance");
    assertThatThrownBy(() -> Gradient2Limit.builder().queueSize(-1).build())
        .hasMessageContaining("queueSize");
    assertThatThrownBy(
            () -> AdaptiveLimiter.builder("x").partition("a", 0.6).partition("b", 0.6).build())
        .hasMessageContaining("sum to at most 1");
    assertThatThrownBy(() -> AdaptiveLimiter.builder("x").partition("a", 0).build())
        .hasMessageContaining("share of partition 'a' must be in (0, 1], was 0.0");
    assertThatThrownBy(() -> AdaptiveLimiter.builder("x").algorithm(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("algorithm");
  }
}
