package io.dsblocks.examples.cache;

import io.dsblocks.examples.Console;
import io.dsblocks.examples.Scenario;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/** The ds-cache walk-through of the demo: {@link WriteBackExample}. */
public final class CacheScenario implements Scenario {

  /** Creates the scenario. */
  public CacheScenario() {}

  @Override
  public String id() {
    return "cache";
  }

  @Override
  public String description() {
    return "write-back cache in front of a slow store: hit rate, coalesced writes, crash replay";
  }

  @Override
  public List<Measurement> run(Console out) throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    WriteBackExample.Result r;
    try (PrintStream ps = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
      r = WriteBackExample.run(ps);
    }
    for (String line : buffer.toString(StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) {
        out.step("%s", line.strip());
      }
    }
    return List.of(
        new Measurement("cache hit rate", String.format(Locale.ROOT, "%.1f%%", 100 * r.hitRate())),
        new Measurement("puts -> store round trips", r.puts() + " -> " + r.storeCalls()),
        new Measurement("writes coalesced", Long.toString(r.coalesced())),
        new Measurement(
            "replayed after crash",
            r.replayed() + (r.replayedValueStored() ? " (all stored)" : " (NOT stored)")));
  }
}
