package io.dsblocks.examples.sharding;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.examples.Console;
import io.dsblocks.examples.Scenario;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShardedKvExampleTest {

  @Test
  void exampleMigratesWithoutLosingKeysAndPrintsThePlan() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    ShardedKvExample.Result r;
    try (PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      r = ShardedKvExample.run(ps);
    }
    String out = buf.toString(StandardCharsets.UTF_8);
    assertThat(out).contains("plan:").contains("-> node-6").contains("all 10000 keys readable");
    // Only the new node's share moves: about 1/6 of the keys, within the ring's point variance.
    assertThat(r.fractionMoved()).isBetween(0.10, 0.25);
    assertThat(r.keysCopied()).isBetween(1_000, 2_500);
    assertThat(r.readsDuringMigration()).isPositive();
    assertThat(r.hottestKey()).isEqualTo("user:7");
  }

  @Test
  void scenarioReportsItsMeasurements() throws Exception {
    Scenario s = new ShardingScenario();
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    List<Scenario.Measurement> m;
    try (PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      m = s.run(new Console(ps, false));
    }
    assertThat(s.id()).isEqualTo("sharding");
    assertThat(m).extracting(Scenario.Measurement::name).contains("keys moved adding node 6");
    assertThat(buf.toString(StandardCharsets.UTF_8)).contains("migrated");
  }
}
