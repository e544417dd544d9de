package io.dsblocks.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DemoTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return Demo.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        false);
  }

  @Test
  void helpPrintsUsageAndEveryScenario() {
    assertThat(run("--help")).isZero();
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text).contains("Usage: java -jar dsblocks-demo.jar");
    for (Scenario s : Scenarios.all()) {
      assertThat(text).contains(s.id());
    }
  }

  @Test
  void unknownScenarioIsRejectedWithTheListOfValidOnes() {
    assertThat(run("no-such-scenario")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("Unknown scenario or option 'no-such-scenario'")
        .contains("Scenarios:");
  }

  @Test
  void scenarioIdsAreUniqueAndWellFormed() {
    assertThat(Scenarios.all()).extracting(Scenario::id).doesNotHaveDuplicates();
    assertThat(Scenarios.all())
        .allSatisfy(s -> assertThat(s.id()).matches("[a-z][a-z0-9-]*"))
        .allSatisfy(s -> assertThat(s.description()).isNotBlank());
  }

  @Test
  void defaultRunEndsWithASummaryTable() {
    int status = run();
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(status).as("exit status; stderr:%n%s", err).isZero();
    assertThat(text).contains("Summary").contains("| scenario");
    for (Scenario s : Scenarios.all()) {
      assertThat(text).contains("| " + s.id());
    }
  }
}
