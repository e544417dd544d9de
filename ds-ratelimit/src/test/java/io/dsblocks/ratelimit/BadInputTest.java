package io.dsblocks.ratelimit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.ratelimit.RateLimiterConfig.Algorithm;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every bad value is refused at the API boundary, naming the field, the value and the range. */
class BadInputTest {

  private static void refused(Executable call, String message) {
    assertThatThrownBy(call::execute)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  private static RateLimiterConfig.Builder limit(long permits, Duration period) {
    return RateLimiterConfig.builder().limit(permits, period);
  }

  @Test
  void ratesAndPeriods() {
    refused(
        () -> RateLimiters.tokenBucket(0, Duration.ofSeconds(1)),
        "limit must be in [1, 9223372036854775807] but was 0");
    refused(
        () -> RateLimiters.tokenBucket(-5, Duration.ofSeconds(1)),
        "limit must be in [1, 9223372036854775807] but was -5");
    refused(
        () -> RateLimiters.tokenBucket(10, Duration.ZERO),
        "period must be positive (at least 1 ns) but was PT0S");
    refused(
        () -> RateLimiters.gcra(10, Duration.ofSeconds(-1), 1),
        "period must be positive (at least 1 ns) but was PT-1S");
    refused(
        () -> RateLimiters.tokenBucket(2_000_000_000L, Duration.ofSeconds(1)),
        "limit rate must be at most 1 permit per nanosecond but was 2000000000 per PT1S");
    refused(
        () -> RateLimiters.fixedWindow(0, Duration.ofSeconds(1)),
        "limit must be in [1, 9223372036854775807] but was 0");
    refused(
        () -> RateLimiters.slidingWindowLog(10, Duration.ofNanos(0)),
        "period must be positive (at least 1 ns) but was PT0S");
    refused(
        () -> RateLimiters.smooth(1, Duration.ofSeconds(1), Duration.ofSeconds(-1)),
        "warmup must be zero or positive but was PT-1S");
    refused(
        () -> RateLimiters.fixedWindow(10, Duration.ofDays(365 * 100)),
        "period (ns) must be in [1, 1152921504606846976] but was 3153600000000000000");
    refused(
        () -> RateLimiterConfig.builder().build(),
        "limit is required: call limit(permits, period)");
  }

  @Test
  void windowLimitsHaveUpperBoundsFromTheirStateEncoding() {
    refused(
        () -> RateLimiters.fixedWindow(1L << 31, Duration.ofSeconds(1)),
        "limit must be in [1, 2147483647] but was 2147483648");
    refused(
        () -> RateLimiters.slidingWindowLog((1 << 20) + 1, Duration.ofSeconds(1)),
        "limit must be in [1, 1048576] but was 1048577");
    refused(
        () -> RateLimiters.slidingWindowCounter(1 << 22, Duration.ofSeconds(1)),
        "limit must be in [1, 4194303] but was 4194304");
  }

  @Test
  void burstsAndBandwidths() {
    refused(
        () -> RateLimiters.gcra(10, Duration.ofSeconds(1), -1),
        "burst must be in [1, 9223372036854775807] but was -1");
    refused(
        () -> RateLimiters.gcra(1, Duration.ofSeconds(1), Long.MAX_VALUE / 2),
        "burst must be in [1, 1152921504] (burst * nanosPerPermit at most 2^60) but was "
            + Long.MAX_VALUE / 2);
    refused(
        () -> limit(1, Duration.ofSeconds(1)).algorithm(Algorithm.FIXED_WINDOW).burst(3).build(),
        "burst applies to TOKEN_BUCKET and GCRA only, not FIXED_WINDOW");
    refused(
        () ->
            limit(1, Duration.ofSeconds(1))
                .algorithm(Algorithm.GCRA)
                .addBandwidth(3, Duration.ofMinutes(1))
                .build(),
        "addBandwidth applies to TOKEN_BUCKET only, not GCRA");
    refused(
        () -> limit(1, Duration.ofSeconds(1)).addBandwidth(0, Duration.ofMinutes(1)),
        "bandwidth permits must be in [1, 9223372036854775807] but was 0");
    refused(
        () -> limit(1, Duration.ofSeconds(1)).addBandwidth(1, Duration.ofMinutes(-1)),
        "bandwidth period must be positive (at least 1 ns) but was PT-1M");
    refused(
        () -> limit(1, Duration.ofSeconds(1)).warmup(Duration.ofSeconds(1)).build(),
        "warmup applies to SMOOTH only, not TOKEN_BUCKET");
  }

  @Test
  void namesAndNulls() {
    refused(
        () -> limit(1, Duration.ofSeconds(1)).name(" ").build(),
        "name must not be blank but was ' '");
    assertThatThrownBy(() -> limit(1, Duration.ofSeconds(1)).name(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("name");
    assertThatThrownBy(() -> limit(1, Duration.ofSeconds(1)).ticker(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("ticker");
    assertThatThrownBy(() -> limit(1, Duration.ofSeconds(1)).algorithm(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("algorithm");
    assertThatThrownBy(() -> limit(1, null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("period");
    assertThatThrownBy(() -> RateLimiters.create(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("config");
  }

  @Test
  void permitsTimeoutsAndWaits() {
    RateLimiter limiter = RateLimiters.tokenBucket(5, Duration.ofSeconds(1));
    refused(
        () -> limiter.tryAcquire(0), "permits must be in [1, 5] (the limiter's burst) but was 0");
    refused(
        () -> limiter.tryAcquire(-1), "permits must be in [1, 5] (the limiter's burst) but was -1");
    refused(
        () -> limiter.tryAcquire(6), "permits must be in [1, 5] (the limiter's burst) but was 6");
    refused(
        () -> limiter.reserve(6, 0), "permits must be in [1, 5] (the limiter's burst) but was 6");
    refused(
        () -> limiter.nanosUntilAvailable(6),
        "permits must be in [1, 5] (the limiter's burst) but was 6");
    refused(
        () -> limiter.reserve(1, -1),
        "maxWaitNanos must be in [0, 9223372036854775807] but was -1");
    refused(
        () -> limiter.tryAcquire(1, Duration.ofMillis(-1)),
        "timeout must be zero or positive but was PT-0.001S");
    assertThatThrownBy(() -> limiter.tryAcquire(1, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("timeout");
    assertThatThrownBy(() -> limiter.addListener(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("listener");
  }
}
