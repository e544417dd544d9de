package io.dsblocks.ratelimit.redis;

/**
 * The algorithm a {@link RedisRateLimiter} evaluates on the Redis server.
 *
 * <p>Both admit the same long-run rate and the same burst; they differ in how the state is stored
 * (and therefore in what {@code redis-cli} shows you) and in arithmetic:
 *
 * <ul>
 *   <li>{@link #TOKEN_BUCKET}: a hash {@code {tokens, ts}} with exact integer arithmetic (tokens
 *       are kept in fractions of a permit fine enough that one microsecond refills a whole number
 *       of them), so there is no rounding at any rate;
 *   <li>{@link #GCRA}: the generic cell rate algorithm; a single string holding the theoretical
 *       arrival time in microseconds (one key, one value: the smallest footprint). Timing
 *       resolution is 1 microsecond, so the emission interval {@code period / rate} must be at
 *       least 10 microseconds.
 * </ul>
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum RedisAlgorithm {
  /** Token bucket: {@code burst} tokens, refilled continuously at {@code rate / period}. */
  TOKEN_BUCKET,
  /** Generic cell rate algorithm with a burst tolerance of {@code burst} permits. */
  GCRA
}
