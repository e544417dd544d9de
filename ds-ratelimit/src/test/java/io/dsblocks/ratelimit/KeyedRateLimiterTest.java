package io.dsblocks.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.ratelimit.internal.LocalKeyedRateLimiter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class KeyedRateLimiterTest {
  private final LimiterTestTicker ticker = new LimiterTestTicker();
  private final RateLimiterConfig perKey =
      RateLimiterConfig.builder().limit(3, Duration.ofSeconds(1)).ticker(ticker).build();

  @Test
  void eachKeyHasItsOwnLimit() {
    KeyedRateLimiter<String> limiter = RateLimiters.keyed(perKey);
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.tryAcquire("alice")).isTrue();
    }
    assertThat(limiter.tryAcquire("alice")).isFalse();
    assertThat(limiter.nanosUntilAvailable("alice", 1))
        .isEqualTo(Duration.ofSeconds(1).toNanos() / 3);
    assertThat(limiter.tryAcquire("bob", 3)).isTrue();
    assertThat(limiter.nanosUntilAvailable("carol", 3)).isZero();
  }

  @Test
  void idleKeysExpireOnlyOnceTheyAreBackToFull() {
    LocalKeyedRateLimiter<String> limiter =
        (LocalKeyedRateLimiter<String>) RateLimiters.<String>keyed(perKey);
    // Default expiry: two periods, which is longer than a full refill (1 s).
    assertThat(LocalKeyedRateLimiter.defaultExpiry(perKey)).isEqualTo(Duration.ofSeconds(2));
    assertThat(limiter.tryAcquire("alice", 3)).isTrue();
    ticker.advance(Duration.ofMillis(1999));
    limiter.cleanUp();
    assertThat(limiter.estimatedSize()).isEqualTo(1);
    assertThat(limiter.limiter("alice").availablePermits()).isEqualTo(3); // refilled, still held

    assertThat(limiter.tryAcquire("alice", 3)).isTrue(); // access resets the idle clock
    ticker.advance(Duration.ofSeconds(2));
    limiter.cleanUp();
    assertThat(limiter.estimatedSize()).isZero();
    assertThat(limiter.tryAcquire("alice", 3)).isTrue(); // a fresh limiter: full, as expected
    assertThat(limiter.tryAcquire("alice")).isFalse();
  }

  @Test
  void aFloodOfDistinctKeysStaysWithinMaxKeys() {
    LocalKeyedRateLimiter<Long> limiter =
        (LocalKeyedRateLimiter<Long>) RateLimiters.<Long>keyed(perKey, 1_000, Duration.ofHours(1));
    for (long key = 0; key < 200_000; key++) {
      assertThat(limiter.tryAcquire(key)).isTrue();
      if (key % 10_000 == 0) {
        limiter.cleanUp();
        assertThat(limiter.estimatedSize()).isLessThanOrEqualTo(1_000);
      }
    }
    limiter.cleanUp();
    assertThat(limiter.estimatedSize()).isLessThanOrEqualTo(1_000);
  }

  @Test
  void badArgumentsAreRefusedWithClearMessages() {
    KeyedRateLimiter<String> limiter = RateLimiters.keyed(perKey);
    assertThatThrownBy(() -> limiter.tryAcquire(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
    assertThatThrownBy(() -> limiter.tryAcquire("a", 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permits must be in [1, 3] (the limiter's burst) but was 4");
    assertThatThrownBy(() -> limiter.nanosUntilAvailable("a", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permits must be in [1, 3] (the limiter's burst) but was 0");
    assertThatThrownBy(() -> RateLimiters.keyed(perKey, 0, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxKeys must be in [1, 9223372036854775807] but was 0");
    assertThatThrownBy(() -> RateLimiters.keyed(perKey, 10, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expireAfterAccess must be positive but was PT0S");
    assertThatThrownBy(() -> RateLimiters.keyed(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("perKeyConfig");
  }
}
