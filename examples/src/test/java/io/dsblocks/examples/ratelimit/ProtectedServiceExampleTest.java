package io.dsblocks.examples.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.examples.Console;
import io.dsblocks.examples.Scenario;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtectedServiceExampleTest {

  private static ProtectedServiceExample.Result run(StringBuilder output, List<Long> progress) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    ProtectedServiceExample.Result r;
    try (PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      r = ProtectedServiceExample.run(ps, progress::add);
    }
    output.append(buf.toString(StandardCharsets.UTF_8));
    return r;
  }

  @Test
  void guardsKeepTheirPromisesThroughTheOutage() {
    StringBuilder out = new StringBuilder();
    List<Long> progress = new ArrayList<>();
    ProtectedServiceExample.Result r = run(out, progress);

    // Every request ends in exactly one outcome.
    assertThat(r.requests()).isEqualTo(ProtectedServiceExample.REQUESTS);
    assertThat(r.succeeded() + r.rejectedByLimiter() + r.shortCircuited() + r.failed())
        .isEqualTo(r.requests());
    assertThat(progress).isSorted().last().isEqualTo((long) ProtectedServiceExample.REQUESTS);

    // The token bucket never grants more than its burst plus the refill over the simulated time.
    long nanosPerPermit =
        ProtectedServiceExample.LIMIT_PERIOD.toNanos() / ProtectedServiceExample.LIMIT_PERMITS;
    long allowed = ProtectedServiceExample.LIMIT_PERMITS + r.simulatedNanos() / nanosPerPermit;
    assertThat(r.limiterPermits()).isLessThanOrEqualTo(allowed);
    // The client is bursty (100/s on average against 80/s): the limiter had to refuse some, and
    // it was used close to its limit.
    assertThat(r.rejectedByLimiter()).isPositive();
    assertThat(r.limiterPermits()).isGreaterThan(allowed * 3 / 4);

    // The outage opened the breaker, it probed while half-open and closed after the recovery.
    assertThat(r.transitions()).first().isEqualTo("CLOSED->OPEN");
    assertThat(r.transitions()).contains("OPEN->HALF_OPEN");
    assertThat(r.transitions()).last().isEqualTo("HALF_OPEN->CLOSED");
    assertThat(r.transitions()).doesNotContain("HALF_OPEN->HALF_OPEN", "OPEN->CLOSED");
    for (int i = 1; i < r.transitions().size(); i++) {
      String previousTarget = r.transitions().get(i - 1).split("->")[1];
      assertThat(r.transitions().get(i)).startsWith(previousTarget + "->");
    }
    assertThat(r.shortCircuited()).isPositive();

    // The outage's retries ran into the budget, which never allowed more than its rule:
    // per aligned 10 s block at most min/s * 10 s + 5% of that block's requests.
    assertThat(r.retriesGranted()).isPositive();
    assertThat(r.retriesDenied()).isPositive();
    long blocks = r.simulatedNanos() / 10_000_000_000L + 2;
    assertThat(r.retriesGranted())
        .isLessThanOrEqualTo(
            blocks * 10 * ProtectedServiceExample.RETRY_BUDGET_MIN_PER_SECOND
                + r.requests() * ProtectedServiceExample.RETRY_BUDGET_PERCENT / 100);
    // Failed requests all belong to the outage: at most its 200 requests.
    assertThat(r.failed())
        .isPositive()
        .isLessThanOrEqualTo(
            ProtectedServiceExample.OUTAGE_TO - ProtectedServiceExample.OUTAGE_FROM);

    assertThat(out)
        .contains("breaker service: CLOSED -> OPEN")
        .contains("breaker service: HALF_OPEN -> CLOSED")
        .contains("retries granted by the budget");
  }

  @Test
  void runsAreDeterministic() {
    ProtectedServiceExample.Result a = run(new StringBuilder(), new ArrayList<>());
    ProtectedServiceExample.Result b = run(new StringBuilder(), new ArrayList<>());
    assertThat(b).isEqualTo(a);
  }

  @Test
  void scenarioReportsItsMeasurementsWithAProgressBar() throws Exception {
    Scenario s = new RateLimitScenario();
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    List<Scenario.Measurement> m;
    try (PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      m = s.run(new Console(ps, false));
    }
    assertThat(s.id()).isEqualTo("ratelimit");
    assertThat(m)
        .extracting(Scenario.Measurement::name)
        .containsExactly(
            "requests succeeded",
            "rejected by rate limiter",
            "short-circuited by breaker",
            "retries granted",
            "retries denied by budget",
            "breaker transitions");
    assertThat(m.get(5).value()).matches("\\d+ \\(opened \\d+x, closed again\\)");
    assertThat(RateLimitScenario.summarize(List.of("CLOSED->OPEN", "OPEN->HALF_OPEN")))
        .isEqualTo("2 (opened 1x, not closed)");
    String text = buf.toString(StandardCharsets.UTF_8);
    assertThat(text).contains("bursty client").contains("100%").contains("CLOSED -> OPEN");
  }
}
