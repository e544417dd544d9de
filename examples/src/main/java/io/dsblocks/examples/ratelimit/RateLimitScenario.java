package io.dsblocks.examples.ratelimit;

import io.dsblocks.examples.Console;
import io.dsblocks.examples.Scenario;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The ds-ratelimit walk-through of the demo: {@link ProtectedServiceExample}. */
public final class RateLimitScenario implements Scenario {

  /** Creates the scenario. */
  public RateLimitScenario() {}

  @Override
  public String id() {
    return "ratelimit";
  }

  @Override
  public String description() {
    return "bursty client vs a flaky service: token bucket, circuit breaker, retry budget";
  }

  @Override
  public List<Measurement> run(Console out) throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    ProtectedServiceExample.Result r;
    Console.ProgressBar bar = out.progress("bursty client", ProtectedServiceExample.REQUESTS);
    try (PrintStream ps = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
      r = ProtectedServiceExample.run(ps, bar::update);
    }
    bar.done();
    for (String line : buffer.toString(StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) {
        out.step("%s", line.strip());
      }
    }
    return List.of(
        new Measurement("requests succeeded", r.succeeded() + " of " + r.requests()),
        new Measurement("rejected by rate limiter", Integer.toString(r.rejectedByLimiter())),
        new Measurement("short-circuited by breaker", Integer.toString(r.shortCircuited())),
        new Measurement("retries granted", Long.toString(r.retriesGranted())),
        new Measurement("retries denied by budget", Long.toString(r.retriesDenied())),
        new Measurement("breaker transitions", summarize(r.transitions())));
  }

  /** E.g. "7 (opened 3x, closed again)": the full list is printed above the table. */
  static String summarize(List<String> transitions) {
    long openings = transitions.stream().filter(t -> t.endsWith("->OPEN")).count();
    boolean closed =
        !transitions.isEmpty() && transitions.get(transitions.size() - 1).endsWith("->CLOSED");
    return transitions.size()
        + " (opened "
        + openings
        + "x, "
        + (closed ? "closed again" : "not closed")
        + ")";
  }
}
