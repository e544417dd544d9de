package io.dsblocks.ratelimit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedisRateLimiterConfigTest {

  private static RedisRateLimiterConfig.Builder valid() {
    return RedisRateLimiterConfig.builder().limit(100, Duration.ofSeconds(1));
  }

  @Test
  void defaultsAreDocumentedOnes() {
    RedisRateLimiterConfig c = valid().build();
    assertThat(c.name()).isEqualTo("redis");
    assertThat(c.burst()).as("burst defaults to the rate").isEqualTo(100);
    assertThat(c.algorithm()).isEqualTo(RedisAlgorithm.TOKEN_BUCKET);
    assertThat(c.keyPrefix()).isEqualTo("dsblocks:rl:");
    assertThat(c.commandTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.failureMode()).isEqualTo(FailureMode.FAIL_OPEN);
    assertThat(c.fallbackFraction()).isEqualTo(1.0);
    assertThat(c.localBatchSize()).isEqualTo(1);
    assertThat(c.intervalNanos()).isEqualTo(10_000_000L);
    assertThat(c.fallbackFactory()).isNull();
  }

  @Test
  void batchMaxAgeDefaultsToTheTimeToRefillOneBatch() {
    RedisRateLimiterConfig c = valid().localBatchSize(20).build();
    assertThat(c.localBatchMaxAge()).isEqualTo(Duration.ofMillis(200));
    assertThat(c.toBuilder().localBatchSize(5).build().localBatchMaxAge())
        .as("a defaulted max age follows the batch size")
        .isEqualTo(Duration.ofMillis(50));
    RedisRateLimiterConfig explicit = c.toBuilder().localBatchMaxAge(Duration.ofSeconds(3)).build();
    assertThat(explicit.toBuilder().localBatchSize(5).build().localBatchMaxAge())
        .isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void fallbackFractionSelectsTheFallbackMode() {
    RedisRateLimiterConfig c = valid().fallbackFraction(0.25).build();
    assertThat(c.failureMode()).isEqualTo(FailureMode.FALLBACK_LOCAL);
    assertThat(c.fallbackFraction()).isEqualTo(0.25);
  }

  @Test
  void toBuilderRoundTrips() {
    RedisRateLimiterConfig c =
        valid()
            .name("api")
            .burst(7)
            .algorithm(RedisAlgorithm.GCRA)
            .keyPrefix("p:")
            .commandTimeout(Duration.ofSeconds(1))
            .failureMode(FailureMode.FAIL_CLOSED)
            .localBatchSize(3)
            .build();
    assertThat(c.toBuilder().build()).usingRecursiveComparison().isEqualTo(c);
    assertThat(c.toString()).contains("api", "GCRA", "p:", "FAIL_CLOSED");
  }

  @Test
  void missingLimitIsReported() {
    assertThatThrownBy(() -> RedisRateLimiterConfig.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("limit(rate, period) must be set");
  }

  @Test
  void badRatesAndPeriodsNameTheFieldValueAndRange() {
    assertThatThrownBy(() -> valid().limit(0, Duration.ofSeconds(1)).build())
        .hasMessage("rate must be in [1, 1000000000] but was 0");
    assertThatThrownBy(() -> valid().limit(-5, Duration.ofSeconds(1)).build())
        .hasMessage("rate must be in [1, 1000000000] but was -5");
    assertThatThrownBy(() -> valid().limit(1, Duration.ofNanos(999_999)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("period must be in [PT0.001S, PT24H] but was PT0.000999999S");
    assertThatThrownBy(() -> valid().limit(1, Duration.ofSeconds(-1)).build())
        .hasMessageStartingWith("period must be in [PT0.001S, PT24H]");
    assertThatThrownBy(() -> valid().limit(1, Duration.ofDays(2)).build())
        .hasMessageStartingWith("period must be in [PT0.001S, PT24H]");
    assertThatThrownBy(() -> valid().limit(1, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("period");
  }

  @Test
  void badBurstsNameTheFieldValueAndRange() {
    assertThatThrownBy(() -> valid().burst(0).build()).hasMessage("burst must be >= 1 but was 0");
    assertThatThrownBy(() -> valid().burst(-3).build()).hasMessage("burst must be >= 1 but was -3");
    // burst * period in microseconds must stay exact in a Lua double (2^53).
    assertThatThrownBy(() -> valid().limit(1, Duration.ofDays(1)).burst(200_000_000).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "burst must be in [1, 104249] for 1 per PT24H (burst * period / gcd(rate, period), in"
                + " microseconds, must stay below 2^53) but was 200000000");
    // Reducing by the gcd makes room for large daily quotas: 1e6 per day is 1 per 86400 us.
    assertThat(valid().limit(1_000_000, Duration.ofDays(1)).burst(1_000_000).build().burst())
        .isEqualTo(1_000_000);
  }

  @Test
  void gcraNeedsAnIntervalOfAtLeastTenMicroseconds() {
    assertThatThrownBy(
            () ->
                valid()
                    .limit(200_000, Duration.ofSeconds(1))
                    .algorithm(RedisAlgorithm.GCRA)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("rate must be in [1, 100000] per PT1S for GCRA");
    assertThat(valid().limit(200_000, Duration.ofSeconds(1)).build().rate()).isEqualTo(200_000);
  }

  @Test
  void badTimeoutsFractionsAndBatchesNameTheFieldValueAndRange() {
    assertThatThrownBy(() -> valid().commandTimeout(Duration.ZERO).build())
        .hasMessage("commandTimeout must be in (0, PT1M] but was PT0S");
    assertThatThrownBy(() -> valid().commandTimeout(Duration.ofMinutes(2)).build())
        .hasMessage("commandTimeout must be in (0, PT1M] but was PT2M");
    for (double bad : new double[] {0.0, -0.5, 1.01, Double.NaN}) {
      assertThatThrownBy(() -> valid().fallbackFraction(bad).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("fallbackFraction must be in (0, 1] but was " + bad);
    }
    assertThatThrownBy(() -> valid().localBatchSize(0).build())
        .hasMessage("localBatchSize must be in [1, 100] (at most burst) but was 0");
    assertThatThrownBy(() -> valid().localBatchSize(101).build())
        .hasMessage("localBatchSize must be in [1, 100] (at most burst) but was 101");
    assertThatThrownBy(() -> valid().localBatchMaxAge(Duration.ZERO).build())
        .hasMessage("localBatchMaxAge must be positive but was PT0S");
    assertThatThrownBy(() -> valid().maxLocalBatchKeys(0).build())
        .hasMessage("maxLocalBatchKeys must be >= 1 but was 0");
    assertThatThrownBy(() -> valid().name("").build()).hasMessage("name must not be empty");
  }

  @Test
  void nullsAreRejectedByTheSetterNamingTheArgument() {
    assertThatThrownBy(() -> valid().name(null)).hasMessage("name");
    assertThatThrownBy(() -> valid().algorithm(null)).hasMessage("algorithm");
    assertThatThrownBy(() -> valid().keyPrefix(null)).hasMessage("keyPrefix");
    assertThatThrownBy(() -> valid().commandTimeout(null)).hasMessage("commandTimeout");
    assertThatThrownBy(() -> valid().failureMode(null)).hasMessage("failureMode");
    assertThatThrownBy(() -> valid().fallbackLimiter(null)).hasMessage("fallbackLimiter");
    assertThatThrownBy(() -> valid().localBatchMaxAge(null)).hasMessage("localBatchMaxAge");
    assertThatThrownBy(() -> valid().ticker(null)).hasMessage("ticker");
  }
}
