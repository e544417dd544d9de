package io.dsblocks.examples.storage;

import io.dsblocks.storage.ObjectStore;
import io.dsblocks.storage.ObjectStores;
import io.dsblocks.storage.StorageConfig;
import io.dsblocks.storage.Tier;
import io.dsblocks.storage.TierPolicy;
import io.dsblocks.storage.TierStats;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Hot, cold and archival tiers: writes a year of generated log files (new data is hot, LZ4), moves
 * last year's logs to the cold tier (zstd-9, its default) with {@link ObjectStore#moveToTier}, and
 * prints the per-tier stats before and after; the moved logs still read back byte for byte.
 */
public final class TieringExample {
  private TieringExample() {}

  /**
   * What the example measured.
   *
   * @param hotStoredBefore stored bytes of last year's logs while hot (LZ4)
   * @param coldStoredAfter stored bytes of the cold tier after the move (zstd-9)
   * @param coldCompression compression ratio of the cold tier
   * @param readBackIdentical whether a moved log read back identical
   */
  public record Result(
      long hotStoredBefore,
      long coldStoredAfter,
      double coldCompression,
      boolean readBackIdentical) {}

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
    Path work = Files.createTempDirectory("dsblocks-tiers");
    try {
      StorageConfig config =
          StorageConfig.builder()
              // Objects not read for 30 days go cold, after a year archival (background passes
              // every hour); moveToTier below does it at once.
              .tierPolicy(TierPolicy.byLastAccess(Duration.ofDays(30), Duration.ofDays(365)))
              .tierMigrationInterval(Duration.ofHours(1))
              .build();
      try (ObjectStore store =
          ObjectStores.create(work.resolve("repo"), "example".toCharArray(), config)) {
        Random rnd = new Random(5);
        byte[] sample = null;
        for (int month = 1; month <= 12; month++) {
          for (String year : new String[] {"2023", "2024"}) {
            byte[] log = generateLog(rnd, 150_000);
            String key = String.format(Locale.ROOT, "logs/%s/%02d.log", year, month);
            store.put(key, new ByteArrayInputStream(log));
            if (sample == null) {
              sample = log;
            }
          }
        }
        print(out, "after writing 24 logs", store);
        long hotBefore = store.stats().tier(Tier.HOT).storedBytes();
        for (var info : store.list("logs/2023/")) {
          store.moveToTier(info.key(), Tier.COLD);
        }
        print(out, "after moving logs/2023/ to COLD", store);
        boolean identical;
        try (InputStream in = store.get("logs/2023/01.log")) {
          identical = Arrays.equals(in.readAllBytes(), sample);
        }
        out.printf(
            Locale.ROOT,
            "logs/2023/01.log is in tier %s and reads back identical: %s%n",
            store.tierOf("logs/2023/01.log").orElseThrow(),
            identical);
        TierStats cold = store.stats().tier(Tier.COLD);
        return new Result(hotBefore / 2, cold.storedBytes(), cold.compressionRatio(), identical);
      }
    } finally {
      try (Stream<Path> files = Files.walk(work)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void print(PrintStream out, String when, ObjectStore store) {
    out.println(when + ":");
    for (TierStats t : store.stats().tiers().values()) {
      out.printf(
          Locale.ROOT,
          "  %-8s logical %6.2f MB  stored %6.2f MB  compression %5.2fx  packs %d%n",
          t.tier(),
          t.logicalBytes() / 1e6,
          t.storedBytes() / 1e6,
          t.compressionRatio(),
          t.packs());
    }
  }

  /** Log-like text: timestamps, a few levels and messages with numbers. */
  private static byte[] generateLog(Random rnd, int size) {
    String[] levels = {"INFO", "WARN", "DEBUG", "ERROR"};
    String[] msgs = {
      "request served in %d ms",
      "cache miss for user %d",
      "retrying upstream call #%d",
      "flushed %d records to disk",
      "connection pool size %d"
    };
    StringBuilder sb = new StringBuilder(size + 128);
    long t = 1_700_000_000_000L + rnd.nextInt(1_000_000);
    while (sb.length() < size) {
      t += rnd.nextInt(500);
      sb.append(t)
          .append(' ')
          .append(levels[rnd.nextInt(levels.length)])
          .append(' ')
          .append(String.format(Locale.ROOT, msgs[rnd.nextInt(msgs.length)], rnd.nextInt(10_000)))
          .append('\n');
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }
}
