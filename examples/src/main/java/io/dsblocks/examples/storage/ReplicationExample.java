package io.dsblocks.examples.storage;

import io.dsblocks.storage.NodeStats;
import io.dsblocks.storage.ObjectStore;
import io.dsblocks.storage.ObjectStores;
import io.dsblocks.storage.ReplicationMode;
import io.dsblocks.storage.ReplicationStats;
import io.dsblocks.storage.ScrubReport;
import io.dsblocks.storage.StorageConfig;
import io.dsblocks.storage.StorageNode;
import io.dsblocks.storage.StorageNodes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Replication over three storage nodes (directories standing for disks): every pack is kept locally
 * and on 2 of the 3 nodes; prints the per-node space and counters, damages one node's copy of a
 * pack, and shows scrub finding and repairing it.
 */
public final class ReplicationExample {
  private ReplicationExample() {}

  /**
   * What the example measured.
   *
   * @param nodePackBytes total pack bytes over the nodes
   * @param localPackBytes pack bytes of the local copy
   * @param damagedNode the node whose copy was damaged
   * @param repairedOnThatNode repairs counted for that node after the scrub
   */
  public record Result(
      long nodePackBytes, long localPackBytes, String damagedNode, long repairedOnThatNode) {}

  /**
   * Runs the example in a temporary directory.
   *
   * @param args unused
   * @throws IOException if the temporary directory cannot be used
   */
  public static void main(String[] args) throws IOException {
    run(System.out);
  }

  /**
   * Runs the example, printing to {@code out}.
   *
   * @param out where to print
   * @return what was measured
   * @throws IOException if the temporary directory cannot be used
   */
  public static Result run(PrintStream out) throws IOException {
    Path work = Files.createTempDirectory("dsblocks-replicas");
    try {
      List<StorageNode> nodes = new ArrayList<>();
      for (String id : new String[] {"disk-a", "disk-b", "disk-c"}) {
        nodes.add(StorageNodes.directory(id, work.resolve(id)));
      }
      StorageConfig config =
          StorageConfig.builder()
              .packTargetSize(256 << 10)
              // R = 3: the local copy plus 2 of the 3 nodes; a put returns after all 3 are durable.
              .replicas(nodes, 3, ReplicationMode.SYNC)
              .build();
      try (ObjectStore store =
          ObjectStores.create(work.resolve("repo"), "example".toCharArray(), config)) {
        Random rnd = new Random(7);
        for (int i = 0; i < 12; i++) {
          byte[] doc = document(rnd, 120_000);
          store.put("docs/" + i + ".txt", new ByteArrayInputStream(doc));
          // A copy under another name: deduplicated, stored once.
          store.put("backup/" + i + ".txt", new ByteArrayInputStream(doc));
        }
        print(out, "after 24 puts (12 documents, each also stored as a backup copy)", store);
        long local = store.stats().packBytes();
        long onNodes = 0;
        for (NodeStats n : store.replicationStats().perNode().values()) {
          onNodes += n.packBytes();
        }

        StorageNode victim = nodes.get(1);
        String pack = victim.list().stream().sorted().findFirst().orElseThrow();
        Path file = work.resolve(victim.id()).resolve(pack);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
          long at = f.length() / 2;
          f.seek(at);
          int b = f.read();
          f.seek(at);
          f.write(b ^ 0x01);
        }
        out.printf(Locale.ROOT, "flipped one bit in %s's copy of %s%n", victim.id(), pack);
        ScrubReport report = store.scrub(100L << 20);
        for (ScrubReport.Problem p : report.problems()) {
          out.printf(
              Locale.ROOT,
              "scrub: %s on %s: %s -> %s%n",
              p.pack(),
              p.location(),
              p.reason(),
              p.repaired() ? "repaired" : "NOT repaired");
        }
        print(out, "after scrub", store);
        long repaired = store.replicationStats().node(victim.id()).repairs();
        return new Result(onNodes, local, victim.id(), repaired);
      }
    } finally {
      try (Stream<Path> files = Files.walk(work)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void print(PrintStream out, String when, ObjectStore store) {
    ReplicationStats r = store.replicationStats();
    out.println(when + ":");
    for (NodeStats n : r.perNode().values()) {
      out.printf(
          Locale.ROOT,
          "  %-7s packs %2d  %5.2f MB  logical %5.2f MB  dedup %4.2fx  compression %4.2fx"
              + "  copies %d  repairs %d%n",
          n.node(),
          n.packs(),
          n.packBytes() / 1e6,
          n.logicalBytes() / 1e6,
          n.dedupRatio(),
          n.compressionRatio(),
          n.copiesDone(),
          n.repairs());
    }
  }

  /** Prose-like text from a small vocabulary. */
  private static byte[] document(Random rnd, int size) {
    String[] words = {
      "replica", "node", "pack", "chunk", "scrub", "repair", "copy", "disk", "store", "object",
      "the", "a", "of", "to", "and", "is", "every", "one", "two", "three"
    };
    StringBuilder sb = new StringBuilder(size + 32);
    while (sb.length() < size) {
      sb.append(words[rnd.nextInt(words.length)]).append(rnd.nextInt(8) == 0 ? ".\n" : " ");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }
}
