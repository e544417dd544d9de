package io.dsblocks.loadbalancer.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The responder as a real resolver tool sees it: BIND's {@code dig} (Debian package {@code
 * bind9-dnsutils}) against 127.0.0.1. Skipped with a message when dig is missing, unless {@code
 * CI=true}, where it must be installed and a skip would hide a broken server.
 */
@Tag("integration")
@ExtendWith(NettyLeakGuard.class)
class DigIntegrationTest {
  private static final ManualHealthSource health = new ManualHealthSource();
  private static DnsResponder responder;

  @BeforeAll
  static void start() {
    requireDig();
    GlobalRouter router =
        GlobalRouter.builder(DnsResponderTest.config())
            .healthSource(health)
            .geoResolver(
                CidrGeoResolver.builder()
                    .add("127.0.0.0/8", ClientLocation.of(Continent.EU, "FR", "eu-west"))
                    .add("203.0.113.0/24", ClientLocation.of(Continent.EU, "DE", "eu-central"))
                    .build())
            .random(new Random(1))
            .build();
    responder = DnsResponder.start(router);
  }

  @AfterAll
  static void stop() {
    if (responder != null) {
      responder.close();
    }
  }

  private static void requireDig() {
    String problem;
    try {
      Process p = new ProcessBuilder("dig", "-v").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      problem = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? null : "dig -v failed";
    } catch (IOException e) {
      problem = "dig is not installed (" + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      problem = "interrupted while probing dig";
    }
    if (problem != null) {
      String message = problem + ": install Debian package bind9-dnsutils to run these tests";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        Assertions.fail(message + " (CI=true, so they must not be skipped)");
      }
      Assumptions.abort(message);
    }
  }

  /** Runs dig against the responder and returns its output lines. */
  private static List<String> dig(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add("dig");
    command.add("@127.0.0.1");
    command.add("-p");
    command.add(Integer.toString(responder.port()));
    command.add("+time=5");
    command.add("+tries=1");
    command.add("+norecurse");
    command.addAll(Arrays.asList(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("dig finished").isTrue();
    String text = new String(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("dig exit code, output:%n%s", text).isZero();
    List<String> lines = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (!line.isBlank()) {
        lines.add(line.strip());
      }
    }
    return lines;
  }

  @Test
  void shortAnswerForAWeightedName() throws Exception {
    assertThat(dig("www.example.test", "A", "+short"))
        .singleElement()
        .isIn("192.0.2.10", "192.0.2.20");
  }

  @Test
  void fullAnswerIsAuthoritativeWithTheConfiguredTtl() throws Exception {
    List<String> out = dig("web.example.test", "A");
    assertThat(out).anyMatch(l -> l.contains("status: NOERROR"));
    assertThat(out).anyMatch(l -> l.contains("flags: qr aa;"));
    assertThat(out)
        .anyMatch(l -> l.matches("web\\.example\\.test\\.\\s+60\\s+IN\\s+A\\s+192\\.0\\.2\\.80"));
  }

  @Test
  void cnameChainIsShown() throws Exception {
    assertThat(dig("alias.example.test", "A", "+short"))
        .containsExactly("web.example.test.", "192.0.2.80");
  }

  @Test
  void truncatedUdpAnswerIsRetriedOverTcpByDig() throws Exception {
    long tcpBefore = responder.stats().tcpQueries();
    assertThat(dig("big.example.test", "AAAA", "+short")).hasSize(40);
    assertThat(responder.stats().tcpQueries()).isGreaterThan(tcpBefore);
    // Without the retry the TC flag is visible.
    List<String> ignored = dig("big.example.test", "AAAA", "+ignore", "+noedns");
    assertThat(ignored).anyMatch(l -> l.contains("flags: qr aa tc;"));
    assertThat(dig("mv.example.test", "A", "+short", "+tcp")).hasSize(8).doesNotHaveDuplicates();
  }

  @Test
  void negativeAnswers() throws Exception {
    List<String> nx = dig("nope.example.test", "A");
    assertThat(nx).anyMatch(l -> l.contains("status: NXDOMAIN"));
    assertThat(nx).anyMatch(l -> l.contains("flags: qr aa;"));
    assertThat(nx).anyMatch(l -> l.startsWith("example.test.") && l.contains("SOA"));
    List<String> nodata = dig("www.example.test", "AAAA");
    assertThat(nodata).anyMatch(l -> l.contains("status: NOERROR"));
    assertThat(nodata).anyMatch(l -> l.contains("ANSWER: 0,"));
    assertThat(dig("www.example.org", "A")).anyMatch(l -> l.contains("status: REFUSED"));
  }

  @Test
  void geolocationFollowsTheClientSubnetDigSends() throws Exception {
    assertThat(dig("geo.example.test", "A", "+short")).containsExactly("192.0.2.150");
    assertThat(dig("geo.example.test", "A", "+short", "+subnet=203.0.113.0/24"))
        .containsExactly("192.0.2.49");
  }

  @Test
  void failoverFlipsForDigToo() throws Exception {
    assertThat(dig("api.example.test", "A", "+short")).containsExactly("192.0.2.1");
    health.setHealthy("primary", false);
    try {
      assertThat(dig("api.example.test", "A", "+short")).containsExactly("198.51.100.1");
    } finally {
      health.setHealthy("primary", true);
    }
  }
}
