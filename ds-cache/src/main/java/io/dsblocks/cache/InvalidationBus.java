package io.dsblocks.cache;

import java.util.function.Consumer;

/**
 * Carries {@link InvalidationMessage}s between the caches of several nodes. Delivery may be
 * unreliable (a Redis pub/sub subscriber misses what was published while it was disconnected):
 * {@link InvalidationNode} detects the resulting gaps from the sequence numbers.
 *
 * <p>Implementations are thread-safe.
 *
 * @param <K> key type
 */
public interface InvalidationBus<K> {

  /**
   * Sends a message to every subscriber (including, possibly, the sender's own).
   *
   * @param message the message
   */
  void publish(InvalidationMessage<K> message);

  /**
   * Registers a subscriber.
   *
   * @param subscriber called for each message, possibly concurrently from several publishers
   * @return closes the subscription
   */
  AutoCloseable subscribe(Consumer<InvalidationMessage<K>> subscriber);
}
