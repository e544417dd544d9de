package io.dsblocks.ratelimit.redis;

/**
 * A snapshot of a {@link RedisRateLimiter}'s counters since creation.
 *
 * <p>Instances are immutable and thread-safe. Counters are read one after another while other
 * threads may be deciding, so the snapshot is not atomic across counters.
 *
 * @param permitted decisions that granted permits (including failure-mode and batch decisions)
 * @param rejected decisions that refused permits
 * @param roundTrips calls sent to Redis (each is one network round trip)
 * @param redisErrors Redis calls that failed (timeouts, connection errors, script errors)
 * @param scriptReloads times the script was re-sent after {@code NOSCRIPT}
 * @param failureModeDecisions decisions taken by the failure mode because Redis failed
 * @param servedFromLocalBatch decisions granted from a local batch without a round trip
 */
public record RedisRateLimiterStats(
    long permitted,
    long rejected,
    long roundTrips,
    long redisErrors,
    long scriptReloads,
    long failureModeDecisions,
    long servedFromLocalBatch) {}
