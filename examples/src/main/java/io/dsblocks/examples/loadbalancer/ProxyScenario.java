package io.dsblocks.examples.loadbalancer;

import io.dsblocks.examples.Console;
import io.dsblocks.examples.Scenario;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/** The ds-loadbalancer walk-through of the demo: {@link ReverseProxyExample}. */
public final class ProxyScenario implements Scenario {

  /** Creates the scenario. */
  public ProxyScenario() {}

  @Override
  public String id() {
    return "proxy";
  }

  @Override
  public String description() {
    return "TLS reverse proxy over 3 backends: one killed mid-run, retries, ejection, limits";
  }

  @Override
  public List<Measurement> run(Console out) throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    ReverseProxyExample.Result r;
    Console.ProgressBar bar = out.progress("load through the proxy", ReverseProxyExample.REQUESTS);
    try (PrintStream ps = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
      r = ReverseProxyExample.run(ps, bar::update);
    }
    bar.done();
    for (String line : buffer.toString(StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) {
        out.step("%s", line.strip());
      }
    }
    double[] p = r.percentilesMillis();
    return List.of(
        new Measurement("requests (client protocol)", r.requests() + " (" + r.protocol() + ")"),
        new Measurement("served per backend", r.byBackend().toString()),
        new Measurement("status codes", r.byStatus().toString()),
        new Measurement("ejections", r.ejections().isEmpty() ? "none" : r.ejections().toString()),
        new Measurement("retried on another backend", Long.toString(r.retries())),
        new Measurement(
            "latency p50 / p99 / max",
            String.format(Locale.ROOT, "%.2f / %.2f / %.2f ms", p[0], p[2], p[4])));
  }
}
