package io.dsblocks.storage;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Which snapshots to keep, in the style of restic's {@code forget} and borg's {@code prune}: the
 * last N, plus the newest snapshot of each of the last N days, ISO weeks and months that have one
 * (calendar periods in UTC, by creation time). A snapshot is kept if any rule keeps it; everything
 * else is deleted by {@link Snapshots#applyRetention(RetentionPolicy, boolean)}.
 *
 * <p>Immutable and thread-safe.
 */
public final class RetentionPolicy {
  private final int keepLast;
  private final int keepDaily;
  private final int keepWeekly;
  private final int keepMonthly;

  private RetentionPolicy(Builder b) {
    this.keepLast = b.keepLast;
    this.keepDaily = b.keepDaily;
    this.keepWeekly = b.keepWeekly;
    this.keepMonthly = b.keepMonthly;
  }

  /**
   * Returns a builder keeping nothing until rules are added.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the ids of the snapshots this policy keeps.
   *
   * @param snapshots all snapshots, any order
   * @return ids to keep
   */
  public Set<Long> keep(List<Snapshot> snapshots) {
    List<Snapshot> newestFirst = new ArrayList<>(snapshots);
    newestFirst.sort(
        Comparator.comparing(Snapshot::created).thenComparingLong(Snapshot::id).reversed());
    Set<Long> kept = new HashSet<>();
    for (int i = 0; i < Math.min(keepLast, newestFirst.size()); i++) {
      kept.add(newestFirst.get(i).id());
    }
    keepPerPeriod(newestFirst, keepDaily, LocalDate::toString, kept);
    keepPerPeriod(
        newestFirst,
        keepWeekly,
        d -> d.get(IsoFields.WEEK_BASED_YEAR) + "-W" + d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR),
        kept);
    keepPerPeriod(newestFirst, keepMonthly, d -> d.getYear() + "-" + d.getMonthValue(), kept);
    return kept;
  }

  /** Keeps the newest snapshot of each of the newest {@code n} periods that have one. */
  private static void keepPerPeriod(
      List<Snapshot> newestFirst, int n, Function<LocalDate, String> period, Set<Long> kept) {
    Set<String> seen = new LinkedHashSet<>();
    for (Snapshot s : newestFirst) {
      if (seen.size() == n) {
        return;
      }
      if (seen.add(period.apply(LocalDate.ofInstant(s.created(), ZoneOffset.UTC)))) {
        kept.add(s.id());
      }
    }
  }

  @Override
  public String toString() {
    return "RetentionPolicy[last="
        + keepLast
        + ", daily="
        + keepDaily
        + ", weekly="
        + keepWeekly
        + ", monthly="
        + keepMonthly
        + "]";
  }

  /** Builds a {@link RetentionPolicy}. Not thread-safe. */
  public static final class Builder {
    private int keepLast;
    private int keepDaily;
    private int keepWeekly;
    private int keepMonthly;

    private Builder() {}

    /**
     * Keeps the newest {@code n} snapshots.
     *
     * @param n at least 0
     * @return this builder
     */
    public Builder keepLast(int n) {
      this.keepLast = n;
      return this;
    }

    /**
     * Keeps the newest snapshot of each of the last {@code n} days that have one.
     *
     * @param n at least 0
     * @return this builder
     */
    public Builder keepDaily(int n) {
      this.keepDaily = n;
      return this;
    }

    /**
     * Keeps the newest snapshot of each of the last {@code n} ISO weeks that have one.
     *
     * @param n at least 0
     * @return this builder
     */
    public Builder keepWeekly(int n) {
      this.keepWeekly = n;
      return this;
    }

    /**
     * Keeps the newest snapshot of each of the last {@code n} months that have one.
     *
     * @param n at least 0
     * @return this builder
     */
    public Builder keepMonthly(int n) {
      this.keepMonthly = n;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @return the policy
     * @throws IllegalArgumentException if a count is negative or every count is 0 (a policy that
     *     would delete every snapshot is almost certainly a mistake)
     */
    public RetentionPolicy build() {
      check("keepLast", keepLast);
      check("keepDaily", keepDaily);
      check("keepWeekly", keepWeekly);
      check("keepMonthly", keepMonthly);
      if (keepLast + keepDaily + keepWeekly + keepMonthly == 0) {
        throw new IllegalArgumentException(
            "at least one of keepLast, keepDaily, keepWeekly, keepMonthly must be >= 1 but all were"
                + " 0 (the policy would delete every snapshot)");
      }
      return new RetentionPolicy(this);
    }

    private static void check(String field, int n) {
      if (n < 0) {
        throw new IllegalArgumentException(field + " must be >= 0 but was " + n);
      }
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RetentionPolicy p
        && p.keepLast == keepLast
        && p.keepDaily == keepDaily
        && p.keepWeekly == keepWeekly
        && p.keepMonthly == keepMonthly;
  }

  @Override
  public int hashCode() {
    return Objects.hash(keepLast, keepDaily, keepWeekly, keepMonthly);
  }
}
