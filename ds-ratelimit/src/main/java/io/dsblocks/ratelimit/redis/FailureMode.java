package io.dsblocks.ratelimit.redis;

/**
 * What a {@link RedisRateLimiter} decides when Redis cannot answer (connection refused or lost,
 * command timeout, script error).
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum FailureMode {
  /**
   * Admit every request while Redis is unavailable: availability of the protected service matters
   * more than the limit. The default.
   */
  FAIL_OPEN,
  /** Refuse every request while Redis is unavailable: the limit matters more than availability. */
  FAIL_CLOSED,
  /**
   * Decide with a local, per-instance limiter running at a configurable fraction of the configured
   * rate and burst ({@link RedisRateLimiterConfig.Builder#fallbackFraction(double)}). With {@code
   * n} application instances, a fraction of about {@code 1/n} keeps the global rate roughly where
   * it was.
   */
  FALLBACK_LOCAL
}
