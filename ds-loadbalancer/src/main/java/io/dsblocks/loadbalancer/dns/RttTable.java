package io.dsblocks.loadbalancer.dns;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link LatencySource} fed by measurements: each {@link #record} folds one RTT sample into an
 * exponentially weighted moving average per (client region, target region) pair, so a single slow
 * probe nudges the estimate instead of flipping routing.
 *
 * <p>The first sample of a pair is taken as is; after that {@code estimate += alpha * (sample -
 * estimate)}. With the default {@code alpha = 0.3} an estimate moves two thirds of the way to a new
 * steady level within three samples.
 *
 * <p>Thread-safety: thread-safe. Lookups take no lock (nested {@link ConcurrentHashMap}s);
 * concurrent updates of one pair are serialised by the map's per-bin locking, so no sample is lost.
 */
public final class RttTable implements LatencySource {
  private final double alpha;
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Long>> rows =
      new ConcurrentHashMap<>();

  /** Creates an empty table with smoothing factor 0.3. */
  public RttTable() {
    this(0.3);
  }

  /**
   * Creates an empty table.
   *
   * @param alpha the EWMA smoothing factor in (0, 1]; 1 keeps only the latest sample
   * @throws IllegalArgumentException if alpha is outside (0, 1]
   */
  public RttTable(double alpha) {
    if (!(alpha > 0 && alpha <= 1)) {
      throw new IllegalArgumentException("alpha must be in (0, 1], got " + alpha);
    }
    this.alpha = alpha;
  }

  /**
   * Folds one RTT measurement into the estimate for a pair of regions.
   *
   * @param clientRegion where the measurement was taken from, or {@link #ANY_REGION} for the
   *     fallback row
   * @param targetRegion the region measured
   * @param rtt the measured round-trip time
   * @return this table
   * @throws IllegalArgumentException if a region is blank or the RTT is negative
   */
  public RttTable record(String clientRegion, String targetRegion, Duration rtt) {
    Objects.requireNonNull(rtt, "rtt");
    if (rtt.isNegative()) {
      throw new IllegalArgumentException("rtt must not be negative, got " + rtt);
    }
    long sample = rtt.toNanos();
    rows.computeIfAbsent(
            requireRegion(clientRegion, "clientRegion"), k -> new ConcurrentHashMap<>())
        .merge(
            requireRegion(targetRegion, "targetRegion"),
            sample,
            (old, s) -> old + Math.round(alpha * (s - old)));
    return this;
  }

  /**
   * Replaces the estimate for a pair of regions (e.g. loaded from a static latency map).
   *
   * @param clientRegion the client region or {@link #ANY_REGION}
   * @param targetRegion the target region
   * @param rtt the round-trip time
   * @return this table
   */
  public RttTable set(String clientRegion, String targetRegion, Duration rtt) {
    Objects.requireNonNull(rtt, "rtt");
    if (rtt.isNegative()) {
      throw new IllegalArgumentException("rtt must not be negative, got " + rtt);
    }
    rows.computeIfAbsent(
            requireRegion(clientRegion, "clientRegion"), k -> new ConcurrentHashMap<>())
        .put(requireRegion(targetRegion, "targetRegion"), rtt.toNanos());
    return this;
  }

  /**
   * Forgets every measurement of a target region (e.g. when it is decommissioned).
   *
   * @param targetRegion the region
   */
  public void forget(String targetRegion) {
    for (ConcurrentHashMap<String, Long> row : rows.values()) {
      row.remove(targetRegion);
    }
  }

  @Override
  public long rttNanos(String clientRegion, String targetRegion) {
    ConcurrentHashMap<String, Long> row = rows.get(clientRegion);
    if (row == null) {
      return -1;
    }
    Long rtt = row.get(targetRegion);
    return rtt == null ? -1 : rtt;
  }

  /**
   * A snapshot of every estimate, for logging and tests.
   *
   * @return client region to (target region to RTT in nanoseconds), sorted by name
   */
  public Map<String, Map<String, Long>> snapshot() {
    Map<String, Map<String, Long>> copy = new TreeMap<>();
    rows.forEach((client, row) -> copy.put(client, new TreeMap<>(row)));
    return copy;
  }

  private static String requireRegion(String region, String field) {
    if (region == null) {
      throw new NullPointerException(field + " must not be null");
    }
    if (region.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank");
    }
    return region.strip();
  }
}
