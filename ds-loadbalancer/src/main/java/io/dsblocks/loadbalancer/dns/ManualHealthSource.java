package io.dsblocks.loadbalancer.dns;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link HealthSource} backed by flags you set: from an operator switch, a test, or a callback of
 * your own health checker. Checks never set report the default given at construction.
 *
 * <p>Thread-safety: thread-safe; {@link #setHealthy} from any thread is visible to the next query.
 */
public final class ManualHealthSource implements HealthSource {
  private final ConcurrentHashMap<String, Boolean> flags = new ConcurrentHashMap<>();
  private final boolean unknownIsHealthy;

  /** Creates a source in which checks never set are healthy. */
  public ManualHealthSource() {
    this(true);
  }

  /**
   * Creates a source.
   *
   * @param unknownIsHealthy what checks never set report
   */
  public ManualHealthSource(boolean unknownIsHealthy) {
    this.unknownIsHealthy = unknownIsHealthy;
  }

  /**
   * Sets a check's health.
   *
   * @param healthCheckId the check id
   * @param healthy its new state
   * @return this source
   */
  public ManualHealthSource setHealthy(String healthCheckId, boolean healthy) {
    flags.put(Objects.requireNonNull(healthCheckId, "healthCheckId"), healthy);
    return this;
  }

  @Override
  public boolean isHealthy(String healthCheckId) {
    Boolean flag = flags.get(healthCheckId);
    return flag == null ? unknownIsHealthy : flag;
  }
}
