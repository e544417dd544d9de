package io.dsblocks.ratelimit.internal.circuitbreaker;

import static io.dsblocks.ratelimit.circuitbreaker.CircuitBreakerState.CLOSED;
import static io.dsblocks.ratelimit.circuitbreaker.CircuitBreakerState.DISABLED;
import static io.dsblocks.ratelimit.circuitbreaker.CircuitBreakerState.FORCED_OPEN;
import static io.dsblocks.ratelimit.circuitbreaker.CircuitBreakerState.HALF_OPEN;
import static io.dsblocks.ratelimit.circuitbreaker.CircuitBreakerState.METRICS_ONLY;
import static io.dsblocks.ratelimit.circuitbreaker.CircuitBreakerState.OPEN;

import io.dsblocks.ratelimit.Ticker;
import io.dsblocks.ratelimit.circuitbreaker.CallNotPermittedException;
import io.dsblocks.ratelimit.circuitbreaker.CircuitBreaker;
import io.dsblocks.ratelimit.circuitbreaker.CircuitBreakerConfig;
import io.dsblocks.ratelimit.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.dsblocks.ratelimit.circuitbreaker.CircuitBreakerListener;
import io.dsblocks.ratelimit.circuitbreaker.CircuitBreakerState;
import io.dsblocks.ratelimit.circuitbreaker.CircuitBreakerStats;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * The circuit breaker. The whole state (kind, settings, window, open deadline, trial counters) is
 * one {@link State} object swapped by compare-and-set, so every transition is a single atomic step,
 * and the closed-state hot path is two volatile reads for a permission and one volatile read (a
 * healthy window) or one CAS for a recorded outcome. Thread-safe and lock-free.
 */
public final class DefaultCircuitBreaker implements CircuitBreaker {
  private static final CircuitBreakerListener[] NO_LISTENERS = {};
  private static final VarHandle STATE;

  static {
    try {
      STATE =
          MethodHandles.lookup().findVarHandle(DefaultCircuitBreaker.class, "state", State.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final String name;
  private final Ticker ticker;
  private final LongAdder notPermitted = new LongAdder();

  @SuppressWarnings("unused") // accessed through STATE
  private volatile State state;

  private volatile Settings settings;
  private volatile CircuitBreakerListener[] listeners = NO_LISTENERS;

  /**
   * Creates a closed breaker.
   *
   * @param name the name
   * @param config the configuration
   * @param ticker the time source
   */
  public DefaultCircuitBreaker(String name, CircuitBreakerConfig config, Ticker ticker) {
    this.name = name;
    this.ticker = ticker;
    Settings s = new Settings(config);
    this.settings = s;
    this.state = closed(s, CLOSED);
  }

  /**
   * One state of the machine. Immutable apart from the closed window's own atomics: a half-open
   * trial permit or result is a compare-and-set to a new state object (half-open is rare and short,
   * so that allocation is irrelevant), which makes every admission decision linearizable.
   */
  static final class State {
    final CircuitBreakerState kind;
    final Settings settings;
    final SlidingWindow window; // CLOSED and METRICS_ONLY
    final long openedAt; // OPEN
    final long openWaitNanos; // OPEN
    final int reopenings; // OPEN and HALF_OPEN: consecutive failed trials, drives the backoff
    final int trialCalls; // HALF_OPEN: trial calls of this half-open period
    final int permitsLeft; // HALF_OPEN
    final int completed; // HALF_OPEN
    final int failed; // HALF_OPEN
    final int slow; // HALF_OPEN

    State(
        CircuitBreakerState kind,
        Settings settings,
        SlidingWindow window,
        long openedAt,
        long openWaitNanos,
        int reopenings,
        int trialCalls,
        int permitsLeft,
        int completed,
        int failed,
        int slow) {
      this.kind = kind;
      this.settings = settings;
      this.window = window;
      this.openedAt = openedAt;
      this.openWaitNanos = openWaitNanos;
      this.reopenings = reopenings;
      this.trialCalls = trialCalls;
      this.permitsLeft = permitsLeft;
      this.completed = completed;
      this.failed = failed;
      this.slow = slow;
    }

    State withSettings(Settings st, SlidingWindow w) {
      return new State(
          kind,
          st,
          w,
          openedAt,
          openWaitNanos,
          reopenings,
          trialCalls,
          permitsLeft,
          completed,
          failed,
          slow);
    }

    State withTrial(int permits, int done, int failures, int slowCalls) {
      return new State(
          kind, settings, null, 0, 0, reopenings, trialCalls, permits, done, failures, slowCalls);
    }
  }

  private SlidingWindow newWindow(Settings s) {
    return s.windowType == SlidingWindowType.COUNT_BASED
        ? new CountWindow(s.windowSize)
        : new TimeWindow(s.windowSize, ticker);
  }

  private State closed(Settings s, CircuitBreakerState kind) {
    return new State(kind, s, newWindow(s), 0, 0, 0, 0, 0, 0, 0, 0);
  }

  private State open(Settings s, int reopenings) {
    return new State(
        OPEN,
        s,
        null,
        ticker.read(),
        s.config.openWaitNanos(reopenings),
        reopenings,
        0,
        0,
        0,
        0,
        0);
  }

  private static State halfOpen(Settings s, int reopenings) {
    return new State(
        HALF_OPEN, s, null, 0, 0, reopenings, s.halfOpenCalls, s.halfOpenCalls, 0, 0, 0);
  }

  private static State plain(Settings s, CircuitBreakerState kind) {
    return new State(kind, s, null, 0, 0, 0, 0, 0, 0, 0, 0);
  }

  private State current() {
    return (State) STATE.getVolatile(this);
  }

  /**
   * Returns the current state, first completing a trip in progress: a closed state whose window is
   * sealed is logically open, so whoever sees it helps replace it.
   */
  private State settle() {
    State s = current();
    while (s.kind == CLOSED && s.window.isSealed()) {
      transition(s, open(settings, 0));
      s = current();
    }
    return s;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Ticker ticker() {
    return ticker;
  }

  @Override
  public boolean recordsCallDurations() {
    return settings.needsDurations;
  }

  @Override
  public boolean tryAcquirePermission() {
    State s = current();
    if (s.kind == CLOSED && !s.window.isSealed()) {
      return true;
    }
    return acquireSlow();
  }

  private boolean acquireSlow() {
    for (; ; ) {
      State s = settle();
      switch (s.kind) {
        case OPEN:
          if (ticker.read() - s.openedAt >= s.openWaitNanos) {
            transition(s, halfOpen(settings, s.reopenings));
            continue; // acquire in whatever state won
          }
          return refuse(s);
        case HALF_OPEN:
          if (s.permitsLeft <= 0) {
            return refuse(s);
          }
          if (STATE.compareAndSet(
              this, s, s.withTrial(s.permitsLeft - 1, s.completed, s.failed, s.slow))) {
            return true;
          }
          continue;
        case FORCED_OPEN:
          return refuse(s);
        default: // CLOSED, DISABLED, METRICS_ONLY
          return true;
      }
    }
  }

  private boolean refuse(State s) {
    notPermitted.increment();
    CircuitBreakerListener[] ls = listeners;
    if (ls.length != 0) {
      for (CircuitBreakerListener l : ls) {
        try {
          l.onCallNotPermitted(name, s.kind);
        } catch (RuntimeException ignored) {
          // a listener must not break the protected call
        }
      }
    }
    return false;
  }

  @Override
  public void acquirePermission() {
    if (!tryAcquirePermission()) {
      throw new CallNotPermittedException(name, settle().kind);
    }
  }

  @Override
  public void releasePermission() {
    for (; ; ) {
      State s = current();
      if (s.kind != HALF_OPEN || s.permitsLeft + s.completed >= s.trialCalls) {
        return; // nothing to give back
      }
      if (STATE.compareAndSet(
          this, s, s.withTrial(s.permitsLeft + 1, s.completed, s.failed, s.slow))) {
        return;
      }
    }
  }

  @Override
  public void onSuccess(long durationNanos) {
    State s = current();
    boolean slow = durationNanos >= s.settings.slowCallNanos;
    record(s, slow ? SlidingWindow.SLOW_SUCCESS : SlidingWindow.SUCCESS);
    CircuitBreakerListener[] ls = listeners;
    if (ls.length != 0) {
      fireSuccess(ls, durationNanos, slow);
    }
  }

  @Override
  public void onError(long durationNanos, Throwable error) {
    Objects.requireNonNull(error, "error must not be null");
    State s = current();
    Settings st = s.settings;
    if (st.ignoreException.test(error)) {
      releasePermission();
      CircuitBreakerListener[] ls = listeners;
      for (CircuitBreakerListener l : ls) {
        try {
          l.onIgnoredError(name, durationNanos, error);
        } catch (RuntimeException ignored) {
          // a listener must not break the protected call
        }
      }
      return;
    }
    if (!st.recordException.test(error)) {
      onSuccess(durationNanos);
      return;
    }
    boolean slow = durationNanos >= st.slowCallNanos;
    record(s, slow ? SlidingWindow.SLOW_FAILURE : SlidingWindow.FAILURE);
    CircuitBreakerListener[] ls = listeners;
    for (CircuitBreakerListener l : ls) {
      try {
        l.onError(name, durationNanos, error);
      } catch (RuntimeException ignored) {
        // a listener must not break the protected call
      }
    }
  }

  private void fireSuccess(CircuitBreakerListener[] ls, long durationNanos, boolean slow) {
    for (CircuitBreakerListener l : ls) {
      try {
        l.onSuccess(name, durationNanos, slow);
      } catch (RuntimeException ignored) {
        // a listener must not break the protected call
      }
    }
  }

  private void record(State s, int outcome) {
    for (; ; ) {
      CircuitBreakerState kind = s.kind;
      if (kind == CLOSED) {
        if (s.window.record(outcome, s.settings, true)) {
          settle(); // this call tripped the window: open the breaker now
        }
        return;
      } else if (kind == METRICS_ONLY) {
        s.window.record(outcome, s.settings, false); // shadow mode: measured, never acted upon
        return;
      } else if (kind == HALF_OPEN) {
        if (recordTrial(s, outcome)) {
          return;
        }
        s = current(); // lost a race: record against whatever state is current now
      } else {
        return; // OPEN, FORCED_OPEN, DISABLED: nothing to record
      }
    }
  }

  private boolean recordTrial(State s, int outcome) {
    int done = s.completed + 1;
    int failures = s.failed + (SlidingWindow.failed(outcome) ? 1 : 0);
    int slowCalls = s.slow + (SlidingWindow.slow(outcome) ? 1 : 0);
    State next;
    if (done < s.trialCalls) {
      next = s.withTrial(s.permitsLeft, done, failures, slowCalls);
    } else {
      Settings st = settings;
      next =
          SlidingWindow.exceeds(done, failures, slowCalls, 1, s.settings)
              ? open(st, s.reopenings + 1)
              : closed(st, CLOSED);
    }
    return transition(s, next);
  }

  /** Atomically replaces {@code from}; fires the transition event if this thread won. */
  private boolean transition(State from, State to) {
    if (!STATE.compareAndSet(this, from, to)) {
      return false;
    }
    if (from.kind != to.kind) {
      CircuitBreakerListener[] ls = listeners;
      for (CircuitBreakerListener l : ls) {
        try {
          l.onStateTransition(name, from.kind, to.kind);
        } catch (RuntimeException ignored) {
          // a listener must not break the protected call
        }
      }
    }
    return true;
  }

  private void forceTransition(CircuitBreakerState kind) {
    for (; ; ) {
      State s = settle();
      Settings st = settings;
      State next;
      switch (kind) {
        case CLOSED:
        case METRICS_ONLY:
          next = closed(st, kind);
          break;
        case OPEN:
          next = open(st, 0);
          break;
        case HALF_OPEN:
          next = halfOpen(st, s.reopenings);
          break;
        default:
          next = plain(st, kind);
      }
      if (transition(s, next)) {
        return;
      }
    }
  }

  @Override
  public CircuitBreakerState state() {
    return settle().kind;
  }

  @Override
  public void transitionToClosed() {
    forceTransition(CLOSED);
  }

  @Override
  public void transitionToOpen() {
    forceTransition(OPEN);
  }

  @Override
  public void transitionToHalfOpen() {
    forceTransition(HALF_OPEN);
  }

  @Override
  public void transitionToForcedOpen() {
    forceTransition(FORCED_OPEN);
  }

  @Override
  public void transitionToDisabled() {
    forceTransition(DISABLED);
  }

  @Override
  public void transitionToMetricsOnly() {
    forceTransition(METRICS_ONLY);
  }

  @Override
  public CircuitBreakerConfig config() {
    return settings.config;
  }

  @Override
  public void reconfigure(CircuitBreakerConfig newConfig) {
    Objects.requireNonNull(newConfig, "newConfig must not be null");
    Settings st = new Settings(newConfig);
    // Publish the settings first: any state built after this point (by a transition racing with
    // us) uses them, and any state built before is replaced by the loop below.
    this.settings = st;
    for (; ; ) {
      State s = current();
      if (s.settings == st) {
        return;
      }
      SlidingWindow window = s.window;
      if (window != null && !window.sameShape(st)) {
        window = newWindow(st);
      }
      if (transition(s, s.withSettings(st, window))) {
        return;
      }
    }
  }

  @Override
  public synchronized void addListener(CircuitBreakerListener listener) {
    Objects.requireNonNull(listener, "listener must not be null");
    CircuitBreakerListener[] ls = listeners;
    CircuitBreakerListener[] next = Arrays.copyOf(ls, ls.length + 1);
    next[ls.length] = listener;
    listeners = next;
  }

  @Override
  public synchronized void removeListener(CircuitBreakerListener listener) {
    CircuitBreakerListener[] ls = listeners;
    for (int i = 0; i < ls.length; i++) {
      if (ls[i] == listener) {
        CircuitBreakerListener[] next = new CircuitBreakerListener[ls.length - 1];
        System.arraycopy(ls, 0, next, 0, i);
        System.arraycopy(ls, i + 1, next, i, ls.length - i - 1);
        listeners = next;
        return;
      }
    }
  }

  @Override
  public CircuitBreakerStats stats() {
    State s = settle();
    long calls = 0;
    long failed = 0;
    long slow = 0;
    int min = s.settings.minCalls;
    if (s.window != null) {
      long[] w = s.window.snapshot();
      calls = w[0];
      failed = w[1];
      slow = w[2];
    } else if (s.kind == HALF_OPEN) {
      calls = s.completed;
      failed = s.failed;
      slow = s.slow;
      min = s.trialCalls;
    }
    boolean rated = calls > 0 && calls >= min;
    return new CircuitBreakerStats(
        s.kind,
        calls,
        failed,
        slow,
        rated ? (float) (failed * 100.0 / calls) : -1f,
        rated ? (float) (slow * 100.0 / calls) : -1f,
        notPermitted.sum());
  }

  @Override
  public String toString() {
    return "CircuitBreaker{" + name + ", " + current().kind + '}';
  }
}
