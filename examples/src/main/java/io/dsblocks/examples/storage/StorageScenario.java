package io.dsblocks.examples.storage;

import io.dsblocks.examples.Console;
import io.dsblocks.examples.Scenario;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The ds-storage walk-through of the demo: {@link ObjectStoreExample}, {@link TieringExample} and
 * {@link ReplicationExample}.
 */
public final class StorageScenario implements Scenario {

  /** Creates the scenario. */
  public StorageScenario() {}

  @Override
  public String id() {
    return "storage";
  }

  @Override
  public String description() {
    return "two versions of a tree into an encrypted dedup store; damage repaired from a replica;"
        + " logs moved to the cold tier; per-node stats over 3 replica nodes";
  }

  @Override
  public List<Measurement> run(Console out) throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    ObjectStoreExample.Result r;
    try (PrintStream ps = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
      r = ObjectStoreExample.runGenerated(400, ps);
    }
    for (String line : buffer.toString(StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) {
        out.step("%s", line.strip());
      }
    }
    ByteArrayOutputStream tierBuffer = new ByteArrayOutputStream();
    TieringExample.Result t;
    try (PrintStream ps = new PrintStream(tierBuffer, true, StandardCharsets.UTF_8)) {
      t = TieringExample.run(ps);
    }
    for (String line : tierBuffer.toString(StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) {
        out.step("%s", line.strip());
      }
    }
    ByteArrayOutputStream replicaBuffer = new ByteArrayOutputStream();
    ReplicationExample.Result rep;
    try (PrintStream ps = new PrintStream(replicaBuffer, true, StandardCharsets.UTF_8)) {
      rep = ReplicationExample.run(ps);
    }
    for (String line : replicaBuffer.toString(StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) {
        out.step("%s", line.strip());
      }
    }
    return List.of(
        new Measurement(
            "R = 3 over 3 nodes: pack bytes on nodes / local",
            String.format(
                Locale.ROOT,
                "%.2f / %.2f MB; damaged copy on %s repaired %d time(s)",
                rep.nodePackBytes() / 1e6,
                rep.localPackBytes() / 1e6,
                rep.damagedNode(),
                rep.repairedOnThatNode())),
        new Measurement(
            "2023 logs hot (LZ4) -> cold (zstd-9)",
            String.format(
                Locale.ROOT,
                "%.2f -> %.2f MB stored, read back %s",
                t.hotStoredBefore() / 1e6,
                t.coldStoredAfter() / 1e6,
                t.readBackIdentical() ? "identical" : "DIFFERENT")),
        new Measurement(
            "v2 stored / v2 size",
            String.format(
                Locale.ROOT, "%.2f / %.2f MB", r.v2GrowthBytes() / 1e6, r.v2LogicalBytes() / 1e6)),
        new Measurement(
            "overall reduction", String.format(Locale.ROOT, "%.2fx", r.reductionRatio())),
        new Measurement(
            "flipped bit", r.corruptionDetected() ? "detected, never returned" : "NOT DETECTED"),
        new Measurement("intact objects readable", Integer.toString(r.intactObjectsReadable())),
        new Measurement(
            "replica scrub",
            String.format(
                Locale.ROOT,
                "%d damaged copies found, %d repaired",
                r.repair().copiesDamaged(),
                r.repair().copiesRepaired())),
        new Measurement(
            "after repair",
            String.format(
                Locale.ROOT,
                "%d / %d objects identical, %s",
                r.repair().objectsIdentical(),
                r.repair().objects(),
                r.repair().cleanAfterRepair() ? "scrub clean" : "NOT CLEAN")));
  }
}
