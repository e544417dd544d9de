package io.dsblocks.ratelimit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.ratelimit.RateLimiter;
import io.dsblocks.ratelimit.RateLimiterConfig;
import io.dsblocks.ratelimit.RateLimiterConfig.Algorithm;
import io.dsblocks.ratelimit.RateLimiters;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Racing threads read the clock in one order and reach the state word in another. A caller whose
 * reading is a little older than one already used must not be refused while there is room.
 */
class ClockSkewTest {

  private static AbstractRateLimiter create(Algorithm algorithm) {
    return (AbstractRateLimiter)
        RateLimiters.create(
            RateLimiterConfig.builder()
                .algorithm(algorithm)
                .limit(100, Duration.ofNanos(100_000))
                .ticker(() -> 0)
                .build());
  }

  @ParameterizedTest
  @EnumSource(
      value = Algorithm.class,
      names = {"TOKEN_BUCKET", "GCRA", "SLIDING_WINDOW_LOG", "SLIDING_WINDOW_COUNTER"})
  void aSlightlyStaleReadingIsAdmittedWhileThereIsRoom(Algorithm algorithm) {
    AbstractRateLimiter limiter = create(algorithm);
    assertThat(limiter.reserveAt(1, 5_000, 0)).isZero();
    assertThat(limiter.reserveAt(1, 4_990, 0)).isZero(); // read before the first, CAS after
    assertThat(limiter.reserveAt(1, 5_000, 0)).isZero();
  }

  @ParameterizedTest
  @EnumSource(
      value = Algorithm.class,
      names = {"TOKEN_BUCKET", "GCRA", "SLIDING_WINDOW_LOG"})
  void aRealReservationStillMakesLaterCallersWait(Algorithm algorithm) {
    AbstractRateLimiter limiter = create(algorithm);
    assertThat(limiter.reserveAt(100, 5_000, 0)).isZero(); // the whole burst / window
    long wait = limiter.reserveAt(1, 5_000, 1_000_000);
    assertThat(wait).isPositive(); // a reservation in the future
    assertThat(limiter.reserveAt(1, 5_000, 0)).isEqualTo(RateLimiter.REJECTED);
    assertThat(limiter.nanosUntilAvailableAt(1, 5_000)).isGreaterThanOrEqualTo(wait);
  }

  @ParameterizedTest
  @EnumSource(
      value = Algorithm.class,
      names = {"FIXED_WINDOW", "SLIDING_WINDOW_COUNTER"})
  void aReadingFromBeforeTheCurrentWindowNeverRollsTheWindowsBack(Algorithm algorithm) {
    AbstractRateLimiter limiter = create(algorithm); // 100 per 100 us window
    assertThat(limiter.reserveAt(100, 150_000, 0)).isZero(); // fills window 1
    // A caller that read the clock in window 0 and reached the state only now.
    assertThat(limiter.reserveAt(1, 99_999, 0)).isEqualTo(RateLimiter.REJECTED);
    assertThat(limiter.availablePermitsAt(99_999)).isZero();
    assertThat(limiter.reserveAt(1, 150_000, 0)).isEqualTo(RateLimiter.REJECTED);
  }

  @ParameterizedTest
  @EnumSource(
      value = Algorithm.class,
      names = {"FIXED_WINDOW", "SLIDING_WINDOW_COUNTER"})
  void aReadingFromBeforeTheCurrentWindowIsAdmittedIntoItWhileThereIsRoom(Algorithm algorithm) {
    AbstractRateLimiter limiter = create(algorithm);
    assertThat(limiter.reserveAt(1, 100_000, 0)).isZero(); // window 1 begins
    assertThat(limiter.reserveAt(1, 99_999, 0)).isZero(); // stale reading: counted in window 1
    assertThat(limiter.availablePermitsAt(100_000)).isEqualTo(98);
  }
}
