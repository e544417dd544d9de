package io.dsblocks.storage.internal;

import io.dsblocks.storage.ObjectStore;
import io.dsblocks.storage.ReplicationMode;
import io.dsblocks.storage.StorageConfig;
import io.dsblocks.storage.StorageNode;
import io.dsblocks.storage.StorageNodes;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The other process in multi-process tests, started with the test class path.
 *
 * <ul>
 *   <li>{@code hold <dir>}: opens the repository, prints {@code OPEN}, and keeps it open until its
 *       stdin closes.
 *   <li>{@code writer <dir> <seed> <prefix>}: puts objects forever. Before each put it prints
 *       {@code BEGIN key sha256}, while reading the object's bytes it prints {@code P} per 64 KiB,
 *       and once the put returned it prints {@code ACK key sha256}. One time in five it writes a
 *       batch instead: {@code BATCH n}, n {@code BEGIN} lines, and the n {@code ACK} lines only
 *       after the commit returned. Each batch also deletes an object this run acknowledged (when it
 *       has one), with {@link ObjectStore.Batch#delete}: {@code DELETE key} before the commit,
 *       {@code GONE key} after it.
 *   <li>{@code replicated-writer <dir> <seed> <prefix> <nodes dir> <SYNC|ASYNC>}: the same writer
 *       with {@link #replicatedConfig} (three directory nodes, replication factor 3).
 * </ul>
 */
public final class ChildProcess {
  private ChildProcess() {}

  /** Settings the writer child and the test that checks its repository share. */
  public static StorageConfig writerConfig() {
    return TestStores.small().packTargetSize(128 << 10).ingestThreads(2).build();
  }

  /**
   * Settings of the replicated writer: {@link #writerConfig()} plus three directory nodes under
   * {@code nodesDir} and replication factor 3 (the local copy and two of the three nodes).
   *
   * @param nodesDir parent directory of the node directories
   * @param mode SYNC or ASYNC
   * @return the config
   */
  public static StorageConfig replicatedConfig(Path nodesDir, ReplicationMode mode) {
    List<StorageNode> nodes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      nodes.add(StorageNodes.directory("node-" + i, nodesDir.resolve("node-" + i)));
    }
    return TestStores.small()
        .packTargetSize(128 << 10)
        .ingestThreads(2)
        .replicas(nodes, 3, mode)
        .build();
  }

  /**
   * Starts a child JVM running {@link ChildProcess}.
   *
   * @param stderr file receiving the child's stderr
   * @param args mode and arguments
   * @return the process
   * @throws IOException if it cannot start
   */
  public static Process start(Path stderr, String... args) throws IOException {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(
                System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("-Xmx256m");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1"); // starts faster; the child is I/O bound anyway
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ChildProcess.class.getName());
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
  }

  /**
   * Entry point.
   *
   * @param args see the class documentation
   * @throws Exception on any failure (the parent sees a non-zero exit)
   */
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[1]);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    switch (args[0]) {
      case "hold" -> {
        try (DefaultObjectStore store = TestStores.open(dir, TestStores.small().build())) {
          out.println("OPEN " + store.directory().getFileName());
          BufferedReader in =
              new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
          while (in.readLine() != null) {
            // Hold the lock until the parent closes our stdin.
          }
        }
        out.println("CLOSED");
      }
      case "writer" -> writer(dir, writerConfig(), Long.parseLong(args[2]), args[3], out);
      case "replicated-writer" ->
          writer(
              dir,
              replicatedConfig(Path.of(args[4]), ReplicationMode.valueOf(args[5])),
              Long.parseLong(args[2]),
              args[3],
              out);
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    }
  }

  private static void writer(
      Path dir, StorageConfig config, long seed, String prefix, PrintStream out) {
    Random r = new Random(seed);
    byte[] previous = TestStores.random(r, 50_000);
    List<String> mine = new ArrayList<>(); // acknowledged by this run, candidates for deletes
    try (DefaultObjectStore store = TestStores.open(dir, config)) {
      for (int i = 0; ; i++) {
        if (r.nextInt(5) == 0) {
          // A batch: BATCH, then a BEGIN per put, then an ACK per put after the commit.
          int n = 2 + r.nextInt(5);
          out.println("BATCH " + n);
          List<String> acks = new ArrayList<>();
          try (ObjectStore.Batch batch = store.batch()) {
            for (int j = 0; j < n; j++) {
              byte[] data = next(r, previous);
              previous = data;
              String key = prefix + "/batch-" + i + "-" + j;
              String sha = TestStores.sha256(data);
              out.println("BEGIN " + key + " " + sha);
              batch.put(key, progress(new ByteArrayInputStream(data), out));
              acks.add("ACK " + key + " " + sha);
              mine.add(key);
            }
            if (mine.size() > n) {
              String victim = mine.remove(r.nextInt(mine.size() - n));
              out.println("DELETE " + victim);
              batch.delete(victim);
              acks.add("GONE " + victim);
            }
            batch.commit();
          }
          acks.forEach(out::println);
          continue;
        }
        byte[] data = next(r, previous);
        previous = data;
        String key = prefix + "/obj-" + i;
        String sha = TestStores.sha256(data);
        out.println("BEGIN " + key + " " + sha);
        store.put(key, progress(new ByteArrayInputStream(data), out));
        out.println("ACK " + key + " " + sha);
        mine.add(key);
      }
    }
  }

  /** Mostly small objects, some over a megabyte; half are edits of the previous one (dedup). */
  private static byte[] next(Random r, byte[] previous) {
    int kind = r.nextInt(10);
    if (kind < 5) {
      byte[] edited = previous.clone();
      int at = r.nextInt(edited.length);
      int n = Math.min(edited.length - at, 1 + r.nextInt(200));
      byte[] patch = TestStores.random(r, n);
      System.arraycopy(patch, 0, edited, at, n);
      return edited;
    }
    int size = kind == 9 ? 1_000_000 + r.nextInt(500_000) : r.nextInt(120_000);
    return r.nextBoolean() ? TestStores.random(r, size) : TestStores.text(r, size);
  }

  private static InputStream progress(InputStream in, PrintStream out) {
    return new FilterInputStream(in) {
      long read;

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, Math.min(len, 16 << 10));
        if (n > 0) {
          long before = read;
          read += n;
          if (before / (64 << 10) != read / (64 << 10)) {
            out.println("P");
          }
        }
        return n;
      }
    };
  }
}
