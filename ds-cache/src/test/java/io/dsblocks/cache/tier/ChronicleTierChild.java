package io.dsblocks.cache.tier;

import io.dsblocks.cache.Codec;
import java.nio.file.Path;

/**
 * The child JVM of {@link ChronicleMapTierRestartIntegrationTest}: writes {@code count} entries to
 * a persisted tier, then either closes it, prints {@code ready} and exits ({@code close}), or
 * prints {@code ready} and keeps rewriting the entries until it is killed ({@code rewrite}).
 */
public final class ChronicleTierChild {
  private ChronicleTierChild() {}

  static ChronicleMapTier<String, String> open(Path file, int count) {
    return ChronicleMapTier.builder(Codec.utf8(), Codec.utf8())
        .name("restart")
        .persistedTo(file)
        .entries(count / 2) // so that part of the data lives in Chronicle's extra segment tiers
        .maxBloatFactor(4.0)
        .averageKeySize(8)
        .averageValueSize(24)
        .build();
  }

  static String value(int key, long version) {
    return "v" + key + "-" + version + "-" + (key * 31L + version);
  }

  /**
   * Runs the child.
   *
   * @param args file, count, mode ({@code close} or {@code rewrite})
   * @throws Exception on failure (the parent sees a missing "ready")
   */
  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    int count = Integer.parseInt(args[1]);
    String mode = args[2];
    ChronicleMapTier<String, String> tier = open(file, count);
    for (int i = 0; i < count; i++) {
      tier.put("k" + i, value(i, 0), null);
    }
    if (mode.equals("close")) {
      tier.close();
      System.out.println("ready");
      System.out.flush();
      return;
    }
    System.out.println("ready");
    System.out.flush();
    // rewrite: overwrite entries as fast as possible so the kill lands in the middle of writes
    for (long version = 1; ; version++) {
      for (int i = 0; i < count; i++) {
        tier.put("k" + i, value(i, version), null);
      }
      if (version == 1) {
        System.out.println("rewriting");
        System.out.flush();
      }
    }
  }
}
