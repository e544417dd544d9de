package io.dsblocks.loadbalancer.health;

/** Why passive outlier detection ejected an endpoint. Immutable and thread-safe (an enum). */
public enum EjectionReason {
  /** {@link OutlierDetection#consecutiveFailures()} failures in a row (local errors or 5xx). */
  CONSECUTIVE_FAILURES,
  /** {@link OutlierDetection#consecutive5xx()} HTTP 5xx responses in a row. */
  CONSECUTIVE_5XX,
  /** Success rate below the mean of its peers by more than the configured standard deviations. */
  SUCCESS_RATE
}
