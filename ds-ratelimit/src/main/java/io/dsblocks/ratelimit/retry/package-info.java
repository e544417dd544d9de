/**
 * Retries with exponential backoff and jitter, bounded by attempts, total time and a retry budget
 * shared across callers.
 *
 * <p>Entry points: {@link io.dsblocks.ratelimit.retry.Retry#of}, {@link
 * io.dsblocks.ratelimit.retry.RetryBudget#of}.
 */
package io.dsblocks.ratelimit.retry;
