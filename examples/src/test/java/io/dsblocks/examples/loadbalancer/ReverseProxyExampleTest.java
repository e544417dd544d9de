package io.dsblocks.examples.loadbalancer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReverseProxyExampleTest {

  @Test
  void killedBackendIsRetriedAroundAndEjectedWhileTheRestIsServed() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    AtomicLong progress = new AtomicLong();
    ReverseProxyExample.Result r;
    try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
      r = ReverseProxyExample.run(out, progress::set);
    }

    assertThat(r.requests()).isEqualTo(ReverseProxyExample.REQUESTS);
    assertThat(progress.get()).isEqualTo(ReverseProxyExample.REQUESTS);
    assertThat(r.protocol()).isEqualTo("HTTP_2");
    // Every request got an answer: served (200) or refused by the /report limit (429); the
    // requests that hit the killed backend were retried on the others, none surfaced as 5xx.
    assertThat(r.byStatus().keySet()).containsOnly(200, 429);
    assertThat(r.byStatus().get(429)).isPositive();
    assertThat(r.byStatus().values().stream().mapToInt(Integer::intValue).sum())
        .isEqualTo(r.requests());
    // The rate-limited route is 1 in 10 requests; at most those can be 429.
    assertThat(r.byStatus().get(429)).isLessThanOrEqualTo(r.requests() / 10);
    assertThat(r.byBackend()).containsKeys("b1", "b2", "b3");
    assertThat(r.byBackend().get("b1")).isGreaterThan(r.requests() / 5);
    assertThat(r.byBackend().get("b2")).isGreaterThan(r.requests() / 5);
    assertThat(r.ejections()).anySatisfy(e -> assertThat(e).startsWith("b3 "));
    assertThat(r.retries()).isPositive();
    double[] p = r.percentilesMillis();
    assertThat(p[0]).isPositive().isLessThanOrEqualTo(p[2]);
    assertThat(p[2]).isLessThanOrEqualTo(p[4]);
    assertThat(buffer.toString(StandardCharsets.UTF_8))
        .contains("served by backend:", "ejections: [b3", "latency ms: p50");
  }
}
