package io.dsblocks.cache;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Keeps one node's {@link DsCache} coherent with other nodes through an {@link InvalidationBus}.
 *
 * <p>After changing a key through its cache, a node calls {@link #publishChange(Object)} (or {@link
 * #invalidate(Object)} to also drop it locally); every other node drops that key from its cache, so
 * its next read loads the new value. Each node numbers its messages; a receiver that sees sequence
 * {@code n + 2} after {@code n} from a source has missed a message whose key it cannot know, so it
 * clears its whole cache (counted in {@link #gapsDetected()}); a sequence it has already seen is a
 * duplicate and ignored. Messages from this node itself are ignored.
 *
 * <p>The first message received from a source is accepted whatever its number: subscribe before the
 * cache serves reads, so that no earlier change can have been missed.
 *
 * <p>Thread-safe; messages from one source are applied one at a time.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class InvalidationNode<K, V> implements AutoCloseable {
  private final String nodeId;
  private final DsCache<K, V> cache;
  private final InvalidationBus<K> bus;
  private final AutoCloseable subscription;
  private final AtomicLong sequence = new AtomicLong();
  private final Map<String, Long> lastSeen = new HashMap<>(); // guarded by itself
  private final LongAdder applied = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder gaps = new LongAdder();

  /**
   * Joins {@code cache} to {@code bus} under {@code nodeId}.
   *
   * @param nodeId this node's id, unique on the bus, not empty
   * @param cache the local cache
   * @param bus the bus
   */
  public InvalidationNode(String nodeId, DsCache<K, V> cache, InvalidationBus<K> bus) {
    Objects.requireNonNull(nodeId, "nodeId");
    if (nodeId.isEmpty()) {
      throw new IllegalArgumentException("nodeId must not be empty");
    }
    this.nodeId = nodeId;
    this.cache = Objects.requireNonNull(cache, "cache");
    this.bus = Objects.requireNonNull(bus, "bus");
    this.subscription = bus.subscribe(this::receive);
  }

  /**
   * Tells the other nodes that {@code key} changed (call after the local put or delete).
   *
   * @param key the key
   */
  public void publishChange(K key) {
    Objects.requireNonNull(key, "key");
    bus.publish(new InvalidationMessage<>(nodeId, sequence.incrementAndGet(), key));
  }

  /**
   * Drops {@code key} here and on every other node.
   *
   * @param key the key
   */
  public void invalidate(K key) {
    Objects.requireNonNull(key, "key");
    cache.invalidate(key);
    publishChange(key);
  }

  /** Drops every key here and on every other node. */
  public void invalidateAll() {
    cache.invalidateAll();
    bus.publish(new InvalidationMessage<>(nodeId, sequence.incrementAndGet(), null));
  }

  /**
   * Applies one message from the bus (the subscription calls this; tests may call it directly to
   * simulate loss, duplication or reordering).
   *
   * @param message the message
   */
  public void receive(InvalidationMessage<K> message) {
    if (message.source().equals(nodeId)) {
      return;
    }
    synchronized (lastSeen) {
      Long last = lastSeen.get(message.source());
      if (last != null && message.sequence() <= last) {
        duplicates.increment();
        return;
      }
      if (last != null && message.sequence() > last + 1) {
        // Messages last+1 .. sequence-1 were lost and we cannot know their keys.
        gaps.increment();
        cache.invalidateAllLocal();
      }
      lastSeen.put(message.source(), message.sequence());
      if (message.key() == null) {
        cache.invalidateAllLocal();
      } else {
        cache.invalidateLocal(message.key());
      }
      applied.increment();
    }
  }

  /**
   * Returns the number of messages applied.
   *
   * @return the count
   */
  public long applied() {
    return applied.sum();
  }

  /**
   * Returns the number of duplicate or out-of-date messages ignored.
   *
   * @return the count
   */
  public long duplicates() {
    return duplicates.sum();
  }

  /**
   * Returns how many times a lost message was detected (each time the cache was cleared).
   *
   * @return the count
   */
  public long gapsDetected() {
    return gaps.sum();
  }

  /** Stops receiving messages. Idempotent. */
  @Override
  public void close() {
    try {
      subscription.close();
    } catch (Exception e) {
      throw new CacheException("cannot close the subscription of node " + nodeId, e);
    }
  }
}
