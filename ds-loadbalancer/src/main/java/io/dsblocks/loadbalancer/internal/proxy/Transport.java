package io.dsblocks.loadbalancer.internal.proxy;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The Netty transport a proxy runs on: native epoll when asked for and available (fewer copies and
 * syscalls, edge-triggered), NIO otherwise. The epoll jar is an optional dependency, so its classes
 * are only touched after checking that they are on the class path.
 *
 * <p>Immutable and thread-safe.
 */
public final class Transport {
  private final String name;
  private final IoHandlerFactory ioHandlerFactory;
  private final Class<? extends ServerChannel> serverChannelClass;
  private final Class<? extends SocketChannel> socketChannelClass;

  private Transport(
      String name,
      IoHandlerFactory ioHandlerFactory,
      Class<? extends ServerChannel> serverChannelClass,
      Class<? extends SocketChannel> socketChannelClass) {
    this.name = name;
    this.ioHandlerFactory = ioHandlerFactory;
    this.serverChannelClass = serverChannelClass;
    this.socketChannelClass = socketChannelClass;
  }

  /**
   * Picks the transport.
   *
   * @param preferNative whether to use epoll when it is available
   * @return epoll if preferred and available, NIO otherwise
   */
  public static Transport select(boolean preferNative) {
    if (preferNative && EpollProbe.AVAILABLE) {
      return EpollProbe.transport();
    }
    return new Transport(
        "nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class);
  }

  /**
   * A new event loop group of this transport.
   *
   * @param threads number of event loops
   * @param threadPrefix thread name prefix, so the proxy's threads are recognisable in dumps
   * @return the group; the caller shuts it down
   */
  public EventLoopGroup newGroup(int threads, String threadPrefix) {
    return new MultiThreadIoEventLoopGroup(
        threads, new DefaultThreadFactory(threadPrefix, true), ioHandlerFactory);
  }

  /**
   * The server channel class.
   *
   * @return the class
   */
  public Class<? extends ServerChannel> serverChannelClass() {
    return serverChannelClass;
  }

  /**
   * The client socket channel class (for backend connections).
   *
   * @return the class
   */
  public Class<? extends SocketChannel> socketChannelClass() {
    return socketChannelClass;
  }

  /**
   * The transport's name.
   *
   * @return {@code "epoll"} or {@code "nio"}
   */
  public String name() {
    return name;
  }

  @Override
  public String toString() {
    return name;
  }

  /**
   * Isolates every reference to the epoll classes: this class is only initialised by {@link
   * #select}, and its static initialiser checks for the jar before touching {@code Epoll}.
   */
  private static final class EpollProbe {
    static final boolean AVAILABLE = probe();

    private static boolean probe() {
      try {
        Class.forName("io.netty.channel.epoll.Epoll", false, Transport.class.getClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        return false; // the optional jar is absent
      }
      return io.netty.channel.epoll.Epoll.isAvailable();
    }

    static Transport transport() {
      return new Transport(
          "epoll",
          io.netty.channel.epoll.EpollIoHandler.newFactory(),
          io.netty.channel.epoll.EpollServerSocketChannel.class,
          io.netty.channel.epoll.EpollSocketChannel.class);
    }
  }
}
