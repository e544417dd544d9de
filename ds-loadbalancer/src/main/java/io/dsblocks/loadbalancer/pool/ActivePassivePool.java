package io.dsblocks.loadbalancer.pool;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.LoadBalancerListener;
import io.dsblocks.loadbalancer.Picker;
import io.dsblocks.loadbalancer.RequestContext;
import io.dsblocks.loadbalancer.Selection;
import io.dsblocks.loadbalancer.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Active-passive: all requests go to the primary group until its {@linkplain Picker#healthyShare()
 * healthy share} drops below {@code failoverBelow} (and the standby is healthier); then all go to
 * the standby. Fail-back has hysteresis: the primary must reach {@code failbackAtOrAbove} (at least
 * {@code failoverBelow}) and stay there for {@code failbackDelay} before traffic returns, so a
 * flapping primary does not pull traffic back and forth.
 *
 * <p>The state machine advances lazily inside {@code pick}: a volatile read of the primary's share
 * per pick while on the primary; a ticker read per pick only while on the standby with the primary
 * recovered and the delay running. Transitions are compare-and-set, so each one is reported exactly
 * once ({@link LoadBalancerListener#onFailover}). If the serving group has no endpoint at all, the
 * other group is tried for that request.
 *
 * <p>Thread-safety: thread-safe; {@code pick} is lock-free.
 *
 * @param <E> endpoint type
 */
public final class ActivePassivePool<E extends Endpoint> implements Picker<E> {
  private static final long NOT_RECOVERING = Long.MIN_VALUE;

  private final String name;
  private final String primaryName;
  private final String standbyName;
  private final Picker<E> primary;
  private final Picker<E> standby;
  private final double failoverBelow;
  private final double failbackAtOrAbove;
  private final long failbackDelayNanos;
  private final Ticker ticker;
  private final AtomicBoolean onStandby = new AtomicBoolean();
  private final AtomicLong recoveringSince = new AtomicLong(NOT_RECOVERING);
  private final Listeners listeners = new Listeners();

  private ActivePassivePool(Builder<E> b) {
    this.name = b.name;
    this.primaryName = b.primaryName;
    this.standbyName = b.standbyName;
    this.primary = b.primary;
    this.standby = b.standby;
    this.failoverBelow = b.failoverBelow;
    this.failbackAtOrAbove = b.failbackAtOrAbove;
    this.failbackDelayNanos = b.failbackDelay.toNanos();
    this.ticker = b.ticker;
  }

  static <E extends Endpoint> Builder<E> builder() {
    return new Builder<>();
  }

  @Override
  public Selection<E> tryPick(RequestContext ctx) {
    Picker<E> first = serving();
    Selection<E> s = first.tryPick(ctx);
    if (s == null) {
      s = (first == primary ? standby : primary).tryPick(ctx);
    }
    return s;
  }

  /** Advances the state machine and returns the group that serves now. */
  private Picker<E> serving() {
    double p = primary.healthyShare();
    if (!onStandby.get()) {
      if (p < failoverBelow && standby.healthyShare() > p && onStandby.compareAndSet(false, true)) {
        recoveringSince.set(NOT_RECOVERING);
        listeners.failover(name, primaryName, standbyName);
      }
    } else if (p >= failbackAtOrAbove) {
      if (failbackDelayNanos == 0) {
        failBack();
      } else {
        long now = ticker.read();
        long since = recoveringSince.get();
        if (since == NOT_RECOVERING) {
          recoveringSince.compareAndSet(NOT_RECOVERING, now);
        } else if (now - since >= failbackDelayNanos) {
          failBack();
        }
      }
    } else if (recoveringSince.get() != NOT_RECOVERING) {
      recoveringSince.set(NOT_RECOVERING); // dipped again: the delay starts over
    }
    return onStandby.get() ? standby : primary;
  }

  private void failBack() {
    if (onStandby.compareAndSet(true, false)) {
      recoveringSince.set(NOT_RECOVERING);
      listeners.failover(name, standbyName, primaryName);
    }
  }

  /**
   * Whether the standby group serves.
   *
   * @return true after a failover until the fail-back
   */
  public boolean isFailedOver() {
    return onStandby.get();
  }

  /**
   * The name of the group that serves now.
   *
   * @return the primary's or the standby's name
   */
  public String servingGroup() {
    return onStandby.get() ? standbyName : primaryName;
  }

  /**
   * The serving group's healthy share.
   *
   * @return a value in [0, 1]
   */
  @Override
  public double healthyShare() {
    return (onStandby.get() ? standby : primary).healthyShare();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void addListener(LoadBalancerListener listener) {
    listeners.add(listener);
  }

  @Override
  public void removeListener(LoadBalancerListener listener) {
    listeners.remove(listener);
  }

  @Override
  public String toString() {
    return "ActivePassivePool{" + name + ", serving " + servingGroup() + '}';
  }

  /**
   * Settings of an {@link ActivePassivePool}, validated by {@link #build()}. Defaults: fail over
   * below 0.5, fail back at 0.8 after 30 s, system ticker. Not thread-safe.
   *
   * @param <E> endpoint type
   */
  public static final class Builder<E extends Endpoint> {
    private String name = "pool";
    private String primaryName;
    private Picker<E> primary;
    private String standbyName;
    private Picker<E> standby;
    private double failoverBelow = 0.5;
    private double failbackAtOrAbove = 0.8;
    private Duration failbackDelay = Duration.ofSeconds(30);
    private Ticker ticker = Ticker.system();

    private Builder() {}

    /**
     * The pool's name (default {@code "pool"}).
     *
     * @param name the name
     * @return this builder
     */
    public Builder<E> name(String name) {
      this.name = Objects.requireNonNull(name, "name must not be null");
      return this;
    }

    /**
     * The group that serves normally (required).
     *
     * @param groupName its name in events
     * @param group the group
     * @return this builder
     */
    public Builder<E> primary(String groupName, Picker<E> group) {
      this.primaryName = Objects.requireNonNull(groupName, "primary group name must not be null");
      this.primary = Objects.requireNonNull(group, "primary group must not be null");
      return this;
    }

    /**
     * The group that takes over (required).
     *
     * @param groupName its name in events
     * @param group the group
     * @return this builder
     */
    public Builder<E> standby(String groupName, Picker<E> group) {
      this.standbyName = Objects.requireNonNull(groupName, "standby group name must not be null");
      this.standby = Objects.requireNonNull(group, "standby group must not be null");
      return this;
    }

    /**
     * Fail over when the primary's healthy share is below this (default 0.5).
     *
     * @param share in (0, 1]
     * @return this builder
     */
    public Builder<E> failoverBelow(double share) {
      this.failoverBelow = share;
      return this;
    }

    /**
     * Fail back once the primary's healthy share is at least this (default 0.8).
     *
     * @param share in [failoverBelow, 1]
     * @return this builder
     */
    public Builder<E> failbackAtOrAbove(double share) {
      this.failbackAtOrAbove = share;
      return this;
    }

    /**
     * How long the primary must stay recovered before fail-back (default 30 s).
     *
     * @param delay 0 to 1 day
     * @return this builder
     */
    public Builder<E> failbackDelay(Duration delay) {
      this.failbackDelay = Objects.requireNonNull(delay, "failbackDelay must not be null");
      return this;
    }

    /**
     * The time source for the fail-back delay (default system).
     *
     * @param ticker the ticker
     * @return this builder
     */
    public Builder<E> ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker must not be null");
      return this;
    }

    /**
     * Validates and builds.
     *
     * @return the pool, serving the primary
     * @throws IllegalArgumentException naming the bad setting, its value and range
     * @throws NullPointerException if a group is missing
     */
    public ActivePassivePool<E> build() {
      Objects.requireNonNull(primary, "primary group must be set");
      Objects.requireNonNull(standby, "standby group must be set");
      if (primaryName.equals(standbyName)) {
        throw new IllegalArgumentException(
            "primary and standby group names must differ, both were '" + primaryName + "'");
      }
      if (!(failoverBelow > 0 && failoverBelow <= 1)) {
        throw new IllegalArgumentException(
            "failoverBelow must be in (0.0, 1.0], was " + failoverBelow);
      }
      if (!(failbackAtOrAbove >= failoverBelow && failbackAtOrAbove <= 1)) {
        throw new IllegalArgumentException(
            "failbackAtOrAbove must be in [failoverBelow="
                + failoverBelow
                + ", 1.0], was "
                + failbackAtOrAbove);
      }
      if (failbackDelay.isNegative() || failbackDelay.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException(
            "failbackDelay must be in [PT0S, PT24H], was " + failbackDelay);
      }
      if (failbackAtOrAbove == failoverBelow && failbackDelay.isZero()) {
        throw new IllegalArgumentException(
            "fail-back needs hysteresis: failbackAtOrAbove ("
                + failbackAtOrAbove
                + ") must be above failoverBelow ("
                + failoverBelow
                + ") or failbackDelay above 0");
      }
      return new ActivePassivePool<>(this);
    }
  }
}
