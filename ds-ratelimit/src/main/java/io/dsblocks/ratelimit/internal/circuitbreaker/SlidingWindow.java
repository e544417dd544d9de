package io.dsblocks.ratelimit.internal.circuitbreaker;

/**
 * Outcome window of a closed (or metrics-only) circuit breaker. Implementations are lock-free and
 * allocate nothing per recorded call.
 *
 * <p>A window that crosses a threshold is <em>sealed</em> in the same atomic step that recorded the
 * crossing call: from then on it ignores further outcomes and {@link #isSealed()} is true. The
 * breaker treats a closed state whose window is sealed as open, which makes the trip a single
 * linearization point even though the state object is replaced a moment later.
 */
abstract class SlidingWindow {
  // Outcome codes: bit 0 = a call, bit 1 = failed, bit 2 = slow. 0 is an empty slot.
  static final int SUCCESS = 0b001;
  static final int FAILURE = 0b011;
  static final int SLOW_SUCCESS = 0b101;
  static final int SLOW_FAILURE = 0b111;

  /** Set in a window's totals word once it has tripped. */
  static final long SEALED = 1L << 63;

  /**
   * Records one outcome. If {@code mayTrip} and the thresholds in {@code settings} are now
   * exceeded, seals the window and returns {@code true} (exactly one caller sees {@code true}).
   */
  abstract boolean record(int outcome, Settings settings, boolean mayTrip);

  /** Whether the window tripped; a sealed window records nothing more. */
  abstract boolean isSealed();

  /** Returns {calls, failures, slow calls}; read without a lock, so approximate under writes. */
  abstract long[] snapshot();

  abstract boolean sameShape(Settings settings);

  static boolean failed(int outcome) {
    return (outcome & 0b010) != 0;
  }

  static boolean slow(int outcome) {
    return (outcome & 0b100) != 0;
  }

  /** The trip rule shared by both window types and the half-open evaluation. */
  static boolean exceeds(long calls, long failures, long slow, int minCalls, Settings s) {
    if (calls < minCalls || calls <= 0) {
      return false;
    }
    // Doubles: counts up to 2^32 times a percentage still compare exactly enough.
    return failures * 100.0 >= s.failureRateThreshold * (double) calls
        || slow * 100.0 >= s.slowCallRateThreshold * (double) calls;
  }
}
