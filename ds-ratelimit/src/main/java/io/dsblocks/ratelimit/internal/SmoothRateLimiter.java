package io.dsblocks.ratelimit.internal;

import io.dsblocks.ratelimit.RateLimiterConfig;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Smooth limiter (a leaky bucket used as a meter): permits are handed out {@code interval}
 * nanoseconds apart and idle time is not saved up. The state word is the time the next permit is
 * free. A request for {@code n} permits is granted as soon as the next permit is free and pushes
 * that time {@code n * interval} further, so a large request is paid for by the next caller (as
 * Guava's {@code RateLimiter} does) rather than starving itself.
 *
 * <p>Thread-safe, lock-free, no allocation per call.
 */
public final class SmoothRateLimiter extends AbstractRateLimiter {

  /** Parameters and state word, replaced as a whole on reconfiguration. */
  static final class Core {
    final long interval;
    final long limit;

    @SuppressWarnings("unused") // accessed through NEXT
    volatile long nextFree;

    Core(long interval, long limit, long nextFree) {
      this.interval = interval;
      this.limit = limit;
      this.nextFree = nextFree;
    }
  }

  private static final VarHandle NEXT;

  static {
    try {
      NEXT = MethodHandles.lookup().findVarHandle(Core.class, "nextFree", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private volatile Core core;

  /**
   * Creates the limiter; the first permit is free at once.
   *
   * @param config a SMOOTH configuration without warm-up
   */
  public SmoothRateLimiter(RateLimiterConfig config) {
    super(config);
    this.core = new Core(config.nanosPerPermit(), config.limit(), 0);
  }

  @Override
  protected long reserveAt(long permits, long t, long maxWait) {
    Core c = core;
    long next = c.nextFree;
    for (; ; ) {
      if (next == CLOSED) {
        c = successorOf(c);
        next = c.nextFree;
        continue;
      }
      long wait = next - t;
      if (wait > maxWait) {
        return REJECTED;
      }
      long newNext = (next > t ? next : t) + permits * c.interval;
      // On failure the witness is the current value (and the cache line is ours): retry from it.
      long witness = (long) NEXT.compareAndExchange(c, next, newNext);
      if (witness == next) {
        return wait > 0 ? wait : 0;
      }
      next = witness;
    }
  }

  @Override
  protected long nanosUntilAvailableAt(long permits, long t) {
    Core c = core;
    long next;
    while ((next = c.nextFree) == CLOSED) {
      c = successorOf(c);
    }
    return Math.max(0, next - t);
  }

  @Override
  protected long availablePermitsAt(long t) {
    Core c = core;
    long next;
    while ((next = c.nextFree) == CLOSED) {
      c = successorOf(c);
    }
    return next <= t ? c.limit : 0;
  }

  @Override
  protected void reconfigureAt(RateLimiterConfig oldConfig, RateLimiterConfig newConfig, long t) {
    Core old = core;
    long next;
    do {
      next = old.nextFree;
    } while (!NEXT.compareAndSet(old, next, CLOSED));
    core = new Core(newConfig.nanosPerPermit(), newConfig.limit(), next);
  }

  private Core successorOf(Core closed) {
    Core c;
    for (int i = 0; (c = core) == closed; i++) {
      waitBriefly(i);
    }
    return c;
  }
}
