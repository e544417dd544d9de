package io.dsblocks.loadbalancer.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dsblocks.loadbalancer.dns.DnsTestClient.Query;
import io.dsblocks.loadbalancer.dns.DnsTestClient.Reply;
import io.dsblocks.loadbalancer.dns.DnsTestClient.Rr;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.NoopDnsCnameCache;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The responder over real UDP and TCP sockets on 127.0.0.1, queried with a raw Netty DNS client and
 * with Netty's {@link DnsNameResolver}, under the paranoid leak detector.
 */
@Tag("integration")
@ExtendWith(NettyLeakGuard.class)
class DnsResponderTest {
  /** Local queries come from 127.0.0.1, which the geo table places in France (eu-west). */
  private static final String LONG_LABEL = "multivalue-with-a-long-name-to-overflow-a-datagram";

  private static final ManualHealthSource health = new ManualHealthSource();
  private static final AtomicBoolean healthExplodes = new AtomicBoolean();
  private static final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
  private static GlobalRouter router;
  private static DnsResponder responder;
  private static DnsTestClient client;

  static GlobalRoutingConfig config() {
    RecordSet.Builder big = RecordSet.simple("big.example.test", RecordType.AAAA);
    for (int i = 1; i <= 40; i++) {
      big.value("v" + i, "2001:db8::" + Integer.toHexString(i));
    }
    RecordSet.Builder big4 = RecordSet.simple("big4.example.test", RecordType.A);
    for (int i = 1; i <= 60; i++) {
      big4.value("v" + i, "192.0.2." + i);
    }
    RecordSet.Builder mv = RecordSet.multivalue("mv.example.test", RecordType.A);
    for (int i = 1; i <= 12; i++) {
      mv.value(RecordValue.builder("v" + i, "198.51.100." + i).healthCheck("mv" + i));
    }
    RecordSet.Builder mv6 = RecordSet.multivalue(LONG_LABEL + ".example.test", RecordType.AAAA);
    for (int i = 1; i <= 10; i++) {
      mv6.value("v" + i, "2001:db8:6::" + i);
    }
    return GlobalRoutingConfig.builder()
        .zone("example.test")
        .negativeTtlSeconds(45)
        .soaSerial(2024)
        .recordSet(
            RecordSet.weighted("www.example.test", RecordType.A)
                .ttlSeconds(30)
                .value(RecordValue.builder("blue", "192.0.2.10").weight(3))
                .value(RecordValue.builder("green", "192.0.2.20").weight(1)))
        .recordSet(
            RecordSet.failover("api.example.test", RecordType.A)
                .value(
                    RecordValue.builder("primary", "192.0.2.1")
                        .failover(FailoverRole.PRIMARY)
                        .healthCheck("primary"))
                .value(
                    RecordValue.builder("secondary", "198.51.100.1")
                        .failover(FailoverRole.SECONDARY)))
        .recordSet(
            RecordSet.geolocation("geo.example.test", RecordType.A)
                .value(RecordValue.builder("de", "192.0.2.49").location(GeoLocation.country("DE")))
                .value(
                    RecordValue.builder("eu", "192.0.2.150")
                        .location(GeoLocation.continent(Continent.EU)))
                .value(
                    RecordValue.builder("world", "192.0.2.1")
                        .location(GeoLocation.defaultLocation())))
        .recordSet(
            RecordSet.latency("lat.example.test", RecordType.A)
                .value(RecordValue.builder("us", "192.0.2.110").region("us-east"))
                .value(RecordValue.builder("eu", "192.0.2.120").region("eu-west")))
        .recordSet(mv)
        .recordSet(mv6)
        .recordSet(big)
        .recordSet(big4)
        .recordSet(
            RecordSet.simple("alias.example.test", RecordType.CNAME).value("c", "web.example.test"))
        .recordSet(RecordSet.simple("web.example.test", RecordType.A).value("w", "192.0.2.80"))
        .recordSet(
            RecordSet.multivalue("boom.example.test", RecordType.A)
                .value(RecordValue.builder("b", "192.0.2.66").healthCheck("boom")))
        .build();
  }

  /** A listener that records each answer as {@code "<name> <status> udp|tcp"}. */
  private static DnsQueryListener recordingInto(java.util.Collection<String> sink) {
    return new DnsQueryListener() {
      @Override
      public void onResponse(
          String name,
          int queryType,
          DnsStatus status,
          int answerCount,
          boolean tcp,
          boolean truncated) {
        sink.add(name + " " + status + (tcp ? " tcp" : " udp"));
      }
    };
  }

  @BeforeAll
  static void start() {
    RttTable rtt =
        new RttTable()
            .set("eu-west", "us-east", Duration.ofMillis(80))
            .set("eu-west", "eu-west", Duration.ofMillis(10));
    router =
        GlobalRouter.builder(config())
            .healthSource(
                id -> {
                  if (healthExplodes.get() && id.equals("boom")) {
                    throw new IllegalStateException("health backend down");
                  }
                  return health.isHealthy(id);
                })
            .geoResolver(
                CidrGeoResolver.builder()
                    .add("127.0.0.0/8", ClientLocation.of(Continent.EU, "FR", "eu-west"))
                    .add("203.0.113.0/24", ClientLocation.of(Continent.EU, "DE", "eu-central"))
                    .add("198.51.100.0/24", ClientLocation.of(Continent.NA, "US", "us-east"))
                    .build())
            .latencySource(rtt)
            .random(new Random(2024))
            .build();
    responder = DnsResponder.builder(router).listener(recordingInto(events)).start();
    client = new DnsTestClient(responder.localAddress());
  }

  @AfterAll
  static void stop() {
    client.close();
    responder.close();
    responder.close(); // idempotent
  }

  private static Reply udp(String name, RecordType type) throws Exception {
    return client.udp(Query.of(name, type));
  }

  @Test
  void bindsLoopbackOnAnEphemeralPort() {
    assertThat(responder.localAddress().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
    assertThat(responder.port()).isPositive();
  }

  @Test
  void answersAuthoritativelyWithConfiguredTtlAndEchoesTheQuestion() throws Exception {
    Reply r = udp("WwW.Example.Test", RecordType.A);
    assertThat(r.rcode()).isZero();
    assertThat(r.aa()).isTrue();
    assertThat(r.tc()).isFalse();
    assertThat(r.rd()).isTrue(); // echoed
    assertThat(r.questions()).containsExactly("WwW.Example.Test. 1");
    assertThat(r.answers()).hasSize(1);
    Rr answer = r.answers().get(0);
    assertThat(answer.name()).isEqualTo("WwW.Example.Test."); // owner spelled as asked
    assertThat(answer.ttl()).isEqualTo(30);
    assertThat(answer.data()).isIn("192.0.2.10", "192.0.2.20");
    assertThat(events).contains("WwW.Example.Test. NOERROR udp");
  }

  @Test
  void weightedAnswersFollowTheWeights() throws Exception {
    int n = 400;
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      counts.merge(udp("www.example.test", RecordType.A).answerData().get(0), 1, Integer::sum);
    }
    // 3:1 -> expected 300 and 100; five standard deviations (about 43) of slack.
    assertThat(counts.keySet()).containsExactlyInAnyOrder("192.0.2.10", "192.0.2.20");
    assertThat(counts.get("192.0.2.10")).isBetween(257, 343);
  }

  @Test
  void failoverSwitchesAsSoonAsHealthFlips() throws Exception {
    assertThat(udp("api.example.test", RecordType.A).answerData()).containsExactly("192.0.2.1");
    health.setHealthy("primary", false);
    try {
      assertThat(udp("api.example.test", RecordType.A).answerData())
          .containsExactly("198.51.100.1");
      assertThat(client.tcp(Query.of("api.example.test", RecordType.A)).answerData())
          .containsExactly("198.51.100.1");
    } finally {
      health.setHealthy("primary", true);
    }
    assertThat(udp("api.example.test", RecordType.A).answerData()).containsExactly("192.0.2.1");
  }

  @Test
  void geolocationUsesTheSourceAddressOrTheClientSubnet() throws Exception {
    // 127.0.0.1 is France: no FR record, so the EU continent record.
    assertThat(udp("geo.example.test", RecordType.A).answerData()).containsExactly("192.0.2.150");
    // A resolver asking on behalf of 203.0.113.0/24 (Germany): the country record wins.
    Reply de =
        client.udp(Query.of("geo.example.test", RecordType.A).clientSubnet("203.0.113.0", 24));
    assertThat(de.answerData()).containsExactly("192.0.2.49");
    // The reply echoes the subnet with scope 24: the answer is only valid for that subnet.
    assertThat(de.opt().data()).isEqualTo("0008000700011818cb0071");
    Reply us =
        client.udp(Query.of("geo.example.test", RecordType.A).clientSubnet("198.51.100.0", 24));
    assertThat(us.answerData()).containsExactly("192.0.2.1");
    // A location-independent answer is scoped to everyone (scope 0).
    Reply www =
        client.udp(Query.of("web.example.test", RecordType.A).clientSubnet("203.0.113.0", 24));
    assertThat(www.opt().data()).isEqualTo("0008000700011800cb0071");
    // A /0 subnet asks not to be located: default record.
    Reply hidden =
        client.udp(Query.of("geo.example.test", RecordType.A).clientSubnet("0.0.0.0", 0));
    assertThat(hidden.answerData()).containsExactly("192.0.2.1");
  }

  @Test
  void multivalueGivesAtMostEightHealthyRecords() throws Exception {
    health.setHealthy("mv3", false).setHealthy("mv7", false);
    try {
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < 30; i++) {
        List<String> values = udp("mv.example.test", RecordType.A).answerData();
        assertThat(values).hasSize(8).doesNotHaveDuplicates();
        assertThat(values).doesNotContain("198.51.100.3", "198.51.100.7");
        seen.addAll(values);
      }
      assertThat(seen).hasSize(10);
    } finally {
      health.setHealthy("mv3", true).setHealthy("mv7", true);
    }
  }

  @Test
  void latencyAnswersTheLowestRttRegionForTheClientsRegion() throws Exception {
    // 127.0.0.1 is in eu-west: 10 ms to eu-west beats 80 ms to us-east.
    assertThat(udp("lat.example.test", RecordType.A).answerData()).containsExactly("192.0.2.120");
  }

  @Test
  void cnameIsFollowedToTheTargetsRecords() throws Exception {
    Reply r = udp("alias.example.test", RecordType.A);
    assertThat(r.answers())
        .extracting(Rr::name, Rr::type, Rr::data)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("alias.example.test.", 5, "web.example.test."),
            org.assertj.core.groups.Tuple.tuple("web.example.test.", 1, "192.0.2.80"));
    assertThat(udp("alias.example.test", RecordType.CNAME).answerData())
        .containsExactly("web.example.test.");
  }

  @Test
  void negativeAnswersFollowDnsRules() throws Exception {
    Reply nx = udp("nope.example.test", RecordType.A);
    assertThat(nx.rcode()).isEqualTo(DnsResponseCode.NXDOMAIN.intValue());
    assertThat(nx.aa()).isTrue();
    assertThat(nx.answers()).isEmpty();
    // SOA in the authority section with the negative TTL as both TTL and MINIMUM.
    assertThat(nx.authority()).hasSize(1);
    assertThat(nx.authority().get(0).name()).isEqualTo("example.test.");
    assertThat(nx.authority().get(0).ttl()).isEqualTo(45);
    assertThat(nx.authority().get(0).data())
        .isEqualTo("example.test. hostmaster.example.test. 2024 3600 600 86400 45");

    Reply nodata = udp("www.example.test", RecordType.AAAA);
    assertThat(nodata.rcode()).isZero();
    assertThat(nodata.aa()).isTrue();
    assertThat(nodata.answers()).isEmpty();
    assertThat(nodata.authority()).hasSize(1);

    Reply refused = udp("www.example.org", RecordType.A);
    assertThat(refused.rcode()).isEqualTo(DnsResponseCode.REFUSED.intValue());
    assertThat(refused.aa()).isFalse();
    assertThat(refused.authority()).isEmpty();

    Reply soa = client.udp(Query.of("example.test", DnsRecordType.SOA.intValue()));
    assertThat(soa.rcode()).isZero();
    assertThat(soa.answers()).hasSize(1);
    assertThat(soa.answers().get(0).type()).isEqualTo(6);

    Reply chaos = client.udp(Query.of("www.example.test", RecordType.A).dnsClass(3));
    assertThat(chaos.rcode()).isEqualTo(DnsResponseCode.REFUSED.intValue());
  }

  @Test
  void protocolErrorsGetTheirRcodes() throws Exception {
    Reply noQuestion = client.udp(Query.of("x", RecordType.A).noQuestion());
    assertThat(noQuestion.rcode()).isEqualTo(DnsResponseCode.FORMERR.intValue());

    Reply status = client.udp(Query.of("www.example.test", RecordType.A).opCode(2));
    assertThat(status.rcode()).isEqualTo(DnsResponseCode.NOTIMP.intValue());

    Reply any = client.udp(Query.of("www.example.test", 255));
    assertThat(any.rcode()).isEqualTo(DnsResponseCode.NOTIMP.intValue());

    // EDNS version 1: BADVERS (16) = extended RCODE 1 in the OPT TTL, 0 in the header.
    Reply badVers = client.udp(Query.of("www.example.test", RecordType.A).ednsVersion(1));
    assertThat(badVers.rcode()).isZero();
    assertThat(badVers.opt().ttl() >>> 24).isEqualTo(1);
    assertThat(badVers.answers()).isEmpty();

    // Client Subnet with a non-zero scope in a query is malformed (RFC 7871).
    byte[] badEcs = {0, 8, 0, 7, 0, 1, 24, 8, (byte) 203, 0, 113};
    Reply formErr = client.udp(Query.of("geo.example.test", RecordType.A).options(badEcs));
    assertThat(formErr.rcode()).isEqualTo(DnsResponseCode.FORMERR.intValue());
  }

  @Test
  void failingHealthSourceGivesServfailNotACrash() throws Exception {
    healthExplodes.set(true);
    try {
      Reply r = udp("boom.example.test", RecordType.A);
      assertThat(r.rcode()).isEqualTo(DnsResponseCode.SERVFAIL.intValue());
    } finally {
      healthExplodes.set(false);
    }
    assertThat(udp("boom.example.test", RecordType.A).answerData()).containsExactly("192.0.2.66");
  }

  @Test
  void largeAnswersAreTruncatedOverUdpAndCompleteOverTcp() throws Exception {
    long truncatedBefore = responder.stats().truncated();
    // No EDNS: 512 bytes. Each AAAA record here is 18 + 10 + 16 = 44 bytes after 34 bytes of
    // header and question, so exactly 10 of the 40 fit.
    Reply small = udp("big.example.test", RecordType.AAAA);
    assertThat(small.tc()).isTrue();
    assertThat(small.answers()).hasSize(10);
    // EDNS 4096 capped at the responder's 1232 (and 11 bytes for our OPT): 26 records.
    Reply edns = client.udp(Query.of("big.example.test", RecordType.AAAA).edns(4096));
    assertThat(edns.tc()).isTrue();
    assertThat(edns.answers()).hasSize(26);
    assertThat(edns.opt().dnsClass()).isEqualTo(DnsResponder.DEFAULT_MAX_UDP_PAYLOAD);
    // TCP: everything.
    Reply full = client.tcp(Query.of("big.example.test", RecordType.AAAA));
    assertThat(full.tc()).isFalse();
    assertThat(full.answers()).hasSize(40);
    assertThat(responder.stats().truncated()).isEqualTo(truncatedBefore + 2);

    // A multivalue answer of 8 records with a long owner name does not fit 512 bytes either.
    String name = LONG_LABEL + ".example.test";
    Reply mvUdp = udp(name, RecordType.AAAA);
    assertThat(mvUdp.tc()).isTrue();
    assertThat(mvUdp.answers().size()).isLessThan(8);
    Reply mvTcp = client.tcp(Query.of(name, RecordType.AAAA));
    assertThat(mvTcp.tc()).isFalse();
    assertThat(mvTcp.answers()).hasSize(8);
  }

  @Test
  void nettyResolverRetriesOverTcpAndGetsEveryRecord() throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    DnsNameResolver resolver =
        new DnsNameResolverBuilder(group.next())
            .datagramChannelType(NioDatagramChannel.class)
            .socketChannelType(NioSocketChannel.class) // enables the TC -> TCP retry
            .nameServerProvider(
                new SingletonDnsServerAddressStreamProvider(responder.localAddress()))
            .resolveCache(NoopDnsCache.INSTANCE)
            .cnameCache(NoopDnsCnameCache.INSTANCE)
            .resolvedAddressTypes(ResolvedAddressTypes.IPV4_ONLY)
            .recursionDesired(false)
            .queryTimeoutMillis(5_000)
            .build();
    try {
      long tcpBefore = responder.stats().tcpQueries();
      List<InetAddress> all = resolver.resolveAll("big4.example.test").get(10, TimeUnit.SECONDS);
      assertThat(all).hasSize(60);
      assertThat(responder.stats().tcpQueries()).isGreaterThan(tcpBefore);

      InetAddress www = resolver.resolve("www.example.test").get(10, TimeUnit.SECONDS);
      assertThat(NetUtil.toAddressString(www)).isIn("192.0.2.10", "192.0.2.20");
      InetAddress alias = resolver.resolve("alias.example.test").get(10, TimeUnit.SECONDS);
      assertThat(NetUtil.toAddressString(alias)).isEqualTo("192.0.2.80");

      AddressedEnvelope<DnsResponse, java.net.InetSocketAddress> nx =
          resolver
              .query(new DefaultDnsQuestion("nope.example.test", DnsRecordType.A))
              .get(10, TimeUnit.SECONDS);
      try {
        assertThat(nx.content().code()).isEqualTo(DnsResponseCode.NXDOMAIN);
        assertThat(nx.content().isAuthoritativeAnswer()).isTrue();
        assertThat(nx.content().count(DnsSection.AUTHORITY)).isEqualTo(1);
      } finally {
        nx.release();
      }
      try {
        resolver.resolve("nope.example.test").get(10, TimeUnit.SECONDS);
        throw new AssertionError("expected NXDOMAIN");
      } catch (ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(UnknownHostException.class);
      }
    } finally {
      resolver.close();
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @Test
  void malformedPacketsAreCountedAndDroppedAndServiceContinues() throws Exception {
    long before = responder.stats().malformed();
    byte[][] garbage = {
      {1, 2, 3}, // shorter than a header
      {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0}, // one question announced, none present
      {0x12, 0x34, (byte) 0x81, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1}, // a response
      // A name that is a compression pointer to itself.
      {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xC0, 12, 0, 1, 0, 1},
      // A label length running past the end.
      {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 60, 'a', 'b'},
    };
    for (byte[] packet : garbage) {
      client.sendRawUdp(packet);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> responder.stats().malformed() == before + garbage.length);
    assertThat(udp("web.example.test", RecordType.A).answerData()).containsExactly("192.0.2.80");

    // A name whose label holds a NUL byte decodes but could not be echoed: FORMERR, no crash.
    byte[] nulQuery = {
      0x43, 0x21, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, // header: id 0x4321, RD, one question
      3, 'a', 0, 'b', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't', 'e', 's', 't',
      0, // a\0b.example.test
      0, 1, 0, 1 // A IN
    };
    byte[] nul = client.rawUdpExchange(nulQuery);
    assertThat(nul[0]).isEqualTo((byte) 0x43);
    assertThat(nul[1]).isEqualTo((byte) 0x21);
    assertThat(nul[3] & 0x0F).isEqualTo(DnsResponseCode.FORMERR.intValue());

    // TCP: a garbage frame closes that connection; others are unaffected.
    byte[] frame = {0, 5, 1, 2, 3, 4, 5};
    assertThat(client.sendRawTcpUntilClosed(frame)).isEmpty();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> responder.stats().malformed() == before + garbage.length + 1);
    assertThat(client.tcp(Query.of("web.example.test", RecordType.A)).answerData())
        .containsExactly("192.0.2.80");
    assertThat(responder.stats().internalErrors()).isZero();
  }

  @Test
  void configurationUpdatesAreServedAtOnce() throws Exception {
    GlobalRoutingConfig original = router.config();
    try {
      router.update(
          GlobalRoutingConfig.builder()
              .zone("example.test")
              .recordSet(
                  RecordSet.simple("web.example.test", RecordType.A).value("n", "192.0.2.81"))
              .build());
      assertThat(udp("web.example.test", RecordType.A).answerData()).containsExactly("192.0.2.81");
      assertThat(udp("www.example.test", RecordType.A).rcode())
          .isEqualTo(DnsResponseCode.NXDOMAIN.intValue());
    } finally {
      router.update(original);
    }
    assertThat(udp("web.example.test", RecordType.A).answerData()).containsExactly("192.0.2.80");
  }

  @Test
  void statsCountWhatHappened() throws Exception {
    // Its own responder: the shared one may still count a query of the previous test (a query is
    // counted just after its answer is on the wire), which would land in this test's deltas.
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (DnsResponder own = DnsResponder.builder(router).listener(recordingInto(seen)).start();
        DnsTestClient ownClient = new DnsTestClient(own.localAddress())) {
      ownClient.udp(Query.of("web.example.test", RecordType.A));
      ownClient.udp(Query.of("nope.example.test", RecordType.A));
      ownClient.tcp(Query.of("www.example.org", RecordType.A));
      // The responder may count a query just after its answer is on the wire: wait for all three.
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(10))
          .until(
              () -> {
                DnsResponderStats st = own.stats();
                return seen.size() >= 3
                    && st.udpQueries() + st.tcpQueries() >= 3
                    && st.noError() + st.nxDomain() + st.count(DnsStatus.REFUSED) >= 3;
              });
      DnsResponderStats after = own.stats();
      assertThat(after.udpQueries()).isEqualTo(2);
      assertThat(after.tcpQueries()).isEqualTo(1);
      assertThat(after.noError()).isEqualTo(1);
      assertThat(after.nxDomain()).isEqualTo(1);
      assertThat(after.count(DnsStatus.REFUSED)).isEqualTo(1);
      assertThat(seen)
          .containsExactlyInAnyOrder(
              "web.example.test. NOERROR udp",
              "nope.example.test. NXDOMAIN udp",
              "www.example.org. REFUSED tcp");
    }
  }

  @Test
  void aFixedPortCanBeReboundAfterClose() throws Exception {
    DnsResponder first = DnsResponder.start(router);
    int port = first.port();
    first.close();
    try (DnsResponder second = DnsResponder.builder(router).port(port).start()) {
      assertThat(second.port()).isEqualTo(port);
      try (DnsTestClient c = new DnsTestClient(second.localAddress())) {
        assertThat(c.udp(Query.of("web.example.test", RecordType.A)).answerData())
            .containsExactly("192.0.2.80");
      }
    }
  }
}
