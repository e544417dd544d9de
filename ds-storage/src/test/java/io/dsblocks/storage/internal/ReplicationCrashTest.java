package io.dsblocks.storage.internal;

import static io.dsblocks.storage.internal.TestStores.readAll;
import static io.dsblocks.storage.internal.TestStores.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dsblocks.storage.ReplicationMode;
import io.dsblocks.storage.ScrubReport;
import io.dsblocks.storage.StorageConfig;
import io.dsblocks.storage.StorageNode;
import io.dsblocks.storage.internal.pack.PackFormat;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Replication under SIGKILL: a child JVM writes to a repository replicated on three directory nodes
 * (factor 3) and is killed at seeded random moments (mid-ingest, mid-seal, mid-copy, mid-commit),
 * several times on the same repository. After each kill:
 *
 * <ul>
 *   <li>SYNC: before anything reopens the repository, the node directories are read as the kill
 *       left them; then every pack the committed index references must already have been on each of
 *       its placement nodes, byte-identical to the local copy. So anything acknowledged (and
 *       anything committed at all) had its R durable copies before the acknowledgement.
 *   <li>both modes: after reopening, every acknowledged object reads back byte-identical, the
 *       background copier catches up (under-replicated packs reach 0, awaited, never slept for),
 *       each referenced pack is on its placement nodes byte-identical, and a scrub of every copy
 *       finds nothing to repair.
 * </ul>
 */
@Tag("integration")
class ReplicationCrashTest {
  @TempDir Path dir;

  private static final int ROUNDS = 5;
  private static final Duration BUDGET = Duration.ofSeconds(120);

  /** Node id to (file name to sha256) of every pack file on the nodes, as they are on disk. */
  private static Map<String, Map<String, String>> nodeFiles(Path nodesDir) throws IOException {
    Map<String, Map<String, String>> out = new HashMap<>();
    if (!Files.exists(nodesDir)) {
      return out;
    }
    try (Stream<Path> nodes = Files.list(nodesDir)) {
      for (Path node : nodes.toList()) {
        Map<String, String> files = new HashMap<>();
        try (Stream<Path> s = Files.list(node)) {
          for (Path f : s.toList()) {
            if (!f.getFileName().toString().startsWith(".")) {
              files.put(f.getFileName().toString(), sha256(Files.readAllBytes(f)));
            }
          }
        }
        out.put(node.getFileName().toString(), files);
      }
    }
    return out;
  }

  /** Asserts that every referenced sealed pack is in {@code nodes} on each placement node. */
  private static int assertCopies(
      DefaultObjectStore store, Map<String, Map<String, String>> nodes, String when)
      throws IOException {
    int packs = 0;
    for (long id : store.index.packsWithEntries()) {
      if (store.packWriter.isUnsealed(id)) {
        continue;
      }
      String name = PackFormat.fileName(id);
      String local = sha256(Files.readAllBytes(store.packReader.path(id)));
      List<StorageNode> placed = store.replicator.placement(name);
      assertThat(placed).hasSize(2);
      for (StorageNode n : placed) {
        assertThat(nodes.getOrDefault(n.id(), Map.of()).get(name))
            .as("%s: %s on %s", when, name, n.id())
            .isEqualTo(local);
      }
      packs++;
    }
    return packs;
  }

  @ParameterizedTest
  @EnumSource(ReplicationMode.class)
  void killedReplicatedWriterLosesNoAcknowledgedPutAndEveryPackRegainsItsCopies(
      ReplicationMode mode) throws Exception {
    Path repo = dir.resolve("repo");
    Path nodesDir = dir.resolve("nodes");
    StorageConfig config = ChildProcess.replicatedConfig(nodesDir, mode);
    TestStores.create(repo, config).close();
    Random random = new Random(mode == ReplicationMode.SYNC ? 20_261_130 : 20_261_131);
    Map<String, String> acknowledged = new LinkedHashMap<>();
    Set<String> deleted = new HashSet<>();
    Map<String, String> maybeDeleted = new LinkedHashMap<>();
    long deadline = System.nanoTime() + BUDGET.toNanos();
    int rounds = 0;
    int packsChecked = 0;
    long copiedAfterOpen = 0;
    for (int round = 0; round < ROUNDS && System.nanoTime() < deadline; round++) {
      int acksBeforeKill = 1 + random.nextInt(10);
      int progressBeforeKill = random.nextInt(40);
      int killDelayMillis = random.nextInt(30);
      Path err = dir.resolve("child-" + round + ".err");
      Process child =
          ChildProcess.start(
              err,
              "replicated-writer",
              repo.toString(),
              Long.toString(random.nextLong()),
              "r" + round,
              nodesDir.toString(),
              mode.name());
      try (BufferedReader out =
          new BufferedReader(
              new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        int acks = 0;
        int progress = 0;
        boolean killed = false;
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          String[] parts = line.split(" ");
          switch (parts[0]) {
            case "ACK" -> {
              if (parts.length == 3 && parts[2].length() == 64) { // not cut short by the kill
                acknowledged.put(parts[1], parts[2]);
                acks++;
              }
            }
            case "DELETE" -> {
              // Printed before the batch commits: from here until GONE the victim may or may not
              // exist (a kill can land after the commit but before GONE is printed).
              if (parts.length == 2 && acknowledged.containsKey(parts[1])) {
                maybeDeleted.put(parts[1], acknowledged.remove(parts[1]));
              }
            }
            case "GONE" -> {
              if (parts.length == 2 && maybeDeleted.remove(parts[1]) != null) {
                deleted.add(parts[1]);
              }
            }
            case "P" -> progress += acks >= acksBeforeKill ? 1 : 0;
            default -> {} // BATCH, BEGIN: the in-flight outcome is CrashRecoveryTest's
          }
          if (!killed && acks >= acksBeforeKill && progress >= progressBeforeKill) {
            // A random extra moment, so that kills also land inside seals, copies and commits.
            if (child.waitFor(killDelayMillis, TimeUnit.MILLISECONDS)) {
              throw new AssertionError("writer died on its own: " + Files.readString(err));
            }
            // Through the handle: Process.destroyForcibly would close our end of its stdout, and
            // the acknowledgements it printed before dying must still be read.
            child.toHandle().destroyForcibly();
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            killed = true;
          }
        }
        if (!killed) {
          throw new AssertionError("writer died on its own: " + Files.readString(err));
        }
      } finally {
        child.destroyForcibly();
      }

      Map<String, Map<String, String>> asKilled = nodeFiles(nodesDir);
      try (DefaultObjectStore store = TestStores.open(repo, config)) {
        if (mode == ReplicationMode.SYNC) {
          packsChecked += assertCopies(store, asKilled, "round " + round + ", as killed");
        }
        for (Map.Entry<String, String> e : acknowledged.entrySet()) {
          assertThat(sha256(readAll(store.get(e.getKey()))))
              .as("round %d, acknowledged %s", round, e.getKey())
              .isEqualTo(e.getValue());
        }
        for (String key : deleted) {
          assertThat(store.stat(key)).as("round %d, deleted %s", round, key).isEmpty();
        }
        // A delete cut off by the kill either committed (the key is gone) or did not (the key
        // still holds its acknowledged content); nothing else is allowed.
        for (Map.Entry<String, String> e : maybeDeleted.entrySet()) {
          if (store.stat(e.getKey()).isPresent()) {
            assertThat(sha256(readAll(store.get(e.getKey()))))
                .as("round %d, acknowledged %s (delete in flight)", round, e.getKey())
                .isEqualTo(e.getValue());
            acknowledged.put(e.getKey(), e.getValue());
          } else {
            deleted.add(e.getKey());
          }
        }
        maybeDeleted.clear();
        // The copier (started by open) brings every pack back to R copies.
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> store.replicationStats().underReplicatedPacks() == 0);
        copiedAfterOpen += store.replicationStats().copiedPacks();
        assertCopies(store, nodeFiles(nodesDir), "round " + round + ", after catch-up");
        ScrubReport scrub = store.scrub(Long.MAX_VALUE);
        assertThat(scrub.problems()).as("round %d: %s", round, scrub).isEmpty();
        assertThat(scrub.packsChecked()).isPositive();
        assertThat(store.verify().healthy()).as("round %d", round).isTrue();
      }
      rounds++;
    }
    assertThat(rounds).isGreaterThanOrEqualTo(3);
    assertThat(acknowledged).hasSizeGreaterThan(rounds);
    if (mode == ReplicationMode.SYNC) {
      assertThat(packsChecked).isPositive();
    }
    System.out.printf(
        "replication crash test (%s): %d rounds, %d acknowledged objects, %d batch deletes,"
            + " %d packs checked on the nodes as killed, %d copies made by the copier after open%n",
        mode, rounds, acknowledged.size(), deleted.size(), packsChecked, copiedAfterOpen);
  }
}
