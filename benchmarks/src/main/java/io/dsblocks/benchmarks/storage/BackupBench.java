package io.dsblocks.benchmarks.storage;

import io.dsblocks.storage.Compression;
import io.dsblocks.storage.ObjectInfo;
import io.dsblocks.storage.ObjectStore;
import io.dsblocks.storage.ObjectStores;
import io.dsblocks.storage.StorageConfig;
import io.dsblocks.storage.StorageStats;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The dsblocks side of {@code benchmarks/backup-bench.sh} (issue 7, item 13): backs up directory
 * trees into one repository, the way restic and borg are run by the same script, and restores the
 * last one.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.dsblocks.benchmarks.storage.BackupBench
 * [--no-restore] [--reopen] [--persist-sketches] [--warmup <rounds>] [--restore-into <dir>]
 * <repository> <lz4|zstd3|zstdN> <tree>...}. With {@code --restore-into} the restored tree is
 * written there and left in place (the script checks its size and deletes it at the very end). With
 * {@code --warmup n} the JVM first backs up the same trees {@code n} times into a scratch
 * repository (deleted again, not timed), so the timed steps run compiled code, as in a service that
 * embeds the store; without it they include the JIT's warm-up, as a command-line run does. A tree
 * is {@code dir} (its label is the directory name) or {@code label=dir}. The repository is created
 * if it does not exist and opened otherwise, so a second invocation measures an incremental backup.
 * Each tree is ingested in one batch (one durable commit), keys {@code <label>/<relative path>}.
 * Every step prints one machine-readable line starting with {@code BACKUPBENCH}, {@code key=value}
 * pairs separated by spaces; MB is 10^6 bytes.
 *
 * <p>Not a JMH benchmark: one timed pass over real data, like the backup tools it is compared with.
 * Ingest is fed by {@code cores + 1} threads, each with its own batch; restore reads with more
 * threads than cores (file writes block).
 */
public final class BackupBench {

  /** Fixed, because the benchmark measures throughput, not key handling. */
  private static final char[] PASSPHRASE = "backup-bench".toCharArray();

  private BackupBench() {}

  /**
   * Runs the benchmark.
   *
   * @param args {@code [--no-restore] [--reopen] [--persist-sketches] [--warmup rounds]
   *     [--restore-into dir] <repository> <compression> <tree>...}
   * @throws Exception on any failure (the script treats a non-zero exit as a failed run)
   */
  public static void main(String[] args) throws Exception {
    List<String> rest = new ArrayList<>(List.of(args));
    boolean restore = !rest.remove("--no-restore");
    boolean reopen = rest.remove("--reopen");
    boolean persistSketches = rest.remove("--persist-sketches");
    String warmupValue = option(rest, "--warmup");
    int warmupRounds = warmupValue == null ? 0 : parseRounds(warmupValue);
    String restoreValue = option(rest, "--restore-into");
    Path restoreInto = restoreValue == null ? null : Path.of(restoreValue);
    if (rest.size() < 3) {
      System.err.println(
          "usage: BackupBench [--no-restore] [--reopen] [--persist-sketches] [--warmup rounds]"
              + " [--restore-into dir] <repository>"
              + " <lz4|zstd3|zstdN>"
              + " <tree|label=tree>...");
      System.exit(2);
    }
    Path repository = Path.of(rest.get(0));
    String compressionName = rest.get(1);
    Compression compression = parseCompression(compressionName);
    List<String[]> trees = new ArrayList<>();
    for (String spec : rest.subList(2, rest.size())) {
      int eq = spec.indexOf('=');
      Path dir = Path.of(eq < 0 ? spec : spec.substring(eq + 1));
      String label = eq < 0 ? dir.getFileName().toString() : spec.substring(0, eq);
      if (!Files.isDirectory(dir)) {
        throw new IllegalArgumentException("tree is not a directory: " + dir);
      }
      trees.add(new String[] {label, dir.toString()});
    }

    StorageConfig config =
        StorageConfig.builder()
            .compression(compression)
            .persistDeltaSketches(persistSketches)
            .build();
    for (int round = 1; round <= warmupRounds; round++) {
      warmUp(trees, config, round, restore, reopen);
    }
    boolean exists = Files.isRegularFile(repository.resolve("repository"));
    System.out.printf(
        Locale.ROOT,
        "BACKUPBENCH step=open compression=%s mode=%s cores=%d repo=%s%n",
        compressionName,
        exists ? "open" : "create",
        Runtime.getRuntime().availableProcessors(),
        repository);
    try (ObjectStore store =
        backUp(
            exists
                ? ObjectStores.open(repository, PASSPHRASE, config)
                : ObjectStores.create(repository, PASSPHRASE, config),
            repository,
            config,
            trees,
            reopen,
            true)) {
      if (restore && !trees.isEmpty()) {
        String[] last = trees.get(trees.size() - 1);
        restore(store, last[0], restoreInto);
      }
    }
    // After close: the open pack is sealed and the index flushed, so this is the size at rest.
    System.out.printf(
        Locale.ROOT, "BACKUPBENCH step=close repo_bytes=%d%n", directoryBytes(repository));
  }

  /**
   * Backs up each tree in turn, in one open of the store (a service that keeps it open), or with
   * {@code reopen} closing and reopening it between two trees, as separate backup runs do (restic
   * and borg run one process per backup): then what carries over from one run to the next is only
   * what the repository keeps (dedup index, dictionary, and with {@code --persist-sketches} the
   * sketch index). The reopen is not timed (like the first open); its duration is printed.
   *
   * @return the store, open, after the last tree
   */
  private static ObjectStore backUp(
      ObjectStore first,
      Path repository,
      StorageConfig config,
      List<String[]> trees,
      boolean reopen,
      boolean report)
      throws IOException {
    ObjectStore store = first;
    try {
      for (int i = 0; i < trees.size(); i++) {
        if (i > 0 && reopen) {
          store.close();
          long start = System.nanoTime();
          store = ObjectStores.open(repository, PASSPHRASE, config);
          if (report) {
            System.out.printf(
                Locale.ROOT,
                "BACKUPBENCH step=reopen seconds=%.3f%n",
                (System.nanoTime() - start) / 1e9);
          }
        }
        ingest(store, repository, trees.get(i)[0], Path.of(trees.get(i)[1]), report);
      }
      return store;
    } catch (IOException | RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /** Removes {@code name} and its value from {@code args}; the value, or null. */
  private static String option(List<String> args, String name) {
    int i = args.indexOf(name);
    if (i < 0 || i + 1 >= args.size()) {
      return null;
    }
    String value = args.remove(i + 1);
    args.remove(i);
    return value;
  }

  private static int parseRounds(String value) {
    try {
      int rounds = Integer.parseInt(value);
      if (rounds >= 0) {
        return rounds;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "--warmup takes a number of rounds (0 or more), got '" + value + "'");
  }

  /**
   * One warm-up round, not timed: backs up the same trees, in the same order, into a scratch
   * repository (deleted again), then (if the run restores) restores the last tree exactly the way
   * the timed restore does, into a tree of files on tmpfs ({@code /dev/shm}) when there is one, so
   * the timed run executes code the JIT has compiled for exactly these paths. On tmpfs, because
   * deleting 15k files on this ext4 disk would slow the timed restore's file creation (see the
   * script); without tmpfs the files go to the scratch directory. History: until session 8 the
   * objects were read into a null sink, which left the file writes to be compiled during the timed
   * restore (perf: C2 at 40% of its CPU); in session 8 each thread wrote every object into one
   * scratch file, a branch the timed restore did not take: its restore method was deoptimized and
   * recompiled while timed (perf, session 9: the JVM's compiler at 36% of the timed restore's
   * samples). Measured with perf on two cores: after one round (of the 17 tree alone, or of both
   * trees) the C2 compiler still took a third of the timed CPU, its queue not yet drained; after
   * three rounds, 6%.
   */
  private static void warmUp(
      List<String[]> trees, StorageConfig config, int round, boolean readBack, boolean reopen)
      throws Exception {
    Path scratch = Files.createTempDirectory("backup-bench-warmup");
    long start = System.nanoTime();
    try {
      Path repo = scratch.resolve("repo");
      try (ObjectStore store =
          backUp(
              ObjectStores.create(repo, PASSPHRASE, config), repo, config, trees, reopen, false)) {
        if (readBack) {
          String label = trees.get(trees.size() - 1)[0];
          Path target = warmUpRestoreTarget(scratch);
          try {
            copyOut(store, store.list(label + "/"), label, target);
          } finally {
            deleteTree(target);
          }
        }
      }
    } finally {
      deleteTree(scratch);
    }
    System.out.printf(
        Locale.ROOT,
        "BACKUPBENCH step=warmup round=%d seconds=%.3f%n",
        round,
        (System.nanoTime() - start) / 1e9);
  }

  /** A new directory on tmpfs for a warm-up restore, or one in {@code scratch} without tmpfs. */
  private static Path warmUpRestoreTarget(Path scratch) throws IOException {
    Path shm = Path.of("/dev/shm");
    if (Files.isDirectory(shm) && Files.isWritable(shm)) {
      try {
        if (Files.getFileStore(shm).getUsableSpace() > (2L << 30)) {
          return Files.createTempDirectory(shm, "backup-bench-warmup");
        }
      } catch (IOException e) {
        // Fall back to the scratch directory.
      }
    }
    return Files.createDirectories(scratch.resolve("restore"));
  }

  private static Compression parseCompression(String name) {
    if (name.equals("lz4")) {
      return Compression.lz4();
    }
    if (name.startsWith("zstd")) {
      return Compression.zstd(Integer.parseInt(name.substring(4)));
    }
    throw new IllegalArgumentException(
        "compression must be lz4 or zstdN (e.g. zstd3), got '" + name + "'");
  }

  private static void ingest(
      ObjectStore store, Path repository, String label, Path tree, boolean report)
      throws IOException {
    List<Path> files = listFiles(tree);
    StorageStats before = store.stats();
    long start = System.nanoTime();
    long cpuStart = processCpuNanos();
    // Files are fed by several threads, as restic reads files in parallel: a small file is
    // processed on the thread that puts it, so one driver thread would use one core. A Batch is
    // single-threaded, so each thread fills its own batch (one durable commit per thread). Threads
    // take the next file from a shared counter (restic's workers take files from a queue), so
    // they finish together instead of one idling while the other works through larger files.
    // One thread more than cores, so that a core does not idle while a thread waits (for its
    // batch's intermediate fsync, the first dictionary's training, or its segments on the store's
    // executor): warmed, both trees, 3 alternating rounds on two cores: 1.32-1.46 s with 3
    // threads, 1.47-1.65 s with 2, 1.33-1.47 s with 4; stored bytes grow slightly with threads
    // (93.3-93.7, 93.9-94.5, 94.4-95.2 MB): more near-copies arrive before their base is committed.
    int threads = Runtime.getRuntime().availableProcessors() + 1;
    AtomicInteger nextFile = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long bytes = 0;
    try {
      List<Future<Long>> parts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        parts.add(
            pool.submit(
                () -> {
                  long n = 0;
                  try (ObjectStore.Batch batch = store.batch()) {
                    for (int i = nextFile.getAndIncrement();
                        i < files.size();
                        i = nextFile.getAndIncrement()) {
                      Path file = files.get(i);
                      String key =
                          label + "/" + tree.relativize(file).toString().replace('\\', '/');
                      try (InputStream in = Files.newInputStream(file)) {
                        batch.put(key, in);
                      }
                    }
                    for (ObjectInfo info : batch.commit()) {
                      n += info.size();
                    }
                  }
                  return n;
                }));
      }
      for (Future<Long> f : parts) {
        bytes += f.get();
      }
    } catch (InterruptedException | ExecutionException e) {
      throw new IOException("ingest of " + tree + " failed", e);
    } finally {
      pool.shutdown();
    }
    long nanos = System.nanoTime() - start;
    double cpu = (processCpuNanos() - cpuStart) / 1e9;
    if (!report) {
      return;
    }
    StorageStats after = store.stats();
    System.out.printf(
        Locale.ROOT,
        "BACKUPBENCH step=ingest label=%s files=%d bytes=%d seconds=%.3f mbps=%.1f cpu_seconds=%.3f"
            + " repo_bytes=%d pack_growth=%d logical=%d unique=%d stored=%d pack_bytes=%d"
            + " chunks=%d new_chunks=%d deduped_chunks=%d dedup=%.3f compression=%.3f"
            + " reduction=%.3f%n",
        label,
        files.size(),
        bytes,
        nanos / 1e9,
        bytes / 1e6 / (nanos / 1e9),
        cpu,
        directoryBytes(repository),
        after.packBytes() - before.packBytes(),
        after.logicalBytes(),
        after.uniqueBytes(),
        after.storedBytes(),
        after.packBytes(),
        after.chunks(),
        after.chunks() - before.chunks(),
        after.dedupedChunks(),
        after.dedupRatio(),
        after.compressionRatio(),
        after.reductionRatio());
  }

  /**
   * Restores every object under {@code label/} into {@code into} (created; left in place for the
   * caller to check and delete), or into a fresh temp directory deleted afterwards if {@code into}
   * is null.
   */
  private static void restore(ObjectStore store, String label, Path into) throws Exception {
    Path target =
        into != null
            ? Files.createDirectories(into)
            : Files.createTempDirectory("backup-bench-restore");
    try {
      settleFileSystem();
      long start = System.nanoTime();
      long cpuStart = processCpuNanos();
      List<ObjectInfo> objects = store.list(label + "/");
      long bytes = copyOut(store, objects, label, target);
      long nanos = System.nanoTime() - start;
      double cpu = (processCpuNanos() - cpuStart) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "BACKUPBENCH step=restore label=%s files=%d bytes=%d seconds=%.3f mbps=%.1f"
              + " cpu_seconds=%.3f%n",
          label,
          objects.size(),
          bytes,
          nanos / 1e9,
          bytes / 1e6 / (nanos / 1e9),
          cpu);
    } finally {
      if (into == null) {
        deleteTree(target);
      }
    }
  }

  /**
   * Reads every object in {@code objects} (keys under {@code label/}) in parallel, like restic's
   * restore, into files under {@code target}.
   *
   * @return the bytes read
   */
  private static long copyOut(
      ObjectStore store, List<ObjectInfo> objects, String label, Path target) throws Exception {
    // Parallel like restic's restore; more threads than cores because file writes block.
    int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long bytes = 0;
    try {
      // One task per directory: its files are written one after another by one thread. Threads
      // creating files in the same directory serialize on the directory's inode lock in the
      // kernel, and ext4 spins for that lock: with files handed out one by one, perf showed the
      // spinning at 14% of all CPU time and restore times varying 3x between runs.
      Map<String, List<ObjectInfo>> byDirectory = new LinkedHashMap<>();
      for (ObjectInfo info : objects) {
        String key = info.key();
        String dir = key.substring(0, Math.max(0, key.lastIndexOf('/')));
        byDirectory.computeIfAbsent(dir, d -> new ArrayList<>()).add(info);
      }
      List<Future<Long>> results = new ArrayList<>(byDirectory.size());
      for (List<ObjectInfo> group : byDirectory.values()) {
        results.add(pool.submit(() -> restoreDirectory(store, group, label, target)));
      }
      for (Future<Long> f : results) {
        bytes += f.get();
      }
    } catch (ExecutionException e) {
      throw new IOException("restore failed", e.getCause());
    } finally {
      pool.shutdown();
    }
    return bytes;
  }

  /**
   * Runs {@code sync} so the restore does not start with the ingest's dirty pages still being
   * written back (backup-bench.sh does the same before restic's and borg's restores). Creating
   * files on this ext4 disk took anywhere from 0.5 to 13 s for the same tree depending on what was
   * still being flushed.
   */
  private static void settleFileSystem() throws IOException, InterruptedException {
    try {
      new ProcessBuilder("sync").inheritIO().start().waitFor();
    } catch (IOException e) {
      // No sync binary (not Linux): time the restore as it is.
    }
  }

  /** CPU time of this process over all threads (the machine is shared, so wall time is noisy). */
  private static long processCpuNanos() {
    java.lang.management.OperatingSystemMXBean os =
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
  }

  /** Restores the objects of one directory (all with the same parent key) on this thread. */
  private static long restoreDirectory(
      ObjectStore store, List<ObjectInfo> group, String label, Path target) throws IOException {
    long bytes = 0;
    boolean dirCreated = false;
    byte[] buffer = new byte[256 * 1024];
    for (ObjectInfo info : group) {
      Path file = target.resolve(info.key().substring(label.length() + 1));
      if (!dirCreated) {
        // Once per directory, as restic does; idempotent, so threads racing on a shared parent
        // directory are harmless.
        Files.createDirectories(file.getParent());
        dirCreated = true;
      }
      try (InputStream in = store.get(info.key(), info.versionId());
          OutputStream out = Files.newOutputStream(file)) {
        // Up to 256 KiB per write (transferTo writes 8 KiB at a time): most files in one write.
        for (int n; (n = in.read(buffer)) > 0; ) {
          out.write(buffer, 0, n);
          bytes += n;
        }
      }
    }
    return bytes;
  }

  private static List<Path> listFiles(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }

  /** Apparent size of every regular file under {@code root}, as {@code du -sb} reports it. */
  private static long directoryBytes(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      long total = 0;
      for (Path p : s.toList()) {
        try {
          if (Files.isRegularFile(p)) {
            total += Files.size(p);
          }
        } catch (IOException e) {
          // RocksDB deletes obsolete files while we walk; a vanished file counts as zero.
        }
      }
      return total;
    }
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
