package io.dsblocks.ratelimit.retry;

import io.dsblocks.ratelimit.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Caps retries to a fraction of the real request volume, shared by every {@link Retry} (and every
 * caller) that holds it, so that a struggling dependency is not hit by a retry storm.
 *
 * <p><b>Rule.</b> Over the sliding window (default 10 s), a retry is allowed only if
 *
 * <pre>
 *   retriesInWindow + 1 &lt;= minRetriesPerSecond * windowSeconds
 *                          + percentOfRequests / 100 * requestsInWindow
 * </pre>
 *
 * where requests are first attempts (each {@link Retry} call deposits one with {@link
 * #onRequest()}) and retries are the retry attempts granted by {@link #tryAcquireRetry()}. The
 * minimum lets low-traffic callers retry at all; the percentage bounds the extra load retries add
 * (20% means at most 1.2x the original traffic).
 *
 * <p><b>Implementation.</b> One atomic word per second of the window packs a 20-bit second tag, a
 * 22-bit request count and a 22-bit retry count (counts saturate at 4,194,303 per second).
 * Recording a request is one compare-and-set; granting a retry sums the window and commits with a
 * compare-and-set on the current second's word, so concurrent grants never exceed the rule. No
 * locks, no background threads, no allocation. Thread-safe.
 */
public final class RetryBudget {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  private static final int COUNT_BITS = 22;
  private static final long COUNT_MAX = (1L << COUNT_BITS) - 1;
  private static final int REQUEST_SHIFT = COUNT_BITS;
  private static final int TAG_SHIFT = 2 * COUNT_BITS;
  private static final long TAG_MASK = (1L << (64 - TAG_SHIFT)) - 1;

  private final double percentOfRequests;
  private final int minRetriesPerSecond;
  private final int windowSeconds;
  private final Ticker ticker;
  private final AtomicLongArray buckets;
  private final LongAdder denied = new LongAdder();

  private RetryBudget(Builder b) {
    this.percentOfRequests = b.percentOfRequests;
    this.minRetriesPerSecond = b.minRetriesPerSecond;
    this.windowSeconds = (int) b.window.toSeconds();
    this.ticker = b.ticker;
    this.buckets = new AtomicLongArray(windowSeconds);
    // Tag every bucket as a whole window old, so none counts until written.
    long staleTag = (second() - windowSeconds) & TAG_MASK;
    for (int i = 0; i < windowSeconds; i++) {
      buckets.set(i, staleTag << TAG_SHIFT);
    }
  }

  /**
   * Returns a builder; defaults: 20 percent of requests, 10 retries per second minimum, 10 s
   * window, system ticker.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Shortcut: {@code percent} of requests plus {@code minPerSecond}, over 10 seconds.
   *
   * @param percent percentage of request volume, in {@code [0, 1000]}
   * @param minPerSecond retries per second always allowed, at least 0
   * @return the budget
   */
  public static RetryBudget of(double percent, int minPerSecond) {
    return builder().percentOfRequests(percent).minRetriesPerSecond(minPerSecond).build();
  }

  private long second() {
    return Math.floorDiv(ticker.read(), NANOS_PER_SECOND);
  }

  /** Records one original request (a first attempt). */
  public void onRequest() {
    long sec = second();
    long tag = sec & TAG_MASK;
    int i = (int) Math.floorMod(sec, (long) windowSeconds);
    for (; ; ) {
      long w = buckets.get(i);
      long next;
      if ((w >>> TAG_SHIFT) != tag) {
        next = (tag << TAG_SHIFT) | (1L << REQUEST_SHIFT); // recycle the bucket for this second
      } else if (((w >>> REQUEST_SHIFT) & COUNT_MAX) == COUNT_MAX) {
        return; // saturated: under-counting requests only makes the budget stricter
      } else {
        next = w + (1L << REQUEST_SHIFT);
      }
      if (buckets.compareAndSet(i, w, next)) {
        return;
      }
    }
  }

  /**
   * Takes one retry from the budget if the rule allows it.
   *
   * @return whether the retry may be made
   */
  public boolean tryAcquireRetry() {
    for (; ; ) {
      long sec = second();
      long tag = sec & TAG_MASK;
      int cur = (int) Math.floorMod(sec, (long) windowSeconds);
      long curWord = buckets.get(cur);
      long requests = 0;
      long retries = 0;
      for (int j = 0; j < windowSeconds; j++) {
        long w = j == cur ? curWord : buckets.get(j);
        long age = (tag - (w >>> TAG_SHIFT)) & TAG_MASK;
        if (age < windowSeconds) {
          requests += (w >>> REQUEST_SHIFT) & COUNT_MAX;
          retries += w & COUNT_MAX;
        }
      }
      double allowance =
          (double) minRetriesPerSecond * windowSeconds + percentOfRequests / 100.0 * requests;
      boolean currentIsLive = (curWord >>> TAG_SHIFT) == tag;
      if (retries + 1 > allowance || (currentIsLive && (curWord & COUNT_MAX) == COUNT_MAX)) {
        denied.increment();
        return false;
      }
      long next = currentIsLive ? curWord + 1 : (tag << TAG_SHIFT) | 1L;
      if (buckets.compareAndSet(cur, curWord, next)) {
        return true;
      }
      // The current second changed under us (a request, a retry, or a new second): re-evaluate.
    }
  }

  /**
   * Returns the number of retries the rule would grant right now.
   *
   * @return available retries, at least 0
   */
  public long availableRetries() {
    long sec = second();
    long tag = sec & TAG_MASK;
    long requests = 0;
    long retries = 0;
    for (int j = 0; j < windowSeconds; j++) {
      long w = buckets.get(j);
      if (((tag - (w >>> TAG_SHIFT)) & TAG_MASK) < windowSeconds) {
        requests += (w >>> REQUEST_SHIFT) & COUNT_MAX;
        retries += w & COUNT_MAX;
      }
    }
    double allowance =
        (double) minRetriesPerSecond * windowSeconds + percentOfRequests / 100.0 * requests;
    return Math.max(0, (long) Math.floor(allowance) - retries);
  }

  /**
   * Returns how many retries this budget refused since creation.
   *
   * @return refused retries
   */
  public long deniedRetries() {
    return denied.sum();
  }

  @Override
  public String toString() {
    return "RetryBudget{"
        + percentOfRequests
        + "% of requests + "
        + minRetriesPerSecond
        + "/s over "
        + windowSeconds
        + "s}";
  }

  /** Builds a {@link RetryBudget}; validated at {@link #build()}. Not thread-safe. */
  public static final class Builder {
    private double percentOfRequests = 20;
    private int minRetriesPerSecond = 10;
    private Duration window = Duration.ofSeconds(10);
    private Ticker ticker = Ticker.system();

    private Builder() {}

    /**
     * Sets the retry allowance as a percentage of request volume.
     *
     * @param percent in {@code [0, 1000]}
     * @return this builder
     */
    public Builder percentOfRequests(double percent) {
      this.percentOfRequests = percent;
      return this;
    }

    /**
     * Sets the retries per second that are always allowed.
     *
     * @param retries at least 0
     * @return this builder
     */
    public Builder minRetriesPerSecond(int retries) {
      this.minRetriesPerSecond = retries;
      return this;
    }

    /**
     * Sets the sliding window.
     *
     * @param window whole seconds in {@code [1 s, 3600 s]}
     * @return this builder
     */
    public Builder window(Duration window) {
      this.window = window;
      return this;
    }

    /**
     * Sets the time source.
     *
     * @param ticker not null
     * @return this builder
     */
    public Builder ticker(Ticker ticker) {
      this.ticker = ticker;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @return the budget
     */
    public RetryBudget build() {
      if (!(percentOfRequests >= 0 && percentOfRequests <= 1000)) {
        throw new IllegalArgumentException(
            "percentOfRequests must be in [0, 1000], was " + percentOfRequests);
      }
      if (minRetriesPerSecond < 0) {
        throw new IllegalArgumentException(
            "minRetriesPerSecond must be >= 0, was " + minRetriesPerSecond);
      }
      Objects.requireNonNull(window, "window must not be null");
      if (window.compareTo(Duration.ofSeconds(1)) < 0
          || window.compareTo(Duration.ofHours(1)) > 0
          || window.toNanos() % NANOS_PER_SECOND != 0) {
        throw new IllegalArgumentException(
            "window must be a whole number of seconds in [1 s, 3600 s], was " + window);
      }
      Objects.requireNonNull(ticker, "ticker must not be null");
      return new RetryBudget(this);
    }
  }
}
