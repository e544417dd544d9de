package io.dsblocks.examples.cache;

import io.dsblocks.cache.CacheConfig;
import io.dsblocks.cache.CacheListener;
import io.dsblocks.cache.CacheStats;
import io.dsblocks.cache.CacheStore;
import io.dsblocks.cache.Caches;
import io.dsblocks.cache.Codec;
import io.dsblocks.cache.DsCache;
import io.dsblocks.cache.FsyncPolicy;
import io.dsblocks.cache.JournalReport;
import io.dsblocks.cache.WriteBackConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A write-back cache in front of a slow store: reads hit the cache, writes return at once and reach
 * the store in coalesced batches, and a journal brings pending writes back after a crash.
 *
 * <p>Copy this class: it needs only ds-cache.
 */
public final class WriteBackExample {
  private WriteBackExample() {}

  /**
   * A "database" that takes a few hundred microseconds per call and counts what it is asked to do.
   */
  static final class SlowStore implements CacheStore<String, String> {
    final Map<String, String> rows = new ConcurrentHashMap<>();
    final AtomicLong calls = new AtomicLong();
    final AtomicLong keysWritten = new AtomicLong();
    final AtomicLong writeCalls = new AtomicLong();
    volatile CountDownLatch outage; // while set, writes hang: the store is "down"

    private void roundTrip() throws InterruptedException {
      calls.incrementAndGet();
      CountDownLatch down = outage;
      if (down != null) {
        down.await();
      }
      TimeUnit.MICROSECONDS.sleep(300); // simulated network + disk latency
    }

    @Override
    public String load(String key) throws InterruptedException {
      roundTrip();
      return rows.get(key);
    }

    @Override
    public void write(String key, String value) throws InterruptedException {
      roundTrip();
      writeCalls.incrementAndGet();
      rows.put(key, value);
      keysWritten.incrementAndGet();
    }

    @Override
    public void delete(String key) throws InterruptedException {
      roundTrip();
      writeCalls.incrementAndGet();
      rows.remove(key);
      keysWritten.incrementAndGet();
    }

    @Override
    public void writeAll(Map<String, String> entries) throws InterruptedException {
      roundTrip(); // one round trip per batch: the point of batching
      writeCalls.incrementAndGet();
      rows.putAll(entries);
      keysWritten.addAndGet(entries.size());
    }
  }

  /** What the example measured. */
  record Result(
      long reads,
      double hitRate,
      long puts,
      long storeCalls,
      long coalesced,
      long replayed,
      boolean replayedValueStored,
      double millis) {}

  private static WriteBackConfig<String, String> settings(Path journal) {
    return WriteBackConfig.<String, String>builder()
        .maxBatchSize(200)
        .maxDelay(Duration.ofMillis(20))
        .maxPending(10_000)
        .journal(journal, Codec.utf8(), Codec.utf8(), FsyncPolicy.INTERVAL)
        .build();
  }

  /**
   * Runs the example.
   *
   * @param out where to print
   * @return the measurements
   * @throws Exception if the store or the file system fails
   */
  static Result run(PrintStream out) throws Exception {
    Path dir = Files.createTempDirectory("dsblocks-cache-example");
    try {
      return run(out, dir);
    } finally {
      try (var files = Files.list(dir)) {
        for (Path p : files.toList()) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  private static Result run(PrintStream out, Path dir) throws Exception {
    // 1. Normal operation: a skewed workload of reads and writes over 500 users.
    SlowStore store = new SlowStore();
    for (int i = 0; i < 500; i++) {
      store.rows.put("user:" + i, "profile-v0");
    }
    Path journal = dir.resolve("users.journal");
    long t0 = System.nanoTime();
    SplittableRandom random = new SplittableRandom(42);
    int reads = 8_000;
    int puts = 2_000;
    CacheStats stats;
    try (DsCache<String, String> users =
        Caches.create(
            CacheConfig.<String, String>builder()
                .name("users")
                .maximumSize(200)
                .writeBack(store, settings(journal))
                .recordStats()
                .build())) {
      for (int i = 0; i < reads + puts; i++) {
        String key = "user:" + skewed(random, 500);
        if (i % 5 == 4) {
          users.put(key, "profile-v" + i);
        } else {
          users.get(key);
        }
      }
      users.flush(10, TimeUnit.SECONDS);
      stats = users.stats();
    }
    double millis = (System.nanoTime() - t0) / 1e6;
    out.printf(
        "  %d reads, hit rate %.1f%%; %d puts stored %d keys in %d store round trips"
            + " (%d writes coalesced), %.0f ms%n",
        reads,
        100 * stats.hitRate(),
        puts,
        store.keysWritten.get(),
        store.writeCalls.get(),
        stats.writesCoalesced(),
        (System.nanoTime() - t0) / 1e6);

    // 2. Crash and replay. The store goes down, so writes pile up in the queue (and journal);
    // then the process "dies": what survives is the journal file, copied here at that moment.
    SlowStore downStore = new SlowStore();
    downStore.outage = new CountDownLatch(1);
    Path crashJournal = dir.resolve("orders.journal");
    Path survivor = dir.resolve("orders-after-crash.journal");
    DsCache<String, String> doomed =
        Caches.create(
            CacheConfig.<String, String>builder()
                .name("orders")
                .writeBack(downStore, settings(crashJournal))
                .build());
    for (int i = 0; i < 100; i++) {
      doomed.put("order:" + (i % 40), "state-" + i);
    }
    Files.copy(crashJournal, survivor, StandardCopyOption.REPLACE_EXISTING);
    downStore.outage.countDown(); // let the doomed instance finish and stop its thread
    doomed.close();

    SlowStore recoveredStore = new SlowStore();
    long[] replayed = {0};
    try (DsCache<String, String> orders =
        Caches.create(
            CacheConfig.<String, String>builder()
                .name("orders")
                .writeBack(recoveredStore, settings(survivor))
                .listener(
                    new CacheListener<>() {
                      @Override
                      public void onJournalRecovered(JournalReport report) {
                        replayed[0] = report.replayedWrites();
                      }
                    })
                .build())) {
      orders.flush(10, TimeUnit.SECONDS);
    }
    boolean stored = "state-99".equals(recoveredStore.rows.get("order:19"));
    out.printf(
        "  crash with the store down: %d pending writes replayed from the journal on restart,"
            + " last write stored: %s%n",
        replayed[0], stored);
    return new Result(
        reads,
        stats.hitRate(),
        puts,
        store.writeCalls.get(),
        stats.writesCoalesced(),
        replayed[0],
        stored,
        millis);
  }

  /** A roughly Zipf-like pick: small ids are much more popular. */
  private static int skewed(SplittableRandom random, int n) {
    double u = random.nextDouble();
    return (int) (n * u * u * u);
  }

  /**
   * Runs the example and prints what happened.
   *
   * @param args ignored
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    run(System.out);
  }
}
