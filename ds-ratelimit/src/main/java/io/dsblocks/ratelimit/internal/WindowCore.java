package io.dsblocks.ratelimit.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Parameters and the packed state word of a window-based limiter (fixed window, sliding-window
 * counter), replaced as a whole on reconfiguration. The layout of {@link #state} belongs to the
 * limiter; this class owns the atomic access to it and the window-number hint both share.
 */
final class WindowCore {
  private static final VarHandle STATE;
  private static final VarHandle HINT;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(WindowCore.class, "state", long.class);
      HINT = MethodHandles.lookup().findVarHandle(WindowCore.class, "hint", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final long window;
  final long limit;
  final long origin;

  volatile long state;

  /**
   * The latest window any caller has computed from its clock reading: that window has certainly
   * begun. Raised (never lowered) before a caller's CAS, so it is at least every current window
   * stored in {@code state}; a caller whose own reading is older (it read the clock, then lost the
   * race) uses it instead, so a stale reading never rolls the windows back. It also saves the
   * 64-bit division on most calls.
   */
  @SuppressWarnings("unused") // accessed through HINT
  private long hint;

  WindowCore(long window, long limit, long origin, long state) {
    this.window = window;
    this.limit = limit;
    this.origin = origin;
    this.state = state;
  }

  /** Atomically replaces {@code expected} by {@code update}; returns the witnessed value. */
  long compareAndExchangeState(long expected, long update) {
    return (long) STATE.compareAndExchange(this, expected, update);
  }

  /**
   * Closes the state word for a reconfiguration: callers that then read {@link
   * AbstractRateLimiter#CLOSED} wait for the successor core.
   *
   * @return the last state before closing
   */
  long close() {
    long s;
    do {
      s = state;
    } while (!STATE.compareAndSet(this, s, AbstractRateLimiter.CLOSED));
    return s;
  }

  /**
   * The current window: {@code rel / window}, or the latest window another caller has already seen
   * begin if that is later (see {@link #hint}). Usually one load and one multiply.
   */
  long windowOf(long rel) {
    long h = (long) HINT.getVolatile(this);
    long offset = rel - h * window;
    if (offset < window) {
      return h; // in the hinted window, or a stale reading from before it
    }
    long w = rel / window;
    while (h < w && !HINT.compareAndSet(this, h, w)) {
      h = (long) HINT.getVolatile(this);
    }
    return w;
  }
}
