package io.dsblocks.examples.storage;

import io.dsblocks.storage.ObjectInfo;
import io.dsblocks.storage.ObjectStore;
import io.dsblocks.storage.ObjectStores;
import io.dsblocks.storage.ReplicationMode;
import io.dsblocks.storage.ScrubReport;
import io.dsblocks.storage.StorageConfig;
import io.dsblocks.storage.StorageCorruptionException;
import io.dsblocks.storage.StorageNode;
import io.dsblocks.storage.StorageNodes;
import io.dsblocks.storage.StorageStats;
import io.dsblocks.storage.VerificationReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Backs up two versions of a directory tree into one encrypted, deduplicated repository and prints
 * what dedup and compression saved; then shows corruption detection, and repair from replicas: a
 * repository that keeps every pack on two more "disks" (directories standing for storage nodes) has
 * one copy of two packs damaged, a scrub names the damaged copies and rewrites them from a healthy
 * one, and everything reads back intact.
 *
 * <p>Run it without arguments to back up a generated source-like tree and then an edited copy of it
 * (10 % of files changed, a few added), or pass two directories to back up your own versions, e.g.
 * two releases of a project. The repository lives in a temporary directory and is deleted at the
 * end.
 *
 * <p>Copy this class: it needs only ds-storage.
 */
public final class ObjectStoreExample {
  private ObjectStoreExample() {}

  /**
   * Runs the example.
   *
   * @param args optional: two directory trees to back up, in order
   * @throws IOException if a file cannot be read
   */
  public static void main(String[] args) throws IOException {
    PrintStream out = System.out;
    Path work = Files.createTempDirectory("dsblocks-storage-example");
    try {
      Path v1;
      Path v2;
      if (args.length == 2) {
        v1 = Path.of(args[0]);
        v2 = Path.of(args[1]);
      } else {
        v1 = work.resolve("tree-v1");
        v2 = work.resolve("tree-v2");
        generateTree(v1, 1500, 42);
        editTree(v1, v2, 7);
      }
      run(work.resolve("repository"), v1, v2, out);
    } finally {
      deleteTree(work);
    }
  }

  /**
   * What the example measured.
   *
   * @param v2GrowthBytes bytes the repository grew by when the edited tree was stored
   * @param v2LogicalBytes bytes of the edited tree
   * @param reductionRatio raw bytes of both trees over bytes on disk
   * @param restoredIdentical whether a restored file equals its source
   * @param corruptionDetected whether reading an object from a bit-flipped pack threw {@link
   *     StorageCorruptionException} (never returning wrong data)
   * @param damagedObjects objects that {@code verify()} reported damaged after the flip
   * @param intactObjectsReadable objects outside the damaged pack that still read back identical
   * @param repair what the replica repair step found and fixed
   */
  public record Result(
      long v2GrowthBytes,
      long v2LogicalBytes,
      double reductionRatio,
      boolean restoredIdentical,
      boolean corruptionDetected,
      int damagedObjects,
      int intactObjectsReadable,
      Repair repair) {}

  /**
   * What the replica repair step measured.
   *
   * @param objectsAffected objects {@code verify()} named as damaged in the local copies before the
   *     scrub
   * @param copiesDamaged damaged pack copies the scrub found (local or on a node)
   * @param copiesRepaired of those, copies the scrub rewrote from a healthy replica
   * @param cleanAfterRepair whether a second scrub and {@code verify()} found nothing
   * @param objectsIdentical objects that read back identical to their source file after the repair
   * @param objects objects in the repository
   */
  public record Repair(
      int objectsAffected,
      int copiesDamaged,
      int copiesRepaired,
      boolean cleanAfterRepair,
      int objectsIdentical,
      int objects) {}

  /**
   * Backs up a generated tree and an edited copy into a temporary repository, then flips one bit in
   * one pack and shows that reads detect it.
   *
   * @param files files in the generated tree
   * @param out where to print
   * @return the measurements
   * @throws IOException if the temporary files cannot be written
   */
  public static Result runGenerated(int files, PrintStream out) throws IOException {
    Path work = Files.createTempDirectory("dsblocks-storage-example");
    try {
      Path v1 = work.resolve("tree-v1");
      Path v2 = work.resolve("tree-v2");
      generateTree(v1, files, 42);
      editTree(v1, v2, 7);
      return run(work.resolve("repository"), v1, v2, out);
    } finally {
      deleteTree(work);
    }
  }

  /**
   * Stores {@code tree} in a repository that keeps every pack on two node directories besides the
   * local copy (replication factor 3, synchronous), flips bytes in the local copy of one pack and
   * in one node's copy of another, shows that {@code verify()} names the damaged pack and objects
   * and that a scrub finds both copies and repairs them from a healthy replica, then reads
   * everything back.
   *
   * @param work a directory for the repository and the nodes
   * @param tree the tree to store
   * @param out where to print
   * @return the measurements
   * @throws IOException if a file cannot be read or written
   */
  static Repair replicaRepair(Path work, Path tree, PrintStream out) throws IOException {
    char[] passphrase = "example passphrase".toCharArray();
    Path repository = work.resolve("replicated");
    List<StorageNode> nodes =
        List.of(
            StorageNodes.directory("disk-a", work.resolve("disk-a")),
            StorageNodes.directory("disk-b", work.resolve("disk-b")));
    StorageConfig config =
        StorageConfig.builder()
            .packTargetSize(1 << 20) // several packs even for a small tree
            .replicas(nodes, 3, ReplicationMode.SYNC) // a put returns once all 3 copies are durable
            .build();
    out.printf(
        Locale.ROOT,
        "replicated repository: every pack on local + disk-a + disk-b (factor 3, SYNC)%n");
    try (ObjectStore store = ObjectStores.create(repository, passphrase, config)) {
      backup(store, "tree", tree, out);
    }
    List<Path> localPacks = packFiles(repository.resolve("packs"));
    Path local = localPacks.get(0);
    Path remote =
        work.resolve("disk-b").resolve(localPacks.get(localPacks.size() - 1).getFileName());
    flipBytes(local);
    flipBytes(remote);
    out.printf(
        Locale.ROOT,
        "%d packs, 3 copies each; flipped bytes in the local copy of %s and in disk-b's copy"
            + " of %s%n",
        localPacks.size(),
        local.getFileName(),
        remote.getFileName());

    try (ObjectStore store = ObjectStores.open(repository, passphrase, config)) {
      VerificationReport before = store.verify(); // local copies only
      for (VerificationReport.DamagedPack p : before.damagedPacks()) {
        out.printf(Locale.ROOT, "verify: local %s damaged: %s%n", p.pack(), p.reason());
      }
      List<String> affected = new ArrayList<>();
      for (VerificationReport.DamagedObject d : before.damagedObjects()) {
        affected.add(d.key());
      }
      out.printf(
          Locale.ROOT,
          "verify: %d object(s) affected: %s%s%n",
          affected.size(),
          String.join(", ", affected.subList(0, Math.min(3, affected.size()))),
          affected.size() > 3 ? ", ..." : "");

      ScrubReport scrub = store.scrub(Long.MAX_VALUE); // no pacing in a demo
      int repaired = 0;
      for (ScrubReport.Problem p : scrub.problems()) {
        out.printf(
            Locale.ROOT,
            "scrub: %s on %s: %s -> %s%n",
            p.pack(),
            p.location(),
            p.reason(),
            p.repaired() ? "rewritten from a healthy replica" : "NOT REPAIRED");
        repaired += p.repaired() ? 1 : 0;
      }
      out.printf(
          Locale.ROOT,
          "scrub: %d packs, %d copies, %.1f MB read%n",
          scrub.packsChecked(),
          scrub.copiesChecked(),
          scrub.bytesRead() / 1e6);
      ScrubReport again = store.scrub(Long.MAX_VALUE);
      boolean clean = again.problems().isEmpty() && store.verify().healthy();
      out.printf(
          Locale.ROOT,
          "second scrub and verify: %s%n",
          clean ? "clean" : "STILL DAMAGED " + again.problems());

      int identical = 0;
      List<ObjectInfo> all = store.list("tree/");
      for (ObjectInfo info : all) {
        try (InputStream in = store.get(info.key())) {
          String relative = info.key().substring("tree/".length());
          if (java.util.Arrays.equals(
              in.readAllBytes(), Files.readAllBytes(tree.resolve(relative)))) {
            identical++;
          }
        }
      }
      out.printf(
          Locale.ROOT,
          "after repair: %d of %d objects read back identical%n",
          identical,
          all.size());
      return new Repair(
          affected.size(), scrub.problems().size(), repaired, clean, identical, all.size());
    }
  }

  private static List<Path> packFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".pack")).sorted().toList();
    }
  }

  /** Flips four bytes in the middle of a file: bit rot on one disk. */
  private static void flipBytes(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    for (int i = 0; i < 4; i++) {
      bytes[bytes.length / 2 + i * 97] ^= (byte) 0x5a;
    }
    Files.write(file, bytes);
  }

  static Result run(Path repository, Path v1, Path v2, PrintStream out) throws IOException {
    char[] passphrase = "example passphrase".toCharArray();
    StorageConfig config = StorageConfig.builder().build(); // LZ4, 4/16/64 KiB chunks
    long v2Growth;
    long v2Logical;
    double reduction;
    boolean identical;
    try (ObjectStore store = ObjectStores.create(repository, passphrase, config)) {
      backup(store, "v1", v1, out);
      long before = store.stats().packBytes();
      v2Logical = backup(store, "v2", v2, out);
      v2Growth = store.stats().packBytes() - before;
      reduction = store.stats().reductionRatio();

      // Restore one file of each version and check it.
      String someFile = firstFile(v2);
      try (InputStream in = store.get("v2/" + someFile)) {
        byte[] restored = in.readAllBytes();
        identical = java.util.Arrays.equals(restored, Files.readAllBytes(v2.resolve(someFile)));
        out.printf(
            Locale.ROOT,
            "restored v2/%s: %d bytes, identical: %s%n",
            someFile,
            restored.length,
            identical);
      }
      List<ObjectInfo> v2Files = store.list("v2/");
      out.printf(
          Locale.ROOT,
          "v2 has %d objects; verify: %s%n",
          v2Files.size(),
          store.verify().healthy() ? "healthy" : "DAMAGED");
    }
    Partial partial = corruptAndCheck(repository, passphrase, config, v1, v2, out);
    Repair repair = replicaRepair(repository.resolveSibling("replica-demo"), v2, out);
    return partial.withBackup(v2Growth, v2Logical, reduction, identical, repair);
  }

  /** Flips one bit in the middle of the first pack, then reads everything back. */
  private static Partial corruptAndCheck(
      Path repository, char[] passphrase, StorageConfig config, Path v1, Path v2, PrintStream out)
      throws IOException {
    Path pack;
    try (Stream<Path> s = Files.list(repository.resolve("packs"))) {
      pack = s.filter(p -> p.toString().endsWith(".pack")).sorted().findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(pack);
    bytes[bytes.length / 2] ^= 0x10;
    Files.write(pack, bytes);
    out.printf(Locale.ROOT, "flipped one bit in pack %s%n", pack.getFileName());

    try (ObjectStore store = ObjectStores.open(repository, passphrase, config)) {
      VerificationReport report = store.verify();
      int damaged = report.damagedObjects().size();
      out.printf(
          Locale.ROOT,
          "verify: %d damaged pack(s), %d damaged object(s), e.g. %s%n",
          report.damagedPacks().size(),
          damaged,
          damaged == 0 ? "-" : report.damagedObjects().get(0).key());
      boolean detected = false;
      int intact = 0;
      java.util.Set<String> damagedKeys = new java.util.HashSet<>();
      for (VerificationReport.DamagedObject d : report.damagedObjects()) {
        damagedKeys.add(d.key());
      }
      for (String prefix : List.of("v1", "v2")) {
        Path tree = prefix.equals("v1") ? v1 : v2;
        for (ObjectInfo info : store.list(prefix + "/")) {
          String relative = info.key().substring(prefix.length() + 1);
          try (InputStream in = store.get(info.key())) {
            if (java.util.Arrays.equals(
                in.readAllBytes(), Files.readAllBytes(tree.resolve(relative)))) {
              intact++;
            }
          } catch (StorageCorruptionException e) {
            if (!detected) {
              out.printf(Locale.ROOT, "reading %s: %s%n", info.key(), e.getMessage());
            }
            detected |= damagedKeys.contains(info.key());
          }
        }
      }
      out.printf(
          Locale.ROOT,
          "every other object reads back identical: %d objects; the damaged one(s) are reported,"
              + " never returned as data%n",
          intact);
      return new Partial(detected, damaged, intact);
    }
  }

  private record Partial(boolean detected, int damaged, int intact) {
    Result withBackup(
        long growth, long logical, double reduction, boolean identical, Repair repair) {
      return new Result(growth, logical, reduction, identical, detected, damaged, intact, repair);
    }
  }

  private static long backup(ObjectStore store, String prefix, Path tree, PrintStream out)
      throws IOException {
    List<Path> files = listFiles(tree);
    StorageStats before = store.stats();
    long start = System.nanoTime();
    long bytes = 0;
    // One batch per version: one durable commit for the whole tree instead of an fsync per file.
    try (ObjectStore.Batch batch = store.batch()) {
      for (Path file : files) {
        String key = prefix + "/" + tree.relativize(file).toString().replace('\\', '/');
        try (InputStream in = Files.newInputStream(file)) {
          batch.put(key, in, Map.of("source", "example"));
        }
      }
      for (ObjectInfo info : batch.commit()) {
        bytes += info.size();
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    StorageStats after = store.stats();
    out.printf(
        Locale.ROOT,
        "%s: %d files, %.1f MB in %.2f s (%.0f MB/s); repository grew %.2f MB (%d new chunks)%n",
        prefix,
        files.size(),
        bytes / 1e6,
        seconds,
        bytes / 1e6 / seconds,
        (after.packBytes() - before.packBytes()) / 1e6,
        after.chunks() - before.chunks());
    out.printf(
        Locale.ROOT,
        "  total so far: logical %.1f MB, unique %.1f MB, stored %.1f MB -> dedup %.2fx,"
            + " compression %.2fx, overall %.2fx%n",
        after.logicalBytes() / 1e6,
        after.uniqueBytes() / 1e6,
        after.packBytes() / 1e6,
        after.dedupRatio(),
        after.compressionRatio(),
        after.reductionRatio());
    return bytes;
  }

  // ---------------------------------------------------------------- sample data

  /** Writes {@code count} source-like text files of 1-40 KB. */
  static void generateTree(Path root, int count, long seed) throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    String[] words = {
      "public", "final", "class", "return", "import", "static", "void", "int", "long", "String",
      "if", "else", "for", "while", "new", "this", "null", "true", "false", "throw", "try", "catch",
      "storage", "chunk", "pack", "index", "store", "key", "value", "offset", "length"
    };
    for (int i = 0; i < count; i++) {
      Path file =
          root.resolve("module" + (i % 12)).resolve("pkg" + (i % 37)).resolve("File" + i + ".java");
      Files.createDirectories(file.getParent());
      int size = 1000 + r.nextInt(40_000);
      StringBuilder sb = new StringBuilder(size + 64);
      sb.append("// file ").append(i).append('\n');
      while (sb.length() < size) {
        int indent = r.nextInt(4);
        sb.append("    ".repeat(indent));
        int n = 3 + r.nextInt(8);
        for (int w = 0; w < n; w++) {
          sb.append(words[r.nextInt(words.length)]).append(w + 1 < n ? " " : ";\n");
        }
      }
      Files.writeString(file, sb, StandardCharsets.UTF_8);
    }
  }

  /** Copies a tree, editing about 10 % of the files in one place and adding a few new ones. */
  static void editTree(Path from, Path to, long seed) throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    for (Path file : listFiles(from)) {
      Path target = to.resolve(from.relativize(file).toString());
      Files.createDirectories(target.getParent());
      byte[] content = Files.readAllBytes(file);
      if (r.nextInt(10) == 0) {
        int at = r.nextInt(content.length);
        byte[] insert = "\n    // edited in v2\n".getBytes(StandardCharsets.UTF_8);
        byte[] edited = new byte[content.length + insert.length];
        System.arraycopy(content, 0, edited, 0, at);
        System.arraycopy(insert, 0, edited, at, insert.length);
        System.arraycopy(content, at, edited, at + insert.length, content.length - at);
        content = edited;
      }
      Files.write(target, content);
    }
    generateTree(to.resolve("added"), 40, seed + 1);
  }

  private static List<Path> listFiles(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      List<Path> files = new ArrayList<>(s.filter(Files::isRegularFile).sorted().toList());
      return files;
    }
  }

  private static String firstFile(Path root) throws IOException {
    return root.relativize(listFiles(root).get(0)).toString().replace('\\', '/');
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
