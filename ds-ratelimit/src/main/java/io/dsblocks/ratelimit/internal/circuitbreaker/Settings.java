package io.dsblocks.ratelimit.internal.circuitbreaker;

import io.dsblocks.ratelimit.circuitbreaker.CircuitBreakerConfig;
import io.dsblocks.ratelimit.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import java.util.function.Predicate;

/** A configuration flattened into final fields so the hot path does no conversions. */
final class Settings {
  final CircuitBreakerConfig config;
  final SlidingWindowType windowType;
  final int windowSize;
  final int minCalls;
  final double failureRateThreshold;
  final double slowCallRateThreshold;

  /** {@code Long.MAX_VALUE} when slow-call detection is off: no real duration reaches it. */
  final long slowCallNanos;

  /** Whether outcomes must come with call durations; read by decorators on every call. */
  final boolean needsDurations;

  final int halfOpenCalls;
  final Predicate<Throwable> recordException;
  final Predicate<Throwable> ignoreException;

  Settings(CircuitBreakerConfig c) {
    this.config = c;
    this.windowType = c.slidingWindowType();
    this.windowSize = c.slidingWindowSize();
    // A count window can never hold more than its size, so a larger minimum would never trip.
    this.minCalls =
        windowType == SlidingWindowType.COUNT_BASED
            ? Math.min(c.minimumNumberOfCalls(), windowSize)
            : c.minimumNumberOfCalls();
    this.failureRateThreshold = c.failureRateThreshold();
    this.slowCallRateThreshold = c.slowCallRateThreshold();
    this.slowCallNanos =
        c.slowCallDetection() ? c.slowCallDurationThreshold().toNanos() : Long.MAX_VALUE;
    // Durations only ever feed the slow-call rule: the time-based window reads the ticker itself
    // to pick its bucket, so it does not need them either.
    this.needsDurations = c.slowCallDetection();
    this.halfOpenCalls = c.permittedCallsInHalfOpenState();
    this.recordException = c.recordException();
    this.ignoreException = c.ignoreException();
  }
}
