package io.dsblocks.ratelimit.retry;

/**
 * Receives a {@link Retry}'s events; every method has an empty default. Callbacks run synchronously
 * on the calling thread, must be fast and thread-safe; exceptions they throw are ignored. With no
 * listener registered the retry skips dispatch entirely.
 */
public interface RetryListener {

  /** Why a retry loop stopped without success. */
  enum GiveUpReason {
    /** The failure is not retryable according to the predicates. */
    NOT_RETRYABLE,
    /** All attempts were used. */
    MAX_ATTEMPTS,
    /** The next wait would overrun the maximum total time. */
    MAX_TOTAL_TIME,
    /** The shared retry budget had no retry left. */
    BUDGET_EXHAUSTED,
    /** The thread was interrupted while waiting to retry. */
    INTERRUPTED
  }

  /**
   * Called before waiting for a retry.
   *
   * @param retryName the retry
   * @param attempt the attempt that just failed, starting at 1
   * @param waitNanos the wait before the next attempt
   * @param failure the failure, or {@code null} when a result was deemed retryable
   */
  default void onRetry(String retryName, int attempt, long waitNanos, Throwable failure) {}

  /**
   * Called when a call succeeded.
   *
   * @param retryName the retry
   * @param attempts the attempts it took, starting at 1
   */
  default void onSuccess(String retryName, int attempts) {}

  /**
   * Called when the loop stopped without success.
   *
   * @param retryName the retry
   * @param attempts the attempts made
   * @param reason why it stopped
   * @param lastFailure the last failure, or {@code null} when the last result was retryable
   */
  default void onGiveUp(
      String retryName, int attempts, GiveUpReason reason, Throwable lastFailure) {}
}
