package io.dsblocks.ratelimit.circuitbreaker;

import io.dsblocks.ratelimit.Decorators;
import io.dsblocks.ratelimit.Ticker;
import io.dsblocks.ratelimit.internal.circuitbreaker.DefaultCircuitBreaker;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Stops calling a failing or slow dependency for a while, then probes it with a few trial calls.
 *
 * <p><b>State machine.</b> While {@link CircuitBreakerState#CLOSED} every call is permitted and its
 * outcome (success, failure, slow) is recorded in a sliding window (count- or time-based, see
 * {@link CircuitBreakerConfig}). Once the window holds at least {@code minimumNumberOfCalls} calls
 * and the failure rate or slow-call rate reaches its threshold, the breaker opens. While {@link
 * CircuitBreakerState#OPEN} calls are refused; after the open wait (optionally growing
 * exponentially with each failed trial) the next permission request moves it to {@link
 * CircuitBreakerState#HALF_OPEN}, where exactly {@code permittedCallsInHalfOpenState} trial calls
 * are admitted, even under concurrency. When all trial results are in, the breaker closes (with a
 * fresh window) if both rates are below their thresholds, and re-opens otherwise. There are no
 * background threads: time only advances when the breaker is used, read from its {@link Ticker}.
 *
 * <p><b>Low-level use</b> (for frameworks): call {@link #tryAcquirePermission()} (or {@link
 * #acquirePermission()}), run the call, then report exactly one of {@link #onSuccess(long)}, {@link
 * #onError(long, Throwable)} or {@link #releasePermission()}. Every permitted call must be
 * reported, or a half-open breaker waits for the missing trial result forever. Results reported
 * after a state change are attributed to the current state. <b>High-level use:</b> {@link
 * #decorateSupplier(Supplier)} or {@link Decorators}.
 *
 * <p><b>Thread-safety.</b> Implementations are thread-safe. In the closed state {@code
 * tryAcquirePermission} and {@code onSuccess}/{@code onError} are lock-free and allocate nothing;
 * state transitions are single compare-and-set operations.
 */
public interface CircuitBreaker {

  /**
   * Creates a breaker that reads time from {@link Ticker#system()}.
   *
   * @param name the breaker's name, used in exceptions and events
   * @param config the configuration
   * @return a new breaker in the closed state
   */
  static CircuitBreaker of(String name, CircuitBreakerConfig config) {
    return of(name, config, Ticker.system());
  }

  /**
   * Creates a breaker reading time from {@code ticker} (tests inject a manual ticker).
   *
   * @param name the breaker's name, used in exceptions and events
   * @param config the configuration
   * @param ticker the time source for open waits, time-based windows and decorated call timing
   * @return a new breaker in the closed state
   */
  static CircuitBreaker of(String name, CircuitBreakerConfig config, Ticker ticker) {
    Objects.requireNonNull(name, "name must not be null");
    Objects.requireNonNull(config, "config must not be null");
    Objects.requireNonNull(ticker, "ticker must not be null");
    return new DefaultCircuitBreaker(name, config, ticker);
  }

  /**
   * Creates a breaker with the {@link CircuitBreakerConfig#ofDefaults() default configuration}.
   *
   * @param name the breaker's name
   * @return a new breaker in the closed state
   */
  static CircuitBreaker ofDefaults(String name) {
    return of(name, CircuitBreakerConfig.ofDefaults());
  }

  /**
   * Returns the breaker's name.
   *
   * @return the name
   */
  String name();

  /**
   * Returns the time source used by this breaker.
   *
   * @return the ticker
   */
  Ticker ticker();

  /**
   * Returns whether this breaker uses call durations, i.e. whether its configuration has {@link
   * CircuitBreakerConfig#slowCallDetection() slow-call detection} on. When {@code false}, a caller
   * may skip timing calls and report a duration of {@code 0}: {@link
   * io.dsblocks.ratelimit.Decorators} do exactly that, saving two ticker reads per call (listeners
   * then also see {@code 0}). It reflects the configuration in force, so it follows {@link
   * #reconfigure}; a call that straddles a reconfiguration is reported as it was measured (an
   * untimed call is then never slow).
   *
   * <p>This is one volatile read. The default implementation returns {@code true}, which is always
   * safe.
   *
   * @return {@code false} if reported call durations are ignored
   */
  default boolean recordsCallDurations() {
    return true;
  }

  /**
   * Asks to make one call. In the closed state this is two volatile reads and no write.
   *
   * @return whether the call may proceed; if {@code true} its outcome must be reported
   */
  boolean tryAcquirePermission();

  /**
   * Like {@link #tryAcquirePermission()} but throws when refused.
   *
   * @throws CallNotPermittedException if the breaker refuses the call
   */
  void acquirePermission();

  /**
   * Gives back a permission without recording an outcome (for example the call was cancelled before
   * it started). While half-open this lets another trial call in.
   */
  void releasePermission();

  /**
   * Records a successful call.
   *
   * @param durationNanos the call's duration in nanoseconds, compared with the slow-call threshold
   */
  void onSuccess(long durationNanos);

  /**
   * Records a failed call; the configured predicates classify {@code error} as failure, success or
   * ignored.
   *
   * @param durationNanos the call's duration in nanoseconds
   * @param error the exception the call threw, not null
   * @throws NullPointerException if {@code error} is null
   */
  void onError(long durationNanos, Throwable error);

  /**
   * Returns the current state. A breaker whose open wait has elapsed still reports {@link
   * CircuitBreakerState#OPEN} until the next permission request moves it to half-open.
   *
   * @return the state
   */
  CircuitBreakerState state();

  /** Closes the breaker with a fresh window (an operator reset). */
  void transitionToClosed();

  /** Opens the breaker now, starting a regular open wait. */
  void transitionToOpen();

  /** Moves the breaker to half-open now, admitting a fresh set of trial calls. */
  void transitionToHalfOpen();

  /** Refuses every call until another state is chosen explicitly. */
  void transitionToForcedOpen();

  /** Permits every call and records nothing until another state is chosen explicitly. */
  void transitionToDisabled();

  /** Permits every call and keeps recording, but never opens (shadow mode). */
  void transitionToMetricsOnly();

  /**
   * Returns the configuration in force.
   *
   * @return the configuration
   */
  CircuitBreakerConfig config();

  /**
   * Replaces the configuration at runtime. Rule: thresholds, the minimum number of calls, the
   * slow-call duration and the predicates apply to the next recorded call; the current state is
   * kept; an open wait already running keeps its deadline (the new wait applies to the next
   * opening); a half-open period keeps its trial count (the new count applies to the next one); the
   * window's contents are kept if its type and size are unchanged, otherwise the window starts
   * empty.
   *
   * @param newConfig the new configuration
   */
  void reconfigure(CircuitBreakerConfig newConfig);

  /**
   * Registers a listener. Costs nothing on the hot path while no listener is registered.
   *
   * @param listener the listener, not null
   */
  void addListener(CircuitBreakerListener listener);

  /**
   * Removes a listener registered with {@link #addListener}; does nothing if it is not registered.
   *
   * @param listener the listener
   */
  void removeListener(CircuitBreakerListener listener);

  /**
   * Returns a snapshot of the window and counters.
   *
   * @return the snapshot
   */
  CircuitBreakerStats stats();

  /**
   * Returns a supplier that runs {@code supplier} through this breaker: it throws {@link
   * CallNotPermittedException} when refused, and otherwise times the call with this breaker's
   * ticker (unless the breaker does not {@link #recordsCallDurations() record call durations}) and
   * records its outcome. Same as {@code
   * Decorators.ofSupplier(supplier).withCircuitBreaker(this).decorate()}.
   *
   * @param supplier the call to protect
   * @param <T> the result type
   * @return the protected supplier
   */
  default <T> Supplier<T> decorateSupplier(Supplier<T> supplier) {
    return Decorators.ofSupplier(supplier).withCircuitBreaker(this).decorate();
  }
}
