package io.dsblocks.examples.sharding;

import io.dsblocks.examples.Console;
import io.dsblocks.examples.Scenario;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/** The ds-sharding walk-through of the demo: {@link ShardedKvExample}. */
public final class ShardingScenario implements Scenario {

  /** Creates the scenario. */
  public ShardingScenario() {}

  @Override
  public String id() {
    return "sharding";
  }

  @Override
  public String description() {
    return "sharded KV over 5 nodes: replicas, hot keys, add a node, plan and live migration";
  }

  @Override
  public List<Measurement> run(Console out) throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    ShardedKvExample.Result r;
    try (PrintStream ps = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
      r = ShardedKvExample.run(ps);
    }
    for (String line : buffer.toString(StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) {
        out.step("%s", line.strip());
      }
    }
    return List.of(
        new Measurement(
            "keys moved adding node 6",
            String.format(
                Locale.ROOT,
                "%.2f%% (ideal %.2f%%)",
                100 * r.fractionMoved(),
                100 * r.idealFraction())),
        new Measurement("hash ranges in plan", Integer.toString(r.moves())),
        new Measurement("keys copied", Integer.toString(r.keysCopied())),
        new Measurement(
            "correct reads during migration", Integer.toString(r.readsDuringMigration())),
        new Measurement("hottest key", r.hottestKey()));
  }
}
