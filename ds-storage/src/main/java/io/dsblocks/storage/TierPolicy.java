package io.dsblocks.storage;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * When objects move between tiers on their own: by the time since they were last read (or written,
 * if never read), measured on the store's injected clock ({@link StorageConfig.Builder#clock}).
 *
 * <p>The age of an object is {@code now - max(last read, creation of its newest version)}; reads
 * are recorded with a resolution of one day (see {@link ObjectStore#moveToTier}), so thresholds are
 * meant to be days or more. An object whose age reaches {@code coldAfter} belongs in {@link
 * Tier#COLD}, one whose age reaches {@code archivalAfter} in {@link Tier#ARCHIVAL}, and a younger
 * one (for example one read again) in {@link Tier#HOT}. Objects pinned with {@link
 * ObjectStore#moveToTier} are left where they were put.
 *
 * <p>Immutable and thread-safe.
 */
public final class TierPolicy {
  private static final TierPolicy NONE = new TierPolicy(null, null);

  private final Duration coldAfter;
  private final Duration archivalAfter;

  private TierPolicy(Duration coldAfter, Duration archivalAfter) {
    this.coldAfter = coldAfter;
    this.archivalAfter = archivalAfter;
  }

  /**
   * Returns the policy that moves nothing by age (the default): objects change tier only through
   * {@link ObjectStore#moveToTier}, and reads are not tracked.
   *
   * @return the empty policy
   */
  public static TierPolicy none() {
    return NONE;
  }

  /**
   * Moves objects to {@link Tier#COLD} after {@code coldAfter} without a read, never to archival.
   *
   * @param coldAfter age at which an object becomes cold, at least one second
   * @return the policy
   * @throws IllegalArgumentException if {@code coldAfter} is below one second
   */
  public static TierPolicy byLastAccess(Duration coldAfter) {
    check("coldAfter", coldAfter);
    return new TierPolicy(coldAfter, null);
  }

  /**
   * Moves objects to {@link Tier#COLD} after {@code coldAfter} without a read and to {@link
   * Tier#ARCHIVAL} after {@code archivalAfter}.
   *
   * @param coldAfter age at which an object becomes cold, at least one second
   * @param archivalAfter age at which it becomes archival, greater than {@code coldAfter}
   * @return the policy
   * @throws IllegalArgumentException if a duration is below one second or {@code archivalAfter} is
   *     not greater than {@code coldAfter}
   */
  public static TierPolicy byLastAccess(Duration coldAfter, Duration archivalAfter) {
    check("coldAfter", coldAfter);
    check("archivalAfter", archivalAfter);
    if (archivalAfter.compareTo(coldAfter) <= 0) {
      throw new IllegalArgumentException(
          "archivalAfter must be greater than coldAfter ("
              + coldAfter
              + ") but was "
              + archivalAfter);
    }
    return new TierPolicy(coldAfter, archivalAfter);
  }

  private static void check(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException(name + " must be at least PT1S but was " + d);
    }
  }

  /**
   * Returns whether this policy moves objects by age (and therefore tracks reads).
   *
   * @return false for {@link #none()}
   */
  public boolean enabled() {
    return coldAfter != null;
  }

  /**
   * Returns the age at which objects become cold.
   *
   * @return the threshold, empty for {@link #none()}
   */
  public Optional<Duration> coldAfter() {
    return Optional.ofNullable(coldAfter);
  }

  /**
   * Returns the age at which objects become archival.
   *
   * @return the threshold, empty if objects never become archival by age
   */
  public Optional<Duration> archivalAfter() {
    return Optional.ofNullable(archivalAfter);
  }

  /**
   * Returns the tier an object of a given age belongs in.
   *
   * @param age time since the object was last read or written
   * @return {@link Tier#HOT} when the policy is {@link #none()}
   */
  public Tier tierForAge(Duration age) {
    Objects.requireNonNull(age, "age");
    if (archivalAfter != null && age.compareTo(archivalAfter) >= 0) {
      return Tier.ARCHIVAL;
    }
    if (coldAfter != null && age.compareTo(coldAfter) >= 0) {
      return Tier.COLD;
    }
    return Tier.HOT;
  }

  @Override
  public String toString() {
    return coldAfter == null
        ? "TierPolicy[none]"
        : "TierPolicy[coldAfter=" + coldAfter + ", archivalAfter=" + archivalAfter + "]";
  }
}
