package io.dsblocks.examples.loadbalancer;

import io.dsblocks.loadbalancer.dns.CidrGeoResolver;
import io.dsblocks.loadbalancer.dns.ClientLocation;
import io.dsblocks.loadbalancer.dns.Continent;
import io.dsblocks.loadbalancer.dns.DnsResponder;
import io.dsblocks.loadbalancer.dns.FailoverRole;
import io.dsblocks.loadbalancer.dns.GeoLocation;
import io.dsblocks.loadbalancer.dns.GlobalRouter;
import io.dsblocks.loadbalancer.dns.GlobalRoutingConfig;
import io.dsblocks.loadbalancer.dns.ManualHealthSource;
import io.dsblocks.loadbalancer.dns.RecordSet;
import io.dsblocks.loadbalancer.dns.RecordType;
import io.dsblocks.loadbalancer.dns.RecordValue;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryEncoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseDecoder;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.util.NetUtil;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Global DNS load balancing in one file: a {@link GlobalRouter} with weighted, failover and
 * geolocation names, served by a {@link DnsResponder} on 127.0.0.1 (ephemeral port), queried over
 * UDP with a raw Netty DNS client.
 *
 * <ul>
 *   <li>{@code www.example.test}: weighted 3:1 between a "blue" and a "green" deployment;
 *   <li>{@code api.example.test}: failover from a health-checked primary to a standby, flipped by
 *       marking the primary's health check down;
 *   <li>{@code geo.example.test}: a German server, a European one and a default one; the client is
 *       chosen with the EDNS Client Subnet option, as a resolver acting for a client would.
 * </ul>
 *
 * <p>While it runs you can also ask with {@code dig @127.0.0.1 -p PORT www.example.test +short}
 * (the port is printed). Copy this class to start: replace the literals with your zone, addresses
 * and health checks.
 */
public final class GlobalDnsExample {
  /** Weighted queries sent to show the split. */
  public static final int WEIGHTED_QUERIES = 400;

  /** What the run observed, for tests and the demo. */
  public record Result(
      int port,
      Map<String, Integer> weightedCounts,
      String failoverBefore,
      String failoverDuring,
      String failoverAfter,
      Map<String, String> geoAnswers) {}

  private GlobalDnsExample() {}

  /**
   * Runs the example and prints to standard output.
   *
   * @param args ignored
   * @throws Exception if the responder cannot start or a query fails
   */
  public static void main(String[] args) throws Exception {
    run(System.out);
  }

  /**
   * Runs the example.
   *
   * @param out where to print
   * @return what was observed
   * @throws Exception if the responder cannot start or a query fails
   */
  public static Result run(PrintStream out) throws Exception {
    ManualHealthSource health = new ManualHealthSource();
    GlobalRoutingConfig config =
        GlobalRoutingConfig.builder()
            .zone("example.test")
            .recordSet(
                RecordSet.weighted("www.example.test", RecordType.A)
                    .ttlSeconds(30)
                    .value(RecordValue.builder("blue", "192.0.2.10").weight(3))
                    .value(RecordValue.builder("green", "192.0.2.20").weight(1)))
            .recordSet(
                RecordSet.failover("api.example.test", RecordType.A)
                    .ttlSeconds(10) // short: clients follow a failover within seconds
                    .value(
                        RecordValue.builder("primary", "192.0.2.1")
                            .failover(FailoverRole.PRIMARY)
                            .healthCheck("primary-hc"))
                    .value(
                        RecordValue.builder("standby", "198.51.100.1")
                            .failover(FailoverRole.SECONDARY)))
            .recordSet(
                RecordSet.geolocation("geo.example.test", RecordType.A)
                    .value(
                        RecordValue.builder("frankfurt", "192.0.2.49")
                            .location(GeoLocation.country("DE")))
                    .value(
                        RecordValue.builder("dublin", "192.0.2.150")
                            .location(GeoLocation.continent(Continent.EU)))
                    .value(
                        RecordValue.builder("virginia", "192.0.2.200")
                            .location(GeoLocation.defaultLocation())))
            .build();
    GlobalRouter router =
        GlobalRouter.builder(config)
            .healthSource(health)
            .geoResolver(
                CidrGeoResolver.builder()
                    .add("203.0.113.0/24", ClientLocation.of(Continent.EU, "DE", "eu-central"))
                    .add("198.51.100.0/24", ClientLocation.of(Continent.EU, "FR", "eu-west"))
                    .add("192.0.2.0/24", ClientLocation.of(Continent.NA, "US", "us-east"))
                    .build())
            .random(new Random(42)) // reproducible output; drop it in production
            .build();

    try (DnsResponder dns = DnsResponder.start(router);
        UdpDnsClient client = new UdpDnsClient(dns.localAddress())) {
      out.printf("authoritative DNS for example.test on %s%n", dns.localAddress());
      out.printf("  try: dig @127.0.0.1 -p %d www.example.test +short%n%n", dns.port());

      Map<String, Integer> weighted = new TreeMap<>();
      for (int i = 0; i < WEIGHTED_QUERIES; i++) {
        for (String answer : client.query("www.example.test", null)) {
          weighted.merge(answer, 1, Integer::sum);
        }
      }
      out.printf("weighted www.example.test (blue:green = 3:1), %d queries:%n", WEIGHTED_QUERIES);
      weighted.forEach(
          (ip, n) -> out.printf("  %-12s %4d  %5.1f%%%n", ip, n, 100.0 * n / WEIGHTED_QUERIES));

      String before = String.join(",", client.query("api.example.test", null));
      health.setHealthy("primary-hc", false);
      String during = String.join(",", client.query("api.example.test", null));
      health.setHealthy("primary-hc", true);
      String after = String.join(",", client.query("api.example.test", null));
      out.printf("%nfailover api.example.test:%n");
      out.printf("  primary healthy   -> %s%n", before);
      out.printf("  primary down      -> %s (standby)%n", during);
      out.printf("  primary back      -> %s%n", after);

      Map<String, String> geo = new TreeMap<>();
      geo.put(
          "Germany  203.0.113.0/24",
          String.join(",", client.query("geo.example.test", "203.0.113.0")));
      geo.put(
          "France   198.51.100.0/24",
          String.join(",", client.query("geo.example.test", "198.51.100.0")));
      geo.put(
          "USA      192.0.2.0/24", String.join(",", client.query("geo.example.test", "192.0.2.0")));
      out.printf("%ngeolocation geo.example.test (country > continent > default):%n");
      geo.forEach((who, ip) -> out.printf("  client in %s -> %s%n", who, ip));

      out.printf("%nresponder stats: %s%n", dns.stats());
      return new Result(dns.port(), weighted, before, during, after, geo);
    }
  }

  /**
   * A minimal UDP DNS client on Netty's codec: one channel, queries matched to responses by id.
   * Enough for a demo; applications would use Netty's {@code DnsNameResolver}.
   */
  private static final class UdpDnsClient implements AutoCloseable {
    private final EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Map<Integer, CompletableFuture<List<String>>> pending = new ConcurrentHashMap<>();
    private final InetSocketAddress server;
    private final Channel channel;
    private int nextId = 1;

    UdpDnsClient(InetSocketAddress server) throws InterruptedException {
      this.server = server;
      this.channel =
          new Bootstrap()
              .group(group)
              .channel(NioDatagramChannel.class)
              .handler(
                  new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                      ch.pipeline()
                          .addLast(new DatagramDnsQueryEncoder())
                          .addLast(new DatagramDnsResponseDecoder())
                          .addLast(new ResponseHandler());
                    }
                  })
              .bind(server.getAddress(), 0)
              .sync()
              .channel();
    }

    /**
     * Asks for A records.
     *
     * @param name the name
     * @param clientSubnet a /24 to send as EDNS Client Subnet, or null for none
     * @return the addresses answered
     */
    List<String> query(String name, String clientSubnet) throws Exception {
      int id = nextId++;
      CompletableFuture<List<String>> answer = new CompletableFuture<>();
      pending.put(id, answer);
      DatagramDnsQuery query = new DatagramDnsQuery(null, server, id);
      query.setRecursionDesired(false);
      query.addRecord(DnsSection.QUESTION, new DefaultDnsQuestion(name, DnsRecordType.A));
      if (clientSubnet != null) {
        // EDNS OPT with a Client Subnet option (RFC 7871): family 1, /24, three address bytes.
        byte[] a = InetAddress.getByName(clientSubnet).getAddress();
        ByteBuf option =
            Unpooled.wrappedBuffer(new byte[] {0, 8, 0, 7, 0, 1, 24, 0, a[0], a[1], a[2]});
        query.addRecord(
            DnsSection.ADDITIONAL, new DefaultDnsRawRecord("", DnsRecordType.OPT, 1232, 0, option));
      }
      channel.writeAndFlush(query).sync(); // the encoder releases the query
      return answer.get(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
      channel.close().syncUninterruptibly();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class ResponseHandler extends SimpleChannelInboundHandler<DatagramDnsResponse> {
      @Override
      protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsResponse response) {
        // Copy the addresses out; the handler releases the response when this returns.
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < response.count(DnsSection.ANSWER); i++) {
          DnsRecord record = response.recordAt(DnsSection.ANSWER, i);
          if (record.type() == DnsRecordType.A && record instanceof DnsRawRecord) {
            ByteBuf content = ((DnsRawRecord) record).content();
            byte[] bytes = new byte[4];
            content.getBytes(content.readerIndex(), bytes);
            addresses.add(NetUtil.bytesToIpAddress(bytes));
          }
        }
        CompletableFuture<List<String>> answer = pending.remove(response.id());
        if (answer != null) {
          answer.complete(addresses);
        }
      }
    }
  }
}
