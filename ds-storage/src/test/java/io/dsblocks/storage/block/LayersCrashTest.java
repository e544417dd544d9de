package io.dsblocks.storage.block;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.storage.ObjectInfo;
import io.dsblocks.storage.ObjectStore;
import io.dsblocks.storage.fs.FileStore;
import io.dsblocks.storage.fs.FileStores;
import io.dsblocks.storage.internal.fs.DefaultFileStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM ({@link LayersChild}) driving block devices (writes, flushes, clones, deletes)
 * or a file store (writes, renames, deletes) with SIGKILL at seeded random moments, reopens the
 * repository here and checks: every acknowledged commit is there (each device's image, or the file
 * tree, equals the last acknowledged state or, for the commit in flight, its announced new state,
 * nothing in between), and nothing leaked: the live objects under {@code blockdev/} or {@code
 * filestore/fs/} are exactly the ones the committed maps or tree reference. Before {@code
 * Batch.delete}, a kill between a flush's commit and its deletes leaked the replaced blocks.
 * Repeats on the same repository, so later rounds start from earlier rounds' outcomes.
 */
@Tag("integration")
class LayersCrashTest {
  @TempDir Path dir;

  private static final int ROUNDS = 6;
  private static final Duration BUDGET = Duration.ofSeconds(120);

  /** Follows the child's announcements. */
  private interface LineHandler {
    /**
     * Handles one complete line; returns true when the child should be killed (ignored for the
     * lines still buffered after the kill).
     */
    boolean line(String[] parts);
  }

  /**
   * A line as the child printed it, or null if the kill cut it short (then what it announced had
   * not started, for BEGIN, or had completed, for ACK, which the in-flight rule covers).
   */
  private static String[] complete(String line) {
    String[] parts = line.split(" ");
    String last = parts[parts.length - 1];
    boolean ok =
        parts[0].equals("P")
            || (parts.length >= 2 && (last.length() == 64 || last.equals(LayersChild.GONE)));
    return ok ? parts : null;
  }

  /**
   * Runs a child until the handler picks the line to kill after, lets it run {@code
   * killDelayMillis} more (the random part of the kill moment, so that kills land anywhere inside a
   * commit, not just at its start), then kills it.
   */
  private void runChild(
      int round, String mode, Path repo, long seed, int killDelayMillis, LineHandler handler)
      throws Exception {
    Path err = dir.resolve(mode + "-" + round + ".err");
    Process child = LayersChild.start(err, mode, repo.toString(), Long.toString(seed));
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      while (true) {
        String line = out.readLine();
        if (line == null) {
          throw new AssertionError("child died on its own: " + Files.readString(err));
        }
        String[] parts = complete(line);
        if (parts == null) {
          throw new AssertionError("garbled line from a live child: " + line);
        }
        if (handler.line(parts)) {
          break;
        }
      }
      if (child.waitFor(killDelayMillis, TimeUnit.MILLISECONDS)) {
        throw new AssertionError("child died on its own: " + Files.readString(err));
      }
      // SIGKILL through the handle: Process.destroyForcibly would also close our end of its stdout.
      child.toHandle().destroyForcibly();
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
      // What it announced while it still ran.
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        String[] parts = complete(line);
        if (parts != null) {
          handler.line(parts);
        }
      }
    } finally {
      child.destroyForcibly();
    }
  }

  @Test
  void killedBlockDeviceWorkloadKeepsEveryAcknowledgedFlushAndLeaksNoBlock() throws Exception {
    Path repo = dir.resolve("repo");
    TestObjectStores.create(repo).close();
    Random random = new Random(20_261_128);
    Map<String, String> acked = new HashMap<>(); // device -> image sha or GONE
    long deadline = System.nanoTime() + BUDGET.toNanos();
    int rounds = 0;
    int inFlightLanded = 0;
    int inFlightLost = 0;
    int commits = 0;
    for (int round = 0; round < ROUNDS && System.nanoTime() < deadline; round++) {
      int acksBeforeKill = 2 + random.nextInt(25);
      int linesAfter = random.nextInt(6);
      Map<String, String> begun = new HashMap<>();
      int[] counts = new int[2]; // acks, lines after the ack threshold
      runChild(
          round,
          "block",
          repo,
          random.nextLong(),
          random.nextInt(40),
          parts -> {
            switch (parts[0]) {
              case "BEGIN" -> begun.put(parts[1], parts[2]);
              case "ACK" -> {
                acked.put(parts[1], parts[2]);
                begun.remove(parts[1]);
                counts[0]++;
              }
              case "P" -> {}
              default -> throw new AssertionError("unexpected " + String.join(" ", parts));
            }
            if (counts[0] >= acksBeforeKill) {
              counts[1]++;
            }
            return counts[0] >= acksBeforeKill && counts[1] > linesAfter;
          });
      commits += counts[0];
      assertThat(begun).as("at most one commit in flight").hasSizeLessThanOrEqualTo(1);
      try (ObjectStore store = TestObjectStores.open(repo)) {
        List<String> existing = new ArrayList<>();
        for (String n : LayersChild.DEVICES) {
          String actual = "NEVER";
          if (BlockDevices.exists(store, n)) {
            existing.add(n);
            try (BlockDevice d = BlockDevices.open(store, n)) {
              actual = LayersChild.sha256(LayersChild.image(d));
            }
          } else if (acked.containsKey(n) || begun.containsKey(n)) {
            actual = LayersChild.GONE;
          }
          String inFlight = begun.get(n);
          if (inFlight != null && inFlight.equals(actual) && !inFlight.equals(acked.get(n))) {
            inFlightLanded++;
          } else if (inFlight != null) {
            inFlightLost++;
            assertThat(actual)
                .as("round %d, %s: the last acknowledged state", round, n)
                .isEqualTo(acked.getOrDefault(n, "NEVER"));
          } else {
            assertThat(actual)
                .as("round %d, %s: the last acknowledged state", round, n)
                .isEqualTo(acked.getOrDefault(n, "NEVER"));
          }
          // What was found is now the acknowledged state for the next round.
          acked.put(n, actual);
        }
        assertThat(BlockReclaimTest.storedKeys(store))
            .as("round %d: every object under blockdev/ is referenced by a device", round)
            .isEqualTo(BlockReclaimTest.referencedKeys(store, existing));
        assertThat(store.verify().healthy()).as("round %d", round).isTrue();
      }
      rounds++;
    }
    assertThat(rounds).isGreaterThanOrEqualTo(4);
    System.out.printf(
        "block crash test: %d rounds, %d commits acknowledged, in-flight commit landed %d /"
            + " absent %d%n",
        rounds, commits, inFlightLanded, inFlightLost);
  }

  @Test
  void killedFileStoreWorkloadKeepsEveryAcknowledgedChangeAndLeaksNoObject() throws Exception {
    Path repo = dir.resolve("repo");
    String acked;
    try (ObjectStore store = TestObjectStores.create(repo);
        FileStore fs = FileStores.create(store, LayersChild.FILE_STORE)) {
      acked = LayersChild.digest(LayersChild.walk(fs));
    }
    Random random = new Random(20_261_129);
    long deadline = System.nanoTime() + BUDGET.toNanos();
    int rounds = 0;
    int inFlightLanded = 0;
    int inFlightLost = 0;
    int acks = 0;
    for (int round = 0; round < ROUNDS && System.nanoTime() < deadline; round++) {
      int acksBeforeKill = 2 + random.nextInt(25);
      boolean killAtBegin = random.nextBoolean();
      String[] state = {acked, null}; // last ack, in-flight
      int[] count = {0};
      runChild(
          round,
          "files",
          repo,
          random.nextLong(),
          random.nextInt(40),
          parts -> {
            switch (parts[0]) {
              case "BEGIN" -> state[1] = parts[1];
              case "ACK" -> {
                state[0] = parts[1];
                state[1] = null;
                count[0]++;
              }
              default -> throw new AssertionError("unexpected " + String.join(" ", parts));
            }
            return count[0] >= acksBeforeKill && (parts[0].equals("BEGIN") == killAtBegin);
          });
      acks += count[0];
      try (ObjectStore store = TestObjectStores.open(repo);
          FileStore fs = FileStores.open(store, LayersChild.FILE_STORE)) {
        TreeMap<String, String> tree = LayersChild.walk(fs);
        String actual = LayersChild.digest(tree);
        if (state[1] != null && actual.equals(state[1])) {
          inFlightLanded++;
        } else {
          inFlightLost += state[1] != null ? 1 : 0;
          assertThat(actual)
              .as("round %d: the last acknowledged tree (now %s)", round, tree)
              .isEqualTo(state[0]);
        }
        acked = actual;
        Set<String> stored = new TreeSet<>();
        for (ObjectInfo info : store.list("filestore/" + LayersChild.FILE_STORE + "/")) {
          stored.add(info.key());
        }
        assertThat(stored)
            .as("round %d: every object of the file store is reachable", round)
            .isEqualTo(((DefaultFileStore) fs).referencedKeys());
        assertThat(store.verify().healthy()).as("round %d", round).isTrue();
      }
      rounds++;
    }
    assertThat(rounds).isGreaterThanOrEqualTo(4);
    System.out.printf(
        "file store crash test: %d rounds, %d changes acknowledged, in-flight change landed %d /"
            + " absent %d%n",
        rounds, acks, inFlightLanded, inFlightLost);
  }
}
