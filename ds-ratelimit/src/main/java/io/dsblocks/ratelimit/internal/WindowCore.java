package io.dsblocks.ratelimit.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Parameters and the packed state word of a window-based limiter (fixed window, sliding-window
 * counter), replaced as a whole on reconfiguration. The layout of {@link #state} belongs to the
 * limiter; this class owns the atomic access to it, the window-number hint both share, and the
 * stripes the state spreads over while threads contend for it.
 *
 * <h2>Stripes</h2>
 *
 * <p>While striped, the state word holds the limiter's {@code expanded} marker and the counts live
 * in {@code stripes} words, each on its own 128-byte block of {@link #cells}. Stripe {@code i} owns
 * a fixed quota {@link #quota(int)} of the limit (the quotas add up to the limit and never change
 * for this core, so a stripe's decision depends only on its own word: a compare-and-set that
 * succeeds on a recycled value is still valid). A stripe never holds more than its quota in total
 * over the windows the limit counts, so the stripes together never hold more than the limit; a call
 * its stripe cannot serve collapses the stripes into the word and is decided there, exactly.
 */
final class WindowCore {
  private static final VarHandle STATE;
  private static final VarHandle HINT;
  private static final VarHandle CELL = MethodHandles.arrayElementVarHandle(long[].class);

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(WindowCore.class, "state", long.class);
      HINT = MethodHandles.lookup().findVarHandle(WindowCore.class, "hint", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** A stripe word that is out of use (collapsed): no stripe ever holds this value. */
  static final long PARKED = -1L;

  /** Longs per stripe: 128 bytes, so stripes never share a cache line (or an adjacent pair). */
  static final int PAD = 16;

  /** Offset, inside a stripe's block, where a collapse keeps the stripe's last value. */
  private static final int PARKED_VALUE = 2;

  final long window;
  final long limit;
  final long origin;

  /** Number of stripes, or 0 when this configuration never stripes. */
  final int stripes;

  /** Split only when at least this many permits of the limit are free. */
  final long splitThreshold;

  volatile long state;

  /**
   * The latest window any caller has computed from its clock reading: that window has certainly
   * begun. Raised (never lowered) before a caller's CAS, so it is at least every current window
   * stored in {@code state} or in a stripe; a caller whose own reading is older (it read the clock,
   * then lost the race) uses it instead, so a stale reading never rolls the windows back. It also
   * saves the 64-bit division on most calls.
   */
  @SuppressWarnings("unused") // accessed through HINT
  private long hint;

  /**
   * Stripe words at {@code (i + 1) * PAD}; a salt for re-hashing at {@code PAD / 2}. Allocated by
   * the first split (an uncontended limiter stays small) and published by writing the expanded
   * marker into {@link #state}.
   */
  long[] cells;

  /** Incremented by every split; lets queries detect a collapse and re-split under them. */
  volatile int epoch;

  WindowCore(long window, long limit, long origin, long state) {
    this(window, limit, origin, state, 0, Long.MAX_VALUE);
  }

  WindowCore(
      long window, long limit, long origin, long state, int stripes, long minPermitsPerStripe) {
    this.window = window;
    this.limit = limit;
    this.origin = origin;
    this.state = state;
    boolean eligible = stripes >= 2 && limit / stripes >= minPermitsPerStripe;
    this.stripes = eligible ? stripes : 0;
    this.splitThreshold = eligible ? stripes * minPermitsPerStripe : Long.MAX_VALUE;
  }

  /** Atomically replaces {@code expected} by {@code update}; returns the witnessed value. */
  long compareAndExchangeState(long expected, long update) {
    return (long) STATE.compareAndExchange(this, expected, update);
  }

  boolean compareAndSetState(long expected, long update) {
    return STATE.compareAndSet(this, expected, update);
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

  /**
   * Carries the latest window seen over from the core this one replaces (same window length), so a
   * reconfiguration does not let a stale reading roll the windows back. Call before publishing.
   */
  WindowCore continuing(WindowCore previous) {
    hint = (long) HINT.getVolatile(previous);
    return this;
  }

  // ---- stripes ----

  /** The permits of the limit stripe {@code i} owns in every window: they add up to the limit. */
  long quota(int i) {
    return limit / stripes + (i < limit % stripes ? 1 : 0);
  }

  /**
   * Splits {@code total} permits (at most {@code limit - splitThreshold}) into the share stripe
   * {@code i} starts with: the shares add up to {@code total}, and each is within its quota by at
   * least {@code splitThreshold / stripes - 1}.
   */
  long share(int i, long total) {
    return total / stripes + (i < total % stripes ? 1 : 0);
  }

  /** Index in {@link #cells} of stripe {@code i}'s word. */
  static int offset(int i) {
    return (i + 1) * PAD;
  }

  /** Allocates the stripes if needed; call only while holding the transition marker. */
  long[] cellsForSplit() {
    long[] c = cells;
    if (c == null) {
      c = new long[(stripes + 1) * PAD];
      cells = c; // published by the volatile write of the expanded marker
    }
    return c;
  }

  /** The stripe of {@code probe}: a hash of the thread id and the current salt. */
  int stripeOf(long[] c, long probe) {
    long salt = (long) CELL.getOpaque(c, PAD / 2);
    long h = (probe + salt) * 0x9E3779B97F4A7C15L;
    return (int) (h >>> 40) & (stripes - 1);
  }

  /** Re-deals threads over stripes (bounded: see {@code TatRateLimiter#rehash}). */
  static void rehash(long[] c) {
    long salt = (long) CELL.getOpaque(c, PAD / 2);
    if (salt < 64) {
      CELL.setOpaque(c, PAD / 2, salt + 1);
    }
  }

  static long getCell(long[] c, int i) {
    return (long) CELL.getVolatile(c, offset(i));
  }

  static void setCell(long[] c, int i, long v) {
    CELL.setVolatile(c, offset(i), v);
  }

  static long compareAndExchangeCell(long[] c, int i, long expected, long update) {
    return (long) CELL.compareAndExchange(c, offset(i), expected, update);
  }

  /**
   * Takes every stripe out of use (each compare-and-set from its old value fails from now on) and
   * keeps its last value for {@link #parkedValue}. Call only while holding the transition marker.
   */
  void parkAll() {
    long[] c = cells;
    for (int i = 0; i < stripes; i++) {
      c[offset(i) + PARKED_VALUE] = (long) CELL.getAndSet(c, offset(i), PARKED);
    }
  }

  /** The value stripe {@code i} held when {@link #parkAll} parked it (same thread only). */
  long parkedValue(int i) {
    return cells[offset(i) + PARKED_VALUE];
  }
}
