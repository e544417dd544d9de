package io.dsblocks.loadbalancer.health;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.EndpointStatus;
import io.dsblocks.loadbalancer.LoadBalancer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Active health checking of one {@link LoadBalancer}'s endpoints: runs a {@link HealthCheck} on a
 * jittered schedule and marks endpoints unhealthy after {@code unhealthyThreshold} failures in a
 * row and healthy again after {@code healthyThreshold} successes in a row, through {@link
 * LoadBalancer#setHealthy}.
 *
 * <pre>{@code
 * ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
 * HealthChecker checker = HealthChecker.builder(HealthChecks.http("/health", 200, Duration.ofSeconds(1)))
 *     .interval(Duration.ofSeconds(5)).jitter(0.2)
 *     .unhealthyThreshold(3).healthyThreshold(2)
 *     .scheduler(scheduler)
 *     .build(lb);
 * checker.start();
 * }</pre>
 *
 * <p>Schedule: rounds run every {@code interval × (1 ± jitter)} (uniform); a round checks the
 * balancer's current members, each check delayed by a uniform {@code [0, jitter × interval)} so
 * checks of many endpoints (and of many proxies checking the same endpoints) do not line up.
 * Randomness comes from a {@link SplittableRandom} seeded with {@link Builder#seed(long)}, so a
 * test with a manually driven scheduler sees the same schedule every run. A check still running
 * when its endpoint's next check is due is not started twice. Members added to the balancer are
 * picked up by the next round; removed ones are forgotten.
 *
 * <p>Checks run on the scheduler's threads and block them for up to the check's timeout: size the
 * scheduler for {@code endpoints × timeout / interval} concurrent checks. The checker does not own
 * the scheduler and does not shut it down.
 *
 * <p>Thread-safety: thread-safe. Endpoint health changes are reported to the balancer's listeners
 * ({@code onEndpointHealthy}/{@code onEndpointUnhealthy}).
 */
public final class HealthChecker implements AutoCloseable {
  private final HealthCheck check;
  private final LoadBalancer<?> target;
  private final ScheduledExecutorService scheduler;
  private final long intervalNanos;
  private final double jitter;
  private final int healthyThreshold;
  private final int unhealthyThreshold;
  private final SplittableRandom random; // guarded by itself
  private final Map<String, Tracker> trackers = new ConcurrentHashMap<>();
  private final AtomicBoolean started = new AtomicBoolean();
  private volatile boolean paused;
  private volatile boolean closed;
  private volatile ScheduledFuture<?> nextRound;

  private HealthChecker(Builder b, LoadBalancer<?> target) {
    this.check = b.check;
    this.target = target;
    this.scheduler = b.scheduler;
    this.intervalNanos = b.interval.toNanos();
    this.jitter = b.jitter;
    this.healthyThreshold = b.healthyThreshold;
    this.unhealthyThreshold = b.unhealthyThreshold;
    this.random = b.seed == null ? new SplittableRandom() : new SplittableRandom(b.seed);
  }

  /**
   * A builder for a checker running {@code check}.
   *
   * @param check the probe
   * @return a builder with default settings
   */
  public static Builder builder(HealthCheck check) {
    return new Builder(Objects.requireNonNull(check, "check must not be null"));
  }

  /**
   * Schedules the first round immediately.
   *
   * @throws IllegalStateException if already started or closed
   */
  public void start() {
    if (closed) {
      throw new IllegalStateException("health checker is closed");
    }
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("health checker already started");
    }
    schedule(this::round, 0);
  }

  /**
   * Stops checking (rounds keep their schedule but check nothing) and freezes every endpoint's
   * health as it is, e.g. during a planned maintenance of the checked service.
   */
  public void pause() {
    paused = true;
  }

  /** Resumes checking from the next round; the in-a-row counts continue where they stopped. */
  public void resume() {
    paused = false;
  }

  /**
   * Whether checks are paused.
   *
   * @return true between {@link #pause()} and {@link #resume()}
   */
  public boolean isPaused() {
    return paused;
  }

  /**
   * Stops the schedule. Idempotent; checks already running finish but their results are ignored.
   * Does not shut the scheduler down.
   */
  @Override
  public void close() {
    closed = true;
    ScheduledFuture<?> f = nextRound;
    if (f != null) {
      f.cancel(false);
    }
  }

  private void round() {
    if (closed) {
      return;
    }
    List<? extends Endpoint> members = target.endpoints();
    Set<String> ids = new HashSet<>();
    for (Endpoint e : members) {
      ids.add(e.id());
    }
    trackers.keySet().retainAll(ids);
    if (!paused) {
      long spread = (long) (intervalNanos * jitter);
      for (Endpoint e : members) {
        Tracker t = trackers.computeIfAbsent(e.id(), id -> new Tracker());
        long delay = spread == 0 ? 0 : nextLong(spread);
        schedule(() -> runCheck(e, t), delay);
      }
    }
    long next = (long) (intervalNanos * (1.0 + jitter * (2.0 * nextDouble() - 1.0)));
    nextRound = schedule(this::round, Math.max(1L, next));
  }

  private void runCheck(Endpoint e, Tracker t) {
    if (closed || paused || !t.running.compareAndSet(false, true)) {
      return;
    }
    boolean ok;
    try {
      ok = check.check(e);
    } catch (Exception failed) {
      ok = false;
    } finally {
      t.running.set(false);
    }
    if (closed) {
      return;
    }
    record(e.id(), t, ok);
  }

  private void record(String id, Tracker t, boolean ok) {
    synchronized (t) {
      boolean healthy = target.status(id).map(EndpointStatus::healthy).orElse(true);
      if (ok) {
        t.failures = 0;
        t.successes++;
        if (!healthy && t.successes >= healthyThreshold) {
          target.setHealthy(id, true);
        }
      } else {
        t.successes = 0;
        t.failures++;
        if (healthy && t.failures >= unhealthyThreshold) {
          target.setHealthy(id, false);
        }
      }
    }
  }

  private ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
    try {
      return scheduler.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException shutDown) {
      closed = true;
      return null;
    }
  }

  private long nextLong(long bound) {
    synchronized (random) {
      return random.nextLong(bound);
    }
  }

  private double nextDouble() {
    synchronized (random) {
      return random.nextDouble();
    }
  }

  /** Per-endpoint in-a-row counts; guarded by itself. */
  private static final class Tracker {
    final AtomicBoolean running = new AtomicBoolean();
    int successes;
    int failures;
  }

  /** Settings of a {@link HealthChecker}, validated by {@link #build}. Not thread-safe. */
  public static final class Builder {
    private final HealthCheck check;
    private Duration interval = Duration.ofSeconds(5);
    private double jitter = 0.1;
    private int healthyThreshold = 2;
    private int unhealthyThreshold = 3;
    private ScheduledExecutorService scheduler;
    private Long seed;

    private Builder(HealthCheck check) {
      this.check = check;
    }

    /**
     * Mean time between rounds (default 5 s).
     *
     * @param interval 1 ms to 1 h
     * @return this builder
     */
    public Builder interval(Duration interval) {
      this.interval = Objects.requireNonNull(interval, "interval must not be null");
      return this;
    }

    /**
     * Relative jitter of the round interval and spread of checks within a round (default 0.1).
     *
     * @param fraction in [0, 1)
     * @return this builder
     */
    public Builder jitter(double fraction) {
      this.jitter = fraction;
      return this;
    }

    /**
     * Successes in a row that mark an unhealthy endpoint healthy (default 2).
     *
     * @param n 1 to 100
     * @return this builder
     */
    public Builder healthyThreshold(int n) {
      this.healthyThreshold = n;
      return this;
    }

    /**
     * Failures in a row that mark a healthy endpoint unhealthy (default 3).
     *
     * @param n 1 to 100
     * @return this builder
     */
    public Builder unhealthyThreshold(int n) {
      this.unhealthyThreshold = n;
      return this;
    }

    /**
     * The scheduler that times rounds and runs checks (required).
     *
     * @param scheduler the scheduler; not shut down by the checker
     * @return this builder
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler must not be null");
      return this;
    }

    /**
     * Seeds the jitter (default: a random seed).
     *
     * @param seed the seed
     * @return this builder
     */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Validates and builds a checker for a balancer's endpoints; call {@link HealthChecker#start()}
     * to begin.
     *
     * @param target the balancer whose endpoints to check
     * @return the checker
     * @throws IllegalArgumentException naming the bad setting, its value and range
     * @throws NullPointerException if no scheduler was set or {@code target} is null
     */
    public HealthChecker build(LoadBalancer<?> target) {
      Objects.requireNonNull(target, "target must not be null");
      Objects.requireNonNull(scheduler, "scheduler must be set");
      OutlierDetection.Builder.checkDuration(
          "interval", interval, Duration.ofMillis(1), Duration.ofHours(1));
      if (!(jitter >= 0 && jitter < 1)) {
        throw new IllegalArgumentException("jitter must be in [0.0, 1.0), was " + jitter);
      }
      if (healthyThreshold < 1 || healthyThreshold > 100) {
        throw new IllegalArgumentException(
            "healthyThreshold must be in [1, 100], was " + healthyThreshold);
      }
      if (unhealthyThreshold < 1 || unhealthyThreshold > 100) {
        throw new IllegalArgumentException(
            "unhealthyThreshold must be in [1, 100], was " + unhealthyThreshold);
      }
      return new HealthChecker(this, target);
    }
  }
}
