package io.dsblocks.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.ratelimit.RateLimiterConfig.Algorithm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ShadowModeAndStatsTest {
  private final LimiterTestTicker ticker = new LimiterTestTicker();

  private RateLimiterConfig.Builder base(Algorithm algorithm) {
    return RateLimiterConfig.builder()
        .algorithm(algorithm)
        .limit(5, Duration.ofSeconds(1))
        .ticker(ticker);
  }

  /** A shadow limiter decides exactly as an enforcing twin would on the same traffic. */
  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void shadowModeRecordsTheDecisionsOfAnEnforcingTwinButLetsEverythingThrough(Algorithm algorithm) {
    RateLimiter enforcing = RateLimiters.create(base(algorithm).recordStats().build());
    RateLimiter shadow =
        RateLimiters.create(base(algorithm).shadowMode(true).recordStats().build());
    List<Boolean> wouldAdmit = new ArrayList<>();
    shadow.addListener(
        new RateLimiterListener() {
          @Override
          public void onPermitted(RateLimiter l, long permits, long waitNanos) {
            wouldAdmit.add(true);
          }

          @Override
          public void onRejected(RateLimiter l, long permits, boolean enforced) {
            assertThat(enforced).isFalse();
            wouldAdmit.add(false);
          }
        });
    SplittableRandom random = new SplittableRandom(7);
    List<Boolean> enforced = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      ticker.advanceNanos(random.nextLong(0, 150_000_000));
      long permits = 1 + random.nextInt(2);
      enforced.add(enforcing.tryAcquire(permits));
      assertThat(shadow.tryAcquire(permits)).isTrue();
    }
    assertThat(wouldAdmit).isEqualTo(enforced);
    assertThat(enforced).contains(true, false);
    RateLimiterStats e = enforcing.stats();
    RateLimiterStats s = shadow.stats();
    assertThat(s.permittedPermits()).isEqualTo(e.permittedPermits());
    assertThat(s.shadowRejectedCalls()).isEqualTo(e.rejectedCalls()).isPositive();
    assertThat(s.rejectedCalls()).isZero();
    assertThat(e.shadowRejectedCalls()).isZero();
    assertThat(s.totalCalls()).isEqualTo(400);
  }

  @Test
  void shadowReserveAlwaysReturnsZeroAndSwitchingToEnforcingKeepsState() throws Exception {
    RateLimiter limiter =
        RateLimiters.create(base(Algorithm.TOKEN_BUCKET).shadowMode(true).build());
    for (int i = 0; i < 8; i++) {
      assertThat(limiter.reserve(1, 0)).isZero();
    }
    assertThat(limiter.tryAcquire(1, Duration.ofSeconds(10))).isTrue();
    assertThat(limiter.availablePermits()).isZero(); // 5 taken; the rest were only observed
    limiter.reconfigure(limiter.config().toBuilder().shadowMode(false).build());
    assertThat(limiter.tryAcquire()).isFalse();
    assertThat(limiter.reserve(1, 0)).isEqualTo(RateLimiter.REJECTED);
  }

  @Test
  void statsAreOffByDefaultAndCountWhenEnabled() {
    RateLimiter plain = RateLimiters.create(base(Algorithm.GCRA).build());
    plain.tryAcquire();
    assertThat(plain.stats()).isEqualTo(RateLimiterStats.DISABLED);
    assertThat(plain.stats().recording()).isFalse();

    RateLimiter counted = RateLimiters.create(base(Algorithm.GCRA).recordStats().build());
    assertThat(counted.tryAcquire(3)).isTrue();
    assertThat(counted.tryAcquire(3)).isFalse();
    assertThat(counted.reserve(2, Duration.ofSeconds(1).toNanos())).isZero();
    assertThat(counted.reserve(1, Duration.ofSeconds(1).toNanos())).isPositive();
    assertThat(counted.stats()).isEqualTo(new RateLimiterStats(true, 3, 6, 1, 0));
  }

  @Test
  void listenersSeeEveryDecisionUntilRemoved() {
    RateLimiter limiter = RateLimiters.create(base(Algorithm.FIXED_WINDOW).build());
    List<String> events = new ArrayList<>();
    RateLimiterListener listener =
        new RateLimiterListener() {
          @Override
          public void onPermitted(RateLimiter l, long permits, long waitNanos) {
            events.add(l.name() + " +" + permits + " wait " + waitNanos);
          }

          @Override
          public void onRejected(RateLimiter l, long permits, boolean enforced) {
            events.add(l.name() + " -" + permits + (enforced ? " enforced" : " shadow"));
          }
        };
    limiter.addListener(listener);
    limiter.tryAcquire(4);
    limiter.tryAcquire(2);
    limiter.reserve(2, Duration.ofSeconds(2).toNanos());
    limiter.removeListener(listener);
    limiter.tryAcquire(1);
    assertThat(events)
        .containsExactly(
            "rate-limiter +4 wait 0",
            "rate-limiter -2 enforced",
            "rate-limiter +2 wait " + Duration.ofSeconds(1).toNanos());
  }
}
