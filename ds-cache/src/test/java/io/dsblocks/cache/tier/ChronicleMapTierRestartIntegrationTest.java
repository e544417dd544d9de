package io.dsblocks.cache.tier;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.cache.tier.ChronicleMapTier.OpenOutcome;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real process restart: a child JVM writes the L2 file and exits or is killed (SIGKILL); this JVM
 * then opens the file and finds the entries.
 */
@Tag("integration")
class ChronicleMapTierRestartIntegrationTest {
  private static final int COUNT = 2_000;
  private static final Pattern VALUE = Pattern.compile("v(\\d+)-(\\d+)-(\\d+)");

  @TempDir Path dir;

  private Process start(Path file, String mode) throws IOException {
    return start(file, mode, true);
  }

  private Process start(Path file, String mode, boolean chronicleFlags) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // The Chronicle Map flags this JVM was started with (surefire's argLine).
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (chronicleFlags && (arg.startsWith("--add-") || arg.startsWith("-Dchronicle."))) {
        cmd.add(arg);
      }
    }
    cmd.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            ChronicleTierChild.class.getName(),
            file.toString(),
            Integer.toString(COUNT),
            mode));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectError(dir.resolve("child-" + mode + ".err").toFile());
    return pb.start();
  }

  /** Starts the child, waits for the given line, then kills it (or lets it exit). */
  private void runChild(Path file, String mode, String waitFor, boolean kill) throws Exception {
    Process child = start(file, mode);
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      boolean seen = false;
      while ((line = out.readLine()) != null) {
        if (line.equals(waitFor)) {
          seen = true;
          if (kill) {
            child.toHandle().destroyForcibly(); // SIGKILL: no shutdown hooks, no close
          }
          break;
        }
      }
      assertThat(seen)
          .as(
              "child said %s; stderr: %s",
              waitFor, Files.readString(dir.resolve("child-" + mode + ".err")))
          .isTrue();
    } finally {
      if (!child.waitFor(60, TimeUnit.SECONDS)) {
        child.destroyForcibly();
      }
    }
    if (!kill) {
      assertThat(child.exitValue()).isZero();
    }
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void entriesWrittenByAnotherProcessThatClosedAreThereAfterRestart() throws Exception {
    Path file = dir.resolve("closed.l2");
    runChild(file, "close", "ready", false);
    try (ChronicleMapTier<String, String> tier = ChronicleTierChild.open(file, COUNT)) {
      assertThat(tier.openOutcome()).isEqualTo(OpenOutcome.REOPENED);
      assertThat(tier.size()).isEqualTo(COUNT);
      for (int i = 0; i < COUNT; i++) {
        assertThat(tier.get("k" + i)).isEqualTo(ChronicleTierChild.value(i, 0));
      }
    }
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void aJvmWithoutTheFlagsGetsAClearErrorAndLeavesTheFileAlone() throws Exception {
    Path file = dir.resolve("kept.l2");
    runChild(file, "close", "ready", false);
    Process bare = start(file, "close", false);
    assertThat(bare.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(bare.exitValue()).isNotZero();
    assertThat(Files.readString(dir.resolve("child-close.err")))
        .contains("CacheTierException: tier 'restart': Chronicle Map could not start")
        .contains("--add-opens=java.base/java.lang=ALL-UNNAMED");
    try (ChronicleMapTier<String, String> tier = ChronicleTierChild.open(file, COUNT)) {
      assertThat(tier.openOutcome()).isEqualTo(OpenOutcome.REOPENED);
      assertThat(tier.size()).isEqualTo(COUNT);
    }
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void aProcessKilledInTheMiddleOfWritesLeavesNoTornValue() throws Exception {
    Path file = dir.resolve("torn.l2");
    runChild(file, "rewrite", "rewriting", true);
    try (ChronicleMapTier<String, String> tier = ChronicleTierChild.open(file, COUNT)) {
      assertThat(tier.openOutcome()).isEqualTo(OpenOutcome.RECOVERED);
      int missing = 0;
      for (int i = 0; i < COUNT; i++) {
        String v = tier.get("k" + i);
        if (v == null) {
          missing++;
          continue;
        }
        // Every value read back is one the child wrote whole, for this key.
        Matcher m = VALUE.matcher(v);
        assertThat(m.matches()).as("value of k%d: %s", i, v).isTrue();
        assertThat(Integer.parseInt(m.group(1))).isEqualTo(i);
        assertThat(v).isEqualTo(ChronicleTierChild.value(i, Long.parseLong(m.group(2))));
      }
      // At most the entry being written at the kill may be dropped by recovery (checksum).
      assertThat(missing).isLessThanOrEqualTo(1);
      assertThat(tier.size()).isGreaterThanOrEqualTo(COUNT - 1);
      tier.put("after", "restart", null); // and the recovered map takes writes
      assertThat(tier.get("after")).isEqualTo("restart");
    }
  }
}
