package io.dsblocks.cache.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.dsblocks.cache.CacheTierException;
import io.dsblocks.cache.Codec;
import io.dsblocks.cache.tier.ChronicleMapTier.WhenFull;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Far more entries than the map was sized for: a clear error, never a crash, and the map keeps
 * working.
 */
// Integration tier: these tests map real files and load Chronicle Map's ~900 classes (some
// generated at run time). In the unit-test JVM that made CacheLincheckTest, whose agent
// retransforms every loaded class, run for many minutes instead of ~20 s.
@Tag("integration")
class ChronicleMapTierFullTest {
  private static final int FAR_BEYOND = 50_000;

  @TempDir Path dir;

  private ChronicleMapTier.Builder<String, String> tiny() {
    return ChronicleMapTier.builder(Codec.utf8(), Codec.utf8())
        .name("tiny")
        .persistedTo(dir.resolve("tiny.l2"))
        .entries(100)
        .averageKeySize(8)
        .averageValueSize(16);
  }

  private static String value(int i) {
    return "value-" + (1_000_000 + i); // 13 bytes, under the 16-byte average
  }

  @Test
  void overfillingFailsClearlyAndKeepsEveryStoredEntry() {
    try (ChronicleMapTier<String, String> tier = tiny().build()) {
      int stored = 0;
      CacheTierException error = null;
      for (int i = 0; i < FAR_BEYOND; i++) {
        try {
          tier.put("k" + i, value(i), null);
          stored++;
        } catch (CacheTierException e) {
          error = e;
          break;
        }
      }
      if (error == null) {
        fail("%d puts into a map sized for 100 entries never failed", FAR_BEYOND);
      }
      assertThat(stored).isGreaterThanOrEqualTo(100).isLessThan(FAR_BEYOND);
      assertThat(error)
          .hasMessageStartingWith("tier 'tiny': cannot store key k" + stored + ": the map is full")
          .hasMessageContaining("sized for entries=100 (maxBloatFactor=1.0)")
          .hasMessageContaining("holds " + stored + " entries")
          .hasMessageContaining("raise entries (or maxBloatFactor)")
          .hasCauseInstanceOf(IllegalStateException.class);
      assertThat(tier.fullCount()).isEqualTo(1);

      // Everything stored before is intact, the refused key is absent.
      for (int i = 0; i < stored; i++) {
        assertThat(tier.get("k" + i)).isEqualTo(value(i));
      }
      assertThat(tier.get("k" + stored)).isNull();
      assertThat(tier.size()).isEqualTo(stored);

      // The map keeps working: overwrites in place, removes, and new puts once there is room.
      tier.put("k0", value(42), null);
      assertThat(tier.get("k0")).isEqualTo(value(42));
      for (int i = 0; i < 50; i++) {
        tier.remove("k" + i);
      }
      for (int i = 0; i < 50; i++) {
        tier.put("new" + i, value(i), null);
      }
      assertThat(tier.get("new49")).isEqualTo(value(49));
      assertThat(tier.size()).isEqualTo(stored);
    }
    // And the file closes and reopens normally.
    try (ChronicleMapTier<String, String> tier = tiny().build()) {
      assertThat(tier.get("new0")).isEqualTo(value(0));
    }
  }

  @Test
  void aRefusedPutLeavesNoOlderValueToServeStale() {
    try (ChronicleMapTier<String, String> tier = tiny().build()) {
      tier.put("victim", "old", null);
      String huge = "x".repeat(1 << 20); // 1 MiB against a 16-byte average
      assertThatThrownBy(() -> tier.put("victim", huge, null))
          .isInstanceOf(CacheTierException.class)
          .hasMessageContaining("cannot store key victim: its value is 1048576 bytes encoded")
          .hasMessageContaining("averageValueSize=16")
          .hasMessageContaining("Any older value of the key was removed");
      assertThat(tier.get("victim")).isNull();
      tier.put("victim", "new", null);
      assertThat(tier.get("victim")).isEqualTo("new");
    }
  }

  @Test
  void whenFullClearDropsEverythingAndStoresTheNewEntry() {
    try (ChronicleMapTier<String, String> tier = tiny().whenFull(WhenFull.CLEAR).build()) {
      for (int i = 0; i < 5_000; i++) {
        tier.put("k" + i, value(i), null);
        assertThat(tier.get("k" + i)).isEqualTo(value(i)); // every put succeeds
      }
      assertThat(tier.fullCount()).isPositive();
      assertThat(tier.size()).isLessThan(5_000);
      assertThat(tier.get("k0")).as("cleared long ago").isNull();
    }
  }
}
