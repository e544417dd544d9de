package io.dsblocks.ratelimit.internal.redis;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.dsblocks.ratelimit.Ticker;
import java.util.concurrent.TimeUnit;

/**
 * Permits taken from Redis in batches and not yet handed out, per key. Memory is bounded by a
 * Caffeine cache of at most {@code maxKeys} entries; evicting an entry only loses its unused
 * permits (the limit errs on the strict side).
 *
 * <p>Thread-safe: each key's batch is guarded by its own monitor, held for a few field accesses.
 */
public final class LocalPermitBatches {

  private final Cache<String, Batch> batches;
  private final long maxAgeNanos;

  /**
   * Creates an empty store.
   *
   * @param maxKeys most keys kept
   * @param maxAgeNanos how long permits may be served after Redis granted them
   * @param ticker time source for expiry
   */
  public LocalPermitBatches(long maxKeys, long maxAgeNanos, Ticker ticker) {
    // Entries idle for maxAge only hold expired permits, so Caffeine may drop them.
    this.batches =
        Caffeine.newBuilder()
            .maximumSize(maxKeys)
            .expireAfterAccess(maxAgeNanos, TimeUnit.NANOSECONDS)
            .ticker(ticker::read)
            .build();
    this.maxAgeNanos = maxAgeNanos;
  }

  /**
   * Takes {@code permits} from the key's batch if it holds that many unexpired permits.
   *
   * @param key the Redis key
   * @param permits permits wanted
   * @param now current ticker time
   * @return whether they were taken
   */
  public boolean tryTake(String key, long permits, long now) {
    Batch batch = batches.getIfPresent(key);
    return batch != null && batch.tryTake(permits, now);
  }

  /**
   * Adds permits just granted by Redis to the key's batch.
   *
   * @param key the Redis key
   * @param permits unused permits of a grant
   * @param now the ticker time of the grant
   */
  public void add(String key, long permits, long now) {
    if (permits <= 0) {
      return;
    }
    batches.get(key, k -> new Batch()).add(permits, now, now + maxAgeNanos);
  }

  /**
   * Returns the unexpired permits held for a key.
   *
   * @param key the Redis key
   * @param now current ticker time
   * @return permits held locally
   */
  public long available(String key, long now) {
    Batch batch = batches.getIfPresent(key);
    return batch == null ? 0 : batch.available(now);
  }

  private static final class Batch {
    private long remaining;
    private long expiresAt;

    synchronized boolean tryTake(long permits, long now) {
      if (now - expiresAt >= 0) {
        remaining = 0;
        return false;
      }
      if (remaining < permits) {
        return false;
      }
      remaining -= permits;
      return true;
    }

    synchronized void add(long permits, long now, long newExpiresAt) {
      if (remaining == 0 || now - expiresAt >= 0) {
        remaining = 0;
        expiresAt = newExpiresAt;
      }
      // Otherwise keep the earlier deadline: no permit is ever served more than maxAge after the
      // oldest grant still in the batch. That may discard a few new permits early, which errs on
      // the strict side.
      remaining += permits;
    }

    synchronized long available(long now) {
      return now - expiresAt >= 0 ? 0 : remaining;
    }
  }
}
