package io.dsblocks.cache.internal.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A Lettuce client created (and later shut down) by a tier or bus from a URI, configured for a
 * cache: fail fast rather than wait.
 *
 * <ul>
 *   <li>{@code REJECT_COMMANDS} while disconnected: Lettuce's default buffers commands until it
 *       reconnects, so callers would wait for the full timeout and a long outage would pile
 *       commands up in memory;
 *   <li>auto-reconnect with exponential backoff capped at {@code maxReconnectDelay} (Lettuce's
 *       default cap is 30 s, long for a cache that is serving loads meanwhile);
 *   <li>a Lettuce command timeout of at least 5 s as a backstop only: the tier and bus bound each
 *       caller's wait themselves, and a short Lettuce timeout would also cut the {@code SUBSCRIBE}
 *       that re-establishes a subscription on a slow server;
 *   <li>the connection handshake bounded by the connect timeout (Lettuce's default is 60 s), so
 *       that building against a server that accepts but does not answer fails quickly;
 *   <li>two I/O threads and two computation threads: a tier or bus uses one or two connections.
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class OwnedRedisClient {
  private final ClientResources resources;
  private final RedisClient client;

  private OwnedRedisClient(ClientResources resources, RedisClient client) {
    this.resources = resources;
    this.client = client;
  }

  /**
   * Creates a client (no connection yet).
   *
   * @param uri where Redis is
   * @param commandTimeout the callers' timeout (Lettuce's own is at least 5 s, see above)
   * @param connectTimeout TCP connect timeout, for the first connection and every reconnect
   * @param maxReconnectDelay the cap of the reconnect backoff
   * @return the client
   */
  public static OwnedRedisClient create(
      RedisURI uri, Duration commandTimeout, Duration connectTimeout, Duration maxReconnectDelay) {
    ClientResources resources =
        DefaultClientResources.builder()
            .ioThreadPoolSize(2)
            .computationThreadPoolSize(2)
            .reconnectDelay(
                Delay.exponential(
                    Duration.ofMillis(1), maxReconnectDelay, 2, TimeUnit.MILLISECONDS))
            .build();
    Duration handshake = max(connectTimeout, commandTimeout);
    RedisClient client =
        RedisClient.create(resources, RedisURI.builder(uri).withTimeout(handshake).build());
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(max(commandTimeout, Duration.ofSeconds(5))))
            .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).build())
            .build());
    return new OwnedRedisClient(resources, client);
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /**
   * Returns the client.
   *
   * @return the client
   */
  public RedisClient client() {
    return client;
  }

  /** Closes every connection of the client and stops its threads, waiting at most a few seconds. */
  public void shutdown() {
    try {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    } finally {
      try {
        resources.shutdown(0, 2, TimeUnit.SECONDS).get(3, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        // Best effort: the threads are daemons and exit with the JVM anyway.
      }
    }
  }
}
