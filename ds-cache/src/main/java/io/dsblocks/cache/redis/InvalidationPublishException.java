package io.dsblocks.cache.redis;

import io.dsblocks.cache.CacheException;

/**
 * A {@link RedisInvalidationBus} could not publish an invalidation (Redis down or too slow). The
 * writer's own cache is already updated; the other nodes did not hear about it, so until they do
 * they may serve their old L1 copy. They recover by themselves: when their subscription comes back
 * they clear their L1, and the next message from this source shows them the gap in its sequence
 * numbers (which also clears their L1); their L1 expiry bounds it in any case. Retry the publish,
 * or accept that window.
 *
 * <p>Instances are not shared between threads by the library.
 */
public final class InvalidationPublishException extends CacheException {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final long sequence;

  /**
   * Creates an exception.
   *
   * @param message what failed
   * @param source the publishing node
   * @param sequence the lost message's sequence number
   * @param cause the underlying error
   */
  public InvalidationPublishException(
      String message, String source, long sequence, Throwable cause) {
    super(message, cause);
    this.source = source;
    this.sequence = sequence;
  }

  /**
   * Returns the id of the node whose message was lost.
   *
   * @return the source id
   */
  public String source() {
    return source;
  }

  /**
   * Returns the sequence number of the lost message.
   *
   * @return the sequence number
   */
  public long sequence() {
    return sequence;
  }
}
