package io.dsblocks.storage.internal;

import static io.dsblocks.storage.internal.TestStores.readAll;
import static io.dsblocks.storage.internal.TestStores.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.storage.ObjectInfo;
import io.dsblocks.storage.VerificationReport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writing child JVM with SIGKILL at seeded random moments (after a random number of
 * acknowledged puts and then a random amount of progress into the next ones: mid-chunking,
 * mid-append, mid-fsync, mid-seal, mid-commit), then reopens the repository in this JVM and checks
 * that every acknowledged object reads back byte-identical, that an object that was being written
 * is either absent or complete, that a batch's deletes ({@code Batch.delete}) happen exactly when
 * its puts do, and that verify() finds nothing damaged. Repeats on the same repository, so later
 * rounds also recover from earlier rounds' leftovers.
 */
@Tag("integration")
class CrashRecoveryTest {
  @TempDir Path dir;

  private static final int ROUNDS = 10;
  private static final Duration BUDGET = Duration.ofSeconds(150);

  @Test
  void killingTheWriterAnywhereNeverLosesAnAcknowledgedPutOrCorruptsData() throws Exception {
    Path repo = dir.resolve("repo");
    TestStores.create(repo, ChildProcess.writerConfig()).close();
    Random random = new Random(20_240_601);
    Map<String, String> acknowledged = new LinkedHashMap<>();
    long deadline = System.nanoTime() + BUDGET.toNanos();
    int rounds = 0;
    int inFlightPresent = 0;
    int recoveredPacks = 0;
    int batches = 0;
    Set<String> deleted = new HashSet<>();
    int deletesInFlight = 0;
    for (int round = 0; round < ROUNDS && System.nanoTime() < deadline; round++) {
      int acksBeforeKill = random.nextInt(8);
      int progressBeforeKill = random.nextInt(48);
      Process child =
          ChildProcess.start(
              dir.resolve("child-" + round + ".err"),
              "writer",
              repo.toString(),
              Long.toString(random.nextLong()),
              "r" + round);
      // Puts begun but not acknowledged when the child died: one put, or one batch.
      Map<String, String> begun = new LinkedHashMap<>();
      Set<String> begunDeletes = new HashSet<>();
      try (BufferedReader out =
          new BufferedReader(
              new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        int acks = 0;
        int progress = 0;
        while (true) {
          String line = out.readLine();
          if (line == null) {
            throw new AssertionError(
                "writer died on its own: "
                    + Files.readString(dir.resolve("child-" + round + ".err")));
          }
          String[] parts = line.split(" ");
          switch (parts[0]) {
            case "BATCH" -> batches++;
            case "BEGIN" -> begun.put(parts[1], parts[2]);
            case "DELETE" -> begunDeletes.add(parts[1]);
            case "GONE" -> {
              acknowledged.remove(parts[1]);
              deleted.add(parts[1]);
              begunDeletes.remove(parts[1]);
            }
            case "ACK" -> {
              acknowledged.put(parts[1], parts[2]);
              acks++;
              begun.remove(parts[1]);
            }
            case "P" -> {
              if (acks >= acksBeforeKill) {
                progress++;
              }
            }
            default -> throw new AssertionError("unexpected output " + line);
          }
          if (acks >= acksBeforeKill && progress >= progressBeforeKill) {
            break;
          }
        }
        child.destroyForcibly(); // SIGKILL: no shutdown hooks, no close()
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
      } finally {
        child.destroyForcibly();
      }

      try (DefaultObjectStore store = TestStores.open(repo, ChildProcess.writerConfig())) {
        recoveredPacks += store.recovery().recovered();
        assertThat(store.recovery().damaged()).as("round %d", round).isEmpty();
        for (Map.Entry<String, String> e : acknowledged.entrySet()) {
          assertThat(sha256(readAll(store.get(e.getKey()))))
              .as("round %d, acknowledged %s", round, e.getKey())
              .isEqualTo(e.getValue());
        }
        // Killed mid-put or mid-batch: all or nothing, and if present then complete.
        int present = 0;
        for (Map.Entry<String, String> e : begun.entrySet()) {
          if (store.stat(e.getKey()).isPresent()) {
            present++;
            assertThat(sha256(readAll(store.get(e.getKey())))).isEqualTo(e.getValue());
          }
        }
        assertThat(present).as("round %d: %s", round, begun.keySet()).isIn(0, begun.size());
        inFlightPresent += present > 0 ? 1 : 0;
        // The in-flight batch's deletes happened exactly if its puts did.
        for (String key : begunDeletes) {
          deletesInFlight++;
          assertThat(store.stat(key).isPresent())
              .as(
                  "round %d: delete of %s in the in-flight batch (puts present: %d)",
                  round, key, present)
              .isEqualTo(present == 0);
          if (present > 0) {
            acknowledged.remove(key);
            deleted.add(key);
          }
        }
        for (String key : deleted) {
          assertThat(store.stat(key))
              .as("round %d: acknowledged delete of %s", round, key)
              .isEmpty();
        }
        assertThat(store.list("")).extracting(ObjectInfo::key).containsAll(acknowledged.keySet());
        VerificationReport report = store.verify();
        assertThat(report.healthy()).as("round %d: %s", round, report).isTrue();
      }
      rounds++;
    }
    assertThat(rounds).isGreaterThanOrEqualTo(10);
    assertThat(acknowledged).hasSizeGreaterThan(rounds);
    // Most kills land mid-put with a pack open, so recovery must have had work to do.
    assertThat(recoveredPacks).isPositive();
    System.out.printf(
        "crash test: %d rounds, %d acknowledged objects, %d batches begun, %d packs recovered,"
            + " %d rounds with the in-flight put or batch found committed%n",
        rounds, acknowledged.size(), batches, recoveredPacks, inFlightPresent);
    assertThat(batches).as("batches were exercised").isPositive();
    assertThat(deleted).as("batch deletes were exercised").isNotEmpty();
    System.out.printf(
        "crash test: %d acknowledged batch deletes, %d deletes in an in-flight batch%n",
        deleted.size(), deletesInFlight);
  }
}
