package io.dsblocks.ratelimit.bulkhead;

/**
 * Thrown when a bulkhead (or an adaptive concurrency limiter) refuses a call because its
 * concurrency limit is reached and no slot freed up within the allowed wait.
 *
 * <p>Stackless, like every rejection signal in this module. Instances are immutable and therefore
 * thread-safe.
 */
public final class BulkheadFullException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String bulkheadName;
  private final int maxConcurrentCalls;

  /**
   * Creates the exception.
   *
   * @param bulkheadName name of the bulkhead or limiter that refused the call
   * @param maxConcurrentCalls its concurrency limit at the time
   */
  public BulkheadFullException(String bulkheadName, int maxConcurrentCalls) {
    super(
        "Bulkhead '"
            + bulkheadName
            + "' is full ("
            + maxConcurrentCalls
            + " concurrent calls) and does not permit further calls");
    this.bulkheadName = bulkheadName;
    this.maxConcurrentCalls = maxConcurrentCalls;
  }

  /**
   * Returns the name of the bulkhead that refused the call.
   *
   * @return the name
   */
  public String bulkheadName() {
    return bulkheadName;
  }

  /**
   * Returns the concurrency limit at the time of the refusal.
   *
   * @return the limit
   */
  public int maxConcurrentCalls() {
    return maxConcurrentCalls;
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this; // an expected, frequent signal: a stack trace would dominate its cost
  }
}
