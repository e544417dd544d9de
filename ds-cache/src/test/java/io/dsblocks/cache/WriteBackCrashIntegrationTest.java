package io.dsblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM that does acknowledged write-back puts with a journal, at seeded random
 * moments, restarts it (replaying the journal) and checks that every acknowledged write reached the
 * store in per-key order.
 */
@Tag("integration")
class WriteBackCrashIntegrationTest {
  private static final int KEYS = 7;
  private static final int PER_ROUND = 3_000;

  @TempDir Path dir;

  private Process start(Path journal, Path store, int from, int count) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-Xshare:auto",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            System.getProperty("java.class.path"),
            WriteBackCrashChild.class.getName(),
            journal.toString(),
            store.toString(),
            Integer.toString(from),
            Integer.toString(count),
            Integer.toString(KEYS));
    pb.redirectError(dir.resolve("child-stderr-" + from + ".txt").toFile());
    return pb.start();
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void everyAcknowledgedWriteReachesTheStoreInPerKeyOrder() throws Exception {
    Path journal = dir.resolve("cache.journal");
    Path store = dir.resolve("store.log");
    Random random = new Random(20261127L);
    Map<String, Integer> lastAcked = new HashMap<>();
    int next = 0;
    int kills = 0;
    long replayed = 0;
    for (int round = 0; round < 5; round++) {
      int killAfter = 1 + random.nextInt(PER_ROUND - 1);
      Process child = start(journal, store, next, PER_ROUND);
      int acks = 0;
      int lastAck = next - 1;
      boolean killed = false;
      try (BufferedReader out =
          new BufferedReader(
              new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          if (line.startsWith("READY ")) {
            replayed += Long.parseLong(line.substring(6));
          } else if (line.startsWith("ACK ")) {
            int i = Integer.parseInt(line.substring(4));
            assertThat(i).isEqualTo(lastAck + 1);
            lastAck = i;
            lastAcked.put("k" + (i % KEYS), i);
            if (++acks == killAfter && !killed) {
              // SIGKILL through the handle: Process.destroyForcibly() would also close our end of
              // the pipe and lose ACK lines the child printed just before dying.
              child.toHandle().destroyForcibly();
              killed = true;
            }
          }
        }
      }
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      if (killed) {
        kills++;
      }
      next = lastAck + 1; // the one put that may have returned without its ACK is redone
    }
    // Final recovery: replay, drain, exit cleanly.
    Process last = start(journal, store, next, 0);
    List<String> lines = new ArrayList<>();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(last.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        lines.add(line);
      }
    }
    assertThat(last.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(lines)
        .as(Files.readString(dir.resolve("child-stderr-" + next + ".txt")))
        .last()
        .isEqualTo("DONE");
    assertThat(kills).isEqualTo(5);
    assertThat(lines.get(0)).startsWith("READY ");
    replayed += Long.parseLong(lines.get(0).substring(6));
    // The kills must have left pending writes behind, or this test proves nothing.
    assertThat(replayed).as("writes replayed from the journal over all restarts").isPositive();

    Map<String, List<Integer>> history = new HashMap<>();
    for (String line : Files.readAllLines(store)) {
      String[] kv = line.split("=");
      history.computeIfAbsent(kv[0], k -> new ArrayList<>()).add(Integer.parseInt(kv[1]));
    }
    assertThat(history.keySet()).isEqualTo(lastAcked.keySet());
    for (Map.Entry<String, List<Integer>> e : history.entrySet()) {
      List<Integer> seen = e.getValue();
      for (int i = 1; i < seen.size(); i++) {
        assertThat(seen.get(i))
            .as("store history of %s must never go back: %s", e.getKey(), seen)
            .isGreaterThanOrEqualTo(seen.get(i - 1));
      }
      int finalValue = seen.get(seen.size() - 1);
      assertThat(finalValue)
          .as("last stored value of %s vs last acknowledged", e.getKey())
          .isGreaterThanOrEqualTo(lastAcked.get(e.getKey()))
          .isLessThan(next + 1);
      assertThat(finalValue % KEYS).isEqualTo(Integer.parseInt(e.getKey().substring(1)));
    }
  }
}
