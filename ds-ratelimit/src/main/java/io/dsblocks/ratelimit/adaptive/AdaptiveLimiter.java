package io.dsblocks.ratelimit.adaptive;

import io.dsblocks.ratelimit.Ticker;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * A concurrency limit that adapts to the dependency: a {@link LimitAlgorithm} ({@link AimdLimit},
 * {@link VegasLimit}, {@link Gradient2Limit}) raises and lowers it from observed round-trip times
 * and drops. Optionally split into <b>partitions with guaranteed shares</b>: a partition with share
 * {@code s} may always run {@code ceil(limit * s)} calls, even when the others have filled the
 * limit; capacity that a partition leaves unused can be borrowed by any partition.
 *
 * <p>Admission rule: a call is admitted if the total in flight is below the limit, or if its
 * partition runs fewer calls than its guaranteed share. So total in-flight can exceed the limit by
 * at most the sum of guaranteed shares while owners reclaim capacity that others borrowed; once
 * above the limit, no partition beyond its share gets in until the total drops.
 *
 * <p>Low-level use: {@code Partition p = limiter.partition("batch")} (or the limiter's own methods
 * for the default, unguaranteed partition), then {@code tryAcquire()}, and exactly one of {@code
 * onSuccess(rttNanos)}, {@code onDropped()} or {@code onIgnore()}. High-level use: {@link
 * io.dsblocks.ratelimit.Decorators}.
 *
 * <p>Thread-safe. Admission is lock-free; each sample is fed to the algorithm under a try-lock, and
 * a sample that arrives while another is being processed is skipped rather than waited for, so
 * callers never block.
 */
public final class AdaptiveLimiter {
  private static final AdaptiveLimiterListener[] NO_LISTENERS = {};

  private final String name;
  private final Ticker ticker;
  private final LimitAlgorithm algorithm;
  private final Predicate<Throwable> dropPredicate;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final ReentrantLock sampleLock = new ReentrantLock();
  private final LongAdder accepted = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final Map<String, Partition> partitions;
  private final Partition defaultPartition;
  private volatile int limit;
  private volatile AdaptiveLimiterListener[] listeners = NO_LISTENERS;

  private AdaptiveLimiter(Builder b) {
    this.name = b.name;
    this.ticker = b.ticker;
    this.algorithm = b.algorithm;
    this.dropPredicate = b.dropPredicate;
    this.limit = algorithm.initialLimit();
    Map<String, Partition> map = new LinkedHashMap<>();
    for (Map.Entry<String, Double> e : b.shares.entrySet()) {
      map.put(e.getKey(), new Partition(e.getKey(), e.getValue()));
    }
    this.partitions = Map.copyOf(map);
    this.defaultPartition = new Partition("default", 0.0);
    recomputeGuarantees(limit);
  }

  /**
   * Returns a builder.
   *
   * @param name the limiter's name, used in exceptions and events
   * @return a new builder
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * Returns the name.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Returns the ticker used to time decorated calls.
   *
   * @return the ticker
   */
  public Ticker ticker() {
    return ticker;
  }

  /**
   * Returns the current limit.
   *
   * @return the limit
   */
  public int limit() {
    return limit;
  }

  /**
   * Returns the number of calls in flight across all partitions.
   *
   * @return in-flight calls
   */
  public int inFlight() {
    return inFlight.get();
  }

  /**
   * Returns the named partition.
   *
   * @param partitionName a name given to {@link Builder#partition}
   * @return the partition handle (the same instance on every call)
   * @throws IllegalArgumentException if no such partition was configured
   */
  public Partition partition(String partitionName) {
    Partition p = partitions.get(Objects.requireNonNull(partitionName, "partitionName"));
    if (p == null) {
      throw new IllegalArgumentException(
          "unknown partition '" + partitionName + "'; configured: " + partitions.keySet());
    }
    return p;
  }

  /**
   * Returns the default partition, which has no guaranteed share.
   *
   * @return the default partition
   */
  public Partition defaultPartition() {
    return defaultPartition;
  }

  /**
   * Admits a call in the default partition if the limit allows.
   *
   * @return whether the call may proceed
   */
  public boolean tryAcquire() {
    return defaultPartition.tryAcquire();
  }

  /**
   * Reports a successful call of the default partition.
   *
   * @param rttNanos its round-trip time
   */
  public void onSuccess(long rttNanos) {
    defaultPartition.onSuccess(rttNanos);
  }

  /** Reports a dropped call (timeout, overload rejection) of the default partition. */
  public void onDropped() {
    defaultPartition.onDropped();
  }

  /** Releases a call of the default partition without feeding a sample. */
  public void onIgnore() {
    defaultPartition.onIgnore();
  }

  /**
   * Returns whether {@code error} counts as a drop (overload signal) for decorated calls.
   *
   * @param error the exception a decorated call threw
   * @return whether to report {@link Partition#onDropped()} rather than {@link
   *     Partition#onIgnore()}
   */
  public boolean isDrop(Throwable error) {
    return dropPredicate.test(error);
  }

  private void recomputeGuarantees(int newLimit) {
    for (Partition p : partitions.values()) {
      p.guaranteed = (int) Math.ceil(newLimit * p.share);
    }
  }

  private void sample(long rttNanos, int inFlightAtEnd, boolean drop) {
    if (!sampleLock.tryLock()) {
      return; // another thread is updating; one skipped sample does not matter
    }
    int old;
    int next;
    try {
      old = limit;
      next = Math.max(1, algorithm.update(rttNanos, inFlightAtEnd, drop));
      if (next != old) {
        limit = next;
        recomputeGuarantees(next);
      }
    } finally {
      sampleLock.unlock();
    }
    if (next != old) {
      for (AdaptiveLimiterListener l : listeners) {
        try {
          l.onLimitChanged(name, old, next);
        } catch (RuntimeException ignored) {
          // a listener must not break the protected call
        }
      }
    }
  }

  /**
   * Registers a listener; costs nothing while none is registered.
   *
   * @param listener the listener
   */
  public synchronized void addListener(AdaptiveLimiterListener listener) {
    Objects.requireNonNull(listener, "listener must not be null");
    AdaptiveLimiterListener[] next = Arrays.copyOf(listeners, listeners.length + 1);
    next[next.length - 1] = listener;
    listeners = next;
  }

  /**
   * Removes a listener.
   *
   * @param listener the listener
   */
  public synchronized void removeListener(AdaptiveLimiterListener listener) {
    listeners =
        Arrays.stream(listeners).filter(l -> l != listener).toArray(AdaptiveLimiterListener[]::new);
  }

  /**
   * Returns a snapshot of the counters.
   *
   * @return the snapshot
   */
  public AdaptiveLimiterStats stats() {
    return new AdaptiveLimiterStats(
        limit, inFlight.get(), accepted.sum(), rejected.sum(), dropped.sum());
  }

  @Override
  public String toString() {
    return "AdaptiveLimiter{" + name + ", " + inFlight.get() + "/" + limit + '}';
  }

  /**
   * One partition of an {@link AdaptiveLimiter}: the handle through which its calls are admitted
   * and reported. Thread-safe.
   */
  public final class Partition {
    private final String partitionName;
    private final double share;
    private final AtomicInteger partitionInFlight = new AtomicInteger();
    private volatile int guaranteed;

    private Partition(String partitionName, double share) {
      this.partitionName = partitionName;
      this.share = share;
    }

    /**
     * Returns the partition name.
     *
     * @return the name
     */
    public String name() {
      return partitionName;
    }

    /**
     * Returns the owning limiter.
     *
     * @return the limiter
     */
    public AdaptiveLimiter limiter() {
      return AdaptiveLimiter.this;
    }

    /**
     * Returns the calls this partition may always run: {@code ceil(limit * share)}.
     *
     * @return the guaranteed concurrency
     */
    public int guaranteedLimit() {
      return guaranteed;
    }

    /**
     * Returns this partition's calls in flight.
     *
     * @return in-flight calls
     */
    public int inFlight() {
      return partitionInFlight.get();
    }

    /**
     * Admits a call if the total is below the limit or this partition is below its guarantee.
     *
     * @return whether the call may proceed; if so, report it exactly once
     */
    public boolean tryAcquire() {
      int total = inFlight.incrementAndGet();
      int mine = partitionInFlight.incrementAndGet();
      if (total <= limit || mine <= guaranteed) {
        accepted.increment();
        return true;
      }
      partitionInFlight.decrementAndGet();
      inFlight.decrementAndGet();
      rejected.increment();
      AdaptiveLimiterListener[] ls = listeners;
      for (AdaptiveLimiterListener l : ls) {
        try {
          l.onRejected(name, partitionName);
        } catch (RuntimeException ignored) {
          // a listener must not break the protected call
        }
      }
      return false;
    }

    private int release() {
      partitionInFlight.decrementAndGet();
      return inFlight.getAndDecrement();
    }

    /**
     * Reports a successful call and feeds its round-trip time to the algorithm.
     *
     * @param rttNanos round-trip time in nanoseconds
     */
    public void onSuccess(long rttNanos) {
      int atEnd = release();
      sample(rttNanos, atEnd, false);
    }

    /** Reports a dropped call (timeout, overload rejection): the algorithm's decrease signal. */
    public void onDropped() {
      int atEnd = release();
      dropped.increment();
      sample(0, atEnd, true);
    }

    /** Releases the call without feeding a sample (for failures that say nothing about load). */
    public void onIgnore() {
      release();
    }
  }

  /** Builds an {@link AdaptiveLimiter}; validated at {@link #build()}. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private LimitAlgorithm algorithm = VegasLimit.builder().build();
    private Ticker ticker = Ticker.system();
    private Predicate<Throwable> dropPredicate = t -> t instanceof TimeoutException;
    private final Map<String, Double> shares = new LinkedHashMap<>();

    private Builder(String name) {
      this.name = name;
    }

    /**
     * Sets the algorithm (default {@link VegasLimit} with defaults). The instance becomes owned by
     * this limiter.
     *
     * @param algorithm not null
     * @return this builder
     */
    public Builder algorithm(LimitAlgorithm algorithm) {
      this.algorithm = algorithm;
      return this;
    }

    /**
     * Sets the ticker used to time decorated calls.
     *
     * @param ticker not null
     * @return this builder
     */
    public Builder ticker(Ticker ticker) {
      this.ticker = ticker;
      return this;
    }

    /**
     * Sets which exceptions of decorated calls count as drops (default: {@link TimeoutException});
     * other exceptions release the call without a sample.
     *
     * @param predicate not null
     * @return this builder
     */
    public Builder dropOn(Predicate<Throwable> predicate) {
      this.dropPredicate = predicate;
      return this;
    }

    /**
     * Adds a partition with a guaranteed share of the limit.
     *
     * @param partitionName unique, not null
     * @param share in {@code (0, 1]}; all shares together at most 1
     * @return this builder
     */
    public Builder partition(String partitionName, double share) {
      Objects.requireNonNull(partitionName, "partition name must not be null");
      if (shares.put(partitionName, share) != null) {
        throw new IllegalArgumentException("partition '" + partitionName + "' added twice");
      }
      return this;
    }

    /**
     * Validates and builds.
     *
     * @return the limiter
     */
    public AdaptiveLimiter build() {
      Objects.requireNonNull(name, "name must not be null");
      Objects.requireNonNull(algorithm, "algorithm must not be null");
      Objects.requireNonNull(ticker, "ticker must not be null");
      Objects.requireNonNull(dropPredicate, "dropOn predicate must not be null");
      if (algorithm.initialLimit() < 1) {
        throw new IllegalArgumentException(
            "algorithm.initialLimit() must be >= 1, was " + algorithm.initialLimit());
      }
      double sum = 0;
      for (Map.Entry<String, Double> e : shares.entrySet()) {
        double s = e.getValue();
        if (!(s > 0 && s <= 1)) {
          throw new IllegalArgumentException(
              "share of partition '" + e.getKey() + "' must be in (0, 1], was " + s);
        }
        sum += s;
      }
      if (sum > 1.0 + 1e-9) {
        throw new IllegalArgumentException("partition shares must sum to at most 1, was " + sum);
      }
      return new AdaptiveLimiter(this);
    }
  }
}
