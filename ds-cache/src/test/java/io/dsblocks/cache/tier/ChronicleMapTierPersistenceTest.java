package io.dsblocks.cache.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.cache.CacheTierException;
import io.dsblocks.cache.Codec;
import io.dsblocks.cache.tier.ChronicleMapTier.OpenOutcome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Close and reopen in one JVM: what survives, resizing, ownership, clear-on-open. */
// Integration tier: these tests map real files and load Chronicle Map's ~900 classes (some
// generated at run time). In the unit-test JVM that made CacheLincheckTest, whose agent
// retransforms every loaded class, run for many minutes instead of ~20 s.
@Tag("integration")
class ChronicleMapTierPersistenceTest {
  @TempDir Path dir;
  private final TestClock clock = new TestClock();

  private ChronicleMapTier.Builder<String, String> tier(Path file, long entries) {
    return ChronicleMapTier.builder(Codec.utf8(), Codec.utf8())
        .persistedTo(file)
        .entries(entries)
        .averageKeySize(8)
        .averageValueSize(16)
        .clock(clock);
  }

  @Test
  void entriesSurviveCloseAndReopenWithTheirExpiry() throws Exception {
    Path file = dir.resolve("sub/dir/l2.dat"); // parent directories are created
    try (ChronicleMapTier<String, String> t = tier(file, 1_000).build()) {
      assertThat(t.openOutcome()).isEqualTo(OpenOutcome.CREATED);
      for (int i = 0; i < 200; i++) {
        t.put("k" + i, "v" + i, null);
      }
      t.put("ttl", "short-lived", Duration.ofSeconds(30));
      t.remove("k0");
    }
    assertThat(Files.readString(file.resolveSibling("l2.dat.tier"))).contains("state=closed");

    try (ChronicleMapTier<String, String> t = tier(file, 1_000).build()) {
      assertThat(t.openOutcome()).isEqualTo(OpenOutcome.REOPENED);
      assertThat(t.size()).isEqualTo(200);
      assertThat(t.get("k0")).isNull();
      for (int i = 1; i < 200; i++) {
        assertThat(t.get("k" + i)).isEqualTo("v" + i);
      }
      assertThat(t.get("ttl")).isEqualTo("short-lived");
    }
    // The expiry is absolute: time that passes while the tier is closed counts.
    clock.advance(Duration.ofSeconds(31));
    try (ChronicleMapTier<String, String> t = tier(file, 1_000).build()) {
      assertThat(t.get("ttl")).isNull();
      assertThat(t.get("k1")).isEqualTo("v1");
    }
  }

  @Test
  void raisingEntriesRecreatesTheFileWithTheNewSize() {
    Path file = dir.resolve("l2.dat");
    try (ChronicleMapTier<String, String> t = tier(file, 100).build()) {
      t.put("old", "x", null);
    }
    try (ChronicleMapTier<String, String> t = tier(file, 10_000).build()) {
      assertThat(t.openOutcome()).isEqualTo(OpenOutcome.RECREATED);
      assertThat(t.get("old")).as("content is dropped with the old sizing").isNull();
      for (int i = 0; i < 5_000; i++) { // far beyond what 100 entries allows
        t.put("k" + i, "v" + i, null);
      }
      assertThat(t.size()).isEqualTo(5_000);
    }
    try (ChronicleMapTier<String, String> t = tier(file, 10_000).build()) {
      assertThat(t.openOutcome()).isEqualTo(OpenOutcome.REOPENED);
      assertThat(t.size()).isEqualTo(5_000);
    }
  }

  @Test
  void aFileHasOneOwnerAtATime() {
    Path file = dir.resolve("l2.dat");
    try (ChronicleMapTier<String, String> first = tier(file, 100).name("first").build()) {
      first.put("a", "1", null);
      assertThatThrownBy(() -> tier(file, 100).name("second").build())
          .isInstanceOf(CacheTierException.class)
          .hasMessageContaining("tier 'second'")
          .hasMessageContaining("is already open in this or another process");
      assertThat(first.get("a")).as("the refused open did not disturb the owner").isEqualTo("1");
    }
    try (ChronicleMapTier<String, String> again = tier(file, 100).build()) {
      assertThat(again.get("a")).isEqualTo("1"); // the lock was released by close
    }
  }

  @Test
  void aFileWithoutMetadataIsNotTouched() throws Exception {
    Path file = dir.resolve("precious.dat");
    Files.writeString(file, "not a cache", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> tier(file, 100).build())
        .isInstanceOf(CacheTierException.class)
        .hasMessageContaining("exists but has no precious.dat.tier metadata");
    assertThat(Files.readString(file)).isEqualTo("not a cache");
  }

  @Test
  @Timeout(20) // Chronicle Map alone would wait a minute for a header it thinks is being written
  void aDamagedFileIsRecreatedEmpty() throws Exception {
    Path file = dir.resolve("l2.dat");
    try (ChronicleMapTier<String, String> t = tier(file, 100).build()) {
      t.put("a", "1", null);
    }
    Files.write(file, new byte[] {1, 2, 3}); // truncated garbage, say after a full disk
    try (ChronicleMapTier<String, String> t = tier(file, 100).build()) {
      assertThat(t.openOutcome()).isEqualTo(OpenOutcome.RECREATED);
      assertThat(t.get("a")).isNull();
      t.put("b", "2", null);
      assertThat(t.get("b")).isEqualTo("2");
    }
  }

  @Test
  void clearOnOpenStartsEmptyButKeepsTheFile() {
    Path file = dir.resolve("l2.dat");
    try (ChronicleMapTier<String, String> t = tier(file, 100).build()) {
      t.put("a", "1", null);
      assertThat(t.clearedOnOpen()).isFalse();
    }
    try (ChronicleMapTier<String, String> t = tier(file, 100).clearOnOpen(true).build()) {
      assertThat(t.openOutcome()).isEqualTo(OpenOutcome.REOPENED);
      assertThat(t.clearedOnOpen()).isTrue();
      assertThat(t.get("a")).isNull();
      assertThat(t.size()).isZero();
      t.put("b", "2", null);
    }
    try (ChronicleMapTier<String, String> t = tier(file, 100).build()) {
      assertThat(t.get("b")).isEqualTo("2");
    }
  }
}
