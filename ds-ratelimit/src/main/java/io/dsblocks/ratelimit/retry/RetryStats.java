package io.dsblocks.ratelimit.retry;

/**
 * Counters of a {@link Retry} since creation. Immutable and thread-safe.
 *
 * @param calls calls started (first attempts)
 * @param retries retry attempts made
 * @param succeededWithoutRetry calls that succeeded at the first attempt
 * @param succeededAfterRetry calls that succeeded after at least one retry
 * @param failed calls that gave up
 * @param budgetDenied retries refused by the retry budget
 */
public record RetryStats(
    long calls,
    long retries,
    long succeededWithoutRetry,
    long succeededAfterRetry,
    long failed,
    long budgetDenied) {}
