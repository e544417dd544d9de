package io.dsblocks.loadbalancer.dns;

import io.dsblocks.loadbalancer.internal.dns.DnsQueryHandler;
import io.dsblocks.loadbalancer.internal.dns.ResponderCounters;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.TcpDnsQueryDecoder;
import io.netty.handler.codec.dns.TcpDnsResponseEncoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A small authoritative DNS server for a {@link GlobalRouter}'s zones, on Netty's DNS codec: UDP
 * for ordinary queries and TCP (same port) for answers too large for a datagram.
 *
 * <pre>{@code
 * try (DnsResponder dns = DnsResponder.builder(router).port(5353).start()) {
 *   // dig @127.0.0.1 -p 5353 www.example.test A
 * }
 * }</pre>
 *
 * <p>What it answers (all with the AA flag, except REFUSED and errors):
 *
 * <ul>
 *   <li>A, AAAA and CNAME records as the router chooses them, with their configured TTLs. A query
 *       for another type at a CNAME name gets the CNAME, followed by the target's records when the
 *       target lies in our zones.
 *   <li>NOERROR with an empty answer (NODATA) when the name exists without that type; NXDOMAIN for
 *       names in our zones that do not exist; both with the zone's SOA for negative caching, and
 *       the SOA itself for SOA queries at a zone apex.
 *   <li>REFUSED for names outside our zones and classes other than IN; NOTIMP for opcodes other
 *       than QUERY and for ANY/AXFR/IXFR; FORMERR for queries without exactly one question or with
 *       a malformed EDNS option; BADVERS for EDNS versions other than 0.
 * </ul>
 *
 * <p>Truncation: a UDP response is limited to 512 bytes, or to the client's EDNS payload size
 * capped at {@link Builder#maxUdpPayloadSize(int)}. When the answer does not fit, the responder
 * sends as many records as fit with the TC bit set, and the client retries over TCP, where the full
 * answer is returned.
 *
 * <p>Client location: from the EDNS Client Subnet option when present (the query comes from a
 * resolver acting for that subnet; the reply's scope is set accordingly), otherwise from the
 * query's source address, through the router's {@link GeoResolver}.
 *
 * <p>Robustness: undecodable packets are counted ({@link DnsResponderStats#malformed()}) and
 * dropped; a TCP connection that sent one is closed; the responder keeps serving. Idle TCP
 * connections are closed after {@link Builder#tcpIdleTimeout(Duration)}.
 *
 * <p>Thread-safety: thread-safe. Queries are served concurrently on the responder's I/O threads
 * (daemon threads it owns); {@link #stats()} and {@link #close()} may be called from any thread,
 * and {@code close()} is idempotent.
 */
public final class DnsResponder implements AutoCloseable {
  /** Default cap on UDP responses to EDNS clients: the DNS Flag Day 2020 value, below IPv6 MTU. */
  public static final int DEFAULT_MAX_UDP_PAYLOAD = 1232;

  private static final int BIND_ATTEMPTS = 16;
  // Queries are small, but EDNS lets a client send up to 4096-byte datagrams; a smaller receive
  // buffer would silently cut them and turn them into "malformed" packets.
  private static final int UDP_RECEIVE_BUFFER = 4096;

  private final GlobalRouter router;
  private final EventLoopGroup group;
  private final Channel udp;
  private final Channel tcp;
  private final InetSocketAddress localAddress;
  private final ResponderCounters counters;
  private final AtomicBoolean closed = new AtomicBoolean();

  private DnsResponder(
      GlobalRouter router,
      EventLoopGroup group,
      Channel udp,
      Channel tcp,
      ResponderCounters counters) {
    this.router = router;
    this.group = group;
    this.udp = udp;
    this.tcp = tcp;
    this.localAddress = (InetSocketAddress) udp.localAddress();
    this.counters = counters;
  }

  /**
   * Starts configuring a responder.
   *
   * @param router the routing engine to serve
   * @return a builder
   */
  public static Builder builder(GlobalRouter router) {
    return new Builder(router);
  }

  /**
   * Starts a responder on 127.0.0.1 on an ephemeral port with default settings.
   *
   * @param router the routing engine to serve
   * @return the running responder
   * @throws DnsResponderException if it cannot bind
   */
  public static DnsResponder start(GlobalRouter router) {
    return builder(router).start();
  }

  /**
   * The port both transports listen on (the ephemeral port chosen when configured with 0).
   *
   * @return the port
   */
  public int port() {
    return localAddress.getPort();
  }

  /**
   * The address both transports listen on.
   *
   * @return the bound address
   */
  public InetSocketAddress localAddress() {
    return localAddress;
  }

  /**
   * The router served; update its configuration to change answers while running.
   *
   * @return the router
   */
  public GlobalRouter router() {
    return router;
  }

  /**
   * Reads the counters.
   *
   * @return a snapshot since start
   */
  public DnsResponderStats stats() {
    return counters.snapshot();
  }

  /**
   * Stops listening, closes open TCP connections and stops the I/O threads, waiting up to five
   * seconds for them. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    udp.close().syncUninterruptibly();
    tcp.close().syncUninterruptibly();
    // No quiet period: nothing else is submitted once the listening channels are closed.
    group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(6, TimeUnit.SECONDS);
  }

  @Override
  public String toString() {
    return "DnsResponder{" + localAddress + ", " + router + '}';
  }

  /** Closes TCP connections that stayed idle past the configured timeout. */
  private static final class IdleCloser extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof IdleStateEvent) {
        ctx.close();
      } else {
        super.userEventTriggered(ctx, evt);
      }
    }
  }

  /**
   * Configures and starts a {@link DnsResponder}; values are checked in {@link #start()}.
   *
   * <p>Thread-safety: not thread-safe; use from one thread.
   */
  public static final class Builder {
    private final GlobalRouter router;
    private InetAddress bindAddress;
    private int port;
    private int maxUdpPayloadSize = DEFAULT_MAX_UDP_PAYLOAD;
    private int ioThreads = 1;
    private Duration tcpIdleTimeout = Duration.ofSeconds(10);
    private DnsQueryListener listener = DnsQueryListener.NONE;

    private Builder(GlobalRouter router) {
      this.router = Objects.requireNonNull(router, "router");
    }

    /**
     * Sets the address to listen on (default 127.0.0.1). Use a public address (or the wildcard)
     * only behind the same protections as any public DNS server.
     *
     * @param address the local address
     * @return this builder
     */
    public Builder bindAddress(InetAddress address) {
      this.bindAddress = Objects.requireNonNull(address, "bindAddress");
      return this;
    }

    /**
     * Sets the port for both UDP and TCP (default 0: an ephemeral port, see {@link
     * DnsResponder#port()}).
     *
     * @param port 0 to 65535
     * @return this builder
     */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /**
     * Sets the largest UDP response sent to EDNS clients and advertised in the OPT record (default
     * {@value DnsResponder#DEFAULT_MAX_UDP_PAYLOAD}); clients without EDNS always get at most 512
     * bytes.
     *
     * @param bytes 512 to 4096
     * @return this builder
     */
    public Builder maxUdpPayloadSize(int bytes) {
      this.maxUdpPayloadSize = bytes;
      return this;
    }

    /**
     * Sets the number of I/O threads (default 1, which serves tens of thousands of queries per
     * second; the UDP socket is served by one thread regardless).
     *
     * @param threads 1 to 64
     * @return this builder
     */
    public Builder ioThreads(int threads) {
      this.ioThreads = threads;
      return this;
    }

    /**
     * Sets how long a TCP connection may stay idle before it is closed (default 10 s; RFC 7766
     * suggests seconds, not minutes, for servers).
     *
     * @param timeout 1 ms to 1 hour
     * @return this builder
     */
    public Builder tcpIdleTimeout(Duration timeout) {
      this.tcpIdleTimeout = Objects.requireNonNull(timeout, "tcpIdleTimeout");
      return this;
    }

    /**
     * Sets the event listener (default none).
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(DnsQueryListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Validates the settings, binds UDP and TCP and starts serving.
     *
     * @return the running responder
     * @throws IllegalArgumentException naming a setting outside its range
     * @throws DnsResponderException if the port cannot be bound
     */
    public DnsResponder start() {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
      }
      if (maxUdpPayloadSize < 512 || maxUdpPayloadSize > 4096) {
        throw new IllegalArgumentException(
            "maxUdpPayloadSize must be in [512, 4096], got " + maxUdpPayloadSize);
      }
      if (ioThreads < 1 || ioThreads > 64) {
        throw new IllegalArgumentException("ioThreads must be in [1, 64], got " + ioThreads);
      }
      if (tcpIdleTimeout.compareTo(Duration.ofMillis(1)) < 0
          || tcpIdleTimeout.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException(
            "tcpIdleTimeout must be in [1ms, 1h], got " + tcpIdleTimeout);
      }
      InetAddress address = bindAddress != null ? bindAddress : loopback();
      ResponderCounters counters = new ResponderCounters();
      DnsQueryHandler handler = new DnsQueryHandler(router, maxUdpPayloadSize, listener, counters);
      EventLoopGroup group =
          new MultiThreadIoEventLoopGroup(
              ioThreads, new DefaultThreadFactory("dsblocks-dns", true), NioIoHandler.newFactory());
      try {
        RuntimeException last = null;
        for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
          Channel udp = bindUdp(group, address, port, handler);
          int boundPort = ((InetSocketAddress) udp.localAddress()).getPort();
          ChannelFuture tcpBind = bindTcp(group, address, boundPort, handler);
          if (tcpBind.isSuccess()) {
            return new DnsResponder(router, group, udp, tcpBind.channel(), counters);
          }
          udp.close().syncUninterruptibly();
          last =
              new DnsResponderException(
                  "cannot bind TCP " + address.getHostAddress() + ":" + boundPort, tcpBind.cause());
          if (port != 0) {
            break; // a fixed port will not become free by retrying
          }
          // Ephemeral: the UDP port's TCP twin was taken by someone else; try another pair.
        }
        throw last;
      } catch (RuntimeException e) {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
        throw e;
      }
    }

    private static InetAddress loopback() {
      try {
        return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
      } catch (UnknownHostException e) {
        throw new AssertionError(e);
      }
    }

    private static Channel bindUdp(
        EventLoopGroup group, InetAddress address, int port, DnsQueryHandler handler) {
      ChannelFuture bind =
          new Bootstrap()
              .group(group)
              .channel(NioDatagramChannel.class)
              .option(
                  ChannelOption.RECVBUF_ALLOCATOR,
                  new FixedRecvByteBufAllocator(UDP_RECEIVE_BUFFER))
              .handler(
                  new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                      ch.pipeline()
                          .addLast(new DatagramDnsQueryDecoder())
                          .addLast(new DatagramDnsResponseEncoder())
                          .addLast(handler);
                    }
                  })
              .bind(address, port)
              .awaitUninterruptibly();
      if (!bind.isSuccess()) {
        throw new DnsResponderException(
            "cannot bind UDP " + address.getHostAddress() + ":" + port, bind.cause());
      }
      return bind.channel();
    }

    private ChannelFuture bindTcp(
        EventLoopGroup group, InetAddress address, int port, DnsQueryHandler handler) {
      long idleNanos = tcpIdleTimeout.toNanos();
      return new ServerBootstrap()
          .group(group)
          .channel(NioServerSocketChannel.class)
          .childHandler(
              new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                  ch.pipeline()
                      .addLast(new IdleStateHandler(0, 0, idleNanos, TimeUnit.NANOSECONDS))
                      .addLast(new IdleCloser())
                      .addLast(new TcpDnsQueryDecoder())
                      .addLast(new TcpDnsResponseEncoder())
                      .addLast(handler);
                }
              })
          .bind(address, port)
          .awaitUninterruptibly();
    }
  }
}
