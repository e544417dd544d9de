package io.dsblocks.loadbalancer.internal.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admits client connections up to a limit and remembers the open ones, so that a graceful shutdown
 * can ask each to drain and, at the deadline, close the stragglers.
 *
 * <p>Thread-safe: admission is one atomic increment (checked against the limit and undone if over),
 * so the limit is exact under concurrent accepts.
 */
public final class ConnectionTracker {
  private final int max;
  private final AtomicInteger active = new AtomicInteger();
  private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
  private final ChannelFutureListener onClose = this::closed;

  /**
   * Creates a tracker.
   *
   * @param max most connections open at once
   */
  public ConnectionTracker(int max) {
    this.max = max;
  }

  /**
   * Admits a newly accepted connection if the limit allows.
   *
   * @param ch the connection
   * @return false if the limit is reached (the caller closes it)
   */
  public boolean tryAdmit(Channel ch) {
    if (active.incrementAndGet() > max) {
      active.decrementAndGet();
      return false;
    }
    channels.add(ch);
    ch.closeFuture().addListener(onClose);
    return true;
  }

  private void closed(ChannelFuture f) {
    if (channels.remove(f.channel())) {
      active.decrementAndGet();
    }
  }

  /**
   * Open connections now.
   *
   * @return the count
   */
  public int active() {
    return active.get();
  }

  /**
   * The open connections.
   *
   * @return a copy
   */
  public List<Channel> channels() {
    return new ArrayList<>(channels);
  }

  /**
   * Completes when every connection open now has closed.
   *
   * @return a future
   */
  public CompletableFuture<Void> allClosed() {
    List<Channel> open = channels();
    CompletableFuture<?>[] futures = new CompletableFuture<?>[open.size()];
    for (int i = 0; i < futures.length; i++) {
      CompletableFuture<Void> cf = new CompletableFuture<>();
      open.get(i).closeFuture().addListener(f -> cf.complete(null));
      futures[i] = cf;
    }
    return CompletableFuture.allOf(futures);
  }

  /** Closes every open connection. */
  public void closeAll() {
    for (Channel ch : channels()) {
      ch.close();
    }
  }
}
