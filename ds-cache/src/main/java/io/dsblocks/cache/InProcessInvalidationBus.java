package io.dsblocks.cache;

import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * An {@link InvalidationBus} inside one JVM: {@link #publish} calls every subscriber synchronously,
 * in subscription order, on the publisher's thread. Useful for several caches in one process (for
 * example one per tenant or class loader) and for tests; it never loses a message. A subscriber
 * that throws does not stop delivery to the others.
 *
 * <p>Thread-safe.
 *
 * @param <K> key type
 */
public final class InProcessInvalidationBus<K> implements InvalidationBus<K> {
  private final CopyOnWriteArrayList<Consumer<InvalidationMessage<K>>> subscribers =
      new CopyOnWriteArrayList<>();

  /** Creates an empty bus. */
  public InProcessInvalidationBus() {}

  @Override
  public void publish(InvalidationMessage<K> message) {
    Objects.requireNonNull(message, "message");
    for (Consumer<InvalidationMessage<K>> s : subscribers) {
      try {
        s.accept(message);
      } catch (RuntimeException ignored) {
        // one broken subscriber must not hide invalidations from the others
      }
    }
  }

  @Override
  public AutoCloseable subscribe(Consumer<InvalidationMessage<K>> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber");
    // Wrap so that subscribing the same consumer twice yields two independent subscriptions.
    Consumer<InvalidationMessage<K>> handle = subscriber::accept;
    subscribers.add(handle);
    return () -> subscribers.remove(handle);
  }
}
