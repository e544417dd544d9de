package io.dsblocks.cache.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.cache.CacheTierException;
import io.dsblocks.cache.Codec;
import io.dsblocks.cache.tier.ChronicleMapTier.OpenOutcome;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Round trips, TTL, builder validation and close of {@link ChronicleMapTier}. */
// Integration tier: these tests map real files and load Chronicle Map's ~900 classes (some
// generated at run time). In the unit-test JVM that made CacheLincheckTest, whose agent
// retransforms every loaded class, run for many minutes instead of ~20 s.
@Tag("integration")
class ChronicleMapTierTest {
  @TempDir Path dir;
  private final TestClock clock = new TestClock();

  private ChronicleMapTier.Builder<String, String> strings() {
    return ChronicleMapTier.builder(Codec.utf8(), Codec.utf8())
        .entries(1_000)
        .averageKeySize(8)
        .averageValueSize(32)
        .clock(clock);
  }

  @Test
  void stringsRoundTripInMemory() {
    try (ChronicleMapTier<String, String> tier = strings().name("mem").build()) {
      assertThat(tier.openOutcome()).isEqualTo(OpenOutcome.IN_MEMORY);
      assertThat(tier.file()).isEmpty();
      assertThat(tier.shared()).isFalse();
      assertThat(tier.name()).isEqualTo("mem");

      assertThat(tier.get("a")).isNull();
      tier.put("a", "alpha", null);
      tier.put("b", "beta", null);
      tier.put("empty", "", null); // a zero-length payload is a value, not an absence
      tier.put("unicode", "日本語 ✓", null);
      assertThat(tier.get("a")).isEqualTo("alpha");
      assertThat(tier.get("b")).isEqualTo("beta");
      assertThat(tier.get("empty")).isEmpty();
      assertThat(tier.get("unicode")).isEqualTo("日本語 ✓");
      assertThat(tier.size()).isEqualTo(4);

      tier.put("a", "a much longer value than before, to move the entry", null);
      assertThat(tier.get("a")).isEqualTo("a much longer value than before, to move the entry");

      tier.remove("a");
      tier.remove("never-there"); // not an error
      assertThat(tier.get("a")).isNull();
      assertThat(tier.get("b")).isEqualTo("beta");

      tier.clear();
      assertThat(tier.get("b")).isNull();
      assertThat(tier.size()).isZero();
    }
  }

  @Test
  void customCodecsRoundTripOnAFile() {
    try (ChronicleMapTier<Long, Point> tier =
        ChronicleMapTier.builder(Point.LONG_KEYS, Point.CODEC)
            .persistedTo(dir.resolve("points.l2"))
            .entries(500)
            .averageKey(123L)
            .averageValue(new Point(1, 2, "a typical label"))
            .build()) {
      assertThat(tier.openOutcome()).isEqualTo(OpenOutcome.CREATED);
      assertThat(tier.file()).contains(dir.resolve("points.l2"));
      for (long i = 0; i < 300; i++) {
        tier.put(i, new Point((int) i, -i * 1_000_000_007L, "p" + i), null);
      }
      for (long i = 0; i < 300; i++) {
        assertThat(tier.get(i)).isEqualTo(new Point((int) i, -i * 1_000_000_007L, "p" + i));
      }
      tier.remove(7L);
      assertThat(tier.get(7L)).isNull();
      assertThat(tier.get(8L)).isEqualTo(new Point(8, -8 * 1_000_000_007L, "p8"));
    }
  }

  @Test
  void aValueExpiresByTheWallClockAndIsThenRemoved() {
    try (ChronicleMapTier<String, String> tier = strings().build()) {
      tier.put("short", "s", Duration.ofSeconds(10));
      tier.put("long", "l", Duration.ofMinutes(10));
      tier.put("forever", "f", null);
      tier.put("sub-milli", "m", Duration.ofNanos(1)); // rounded up to 1 ms, not "already expired"

      assertThat(tier.get("short")).isEqualTo("s");
      assertThat(tier.get("sub-milli")).isEqualTo("m");
      clock.advance(Duration.ofMillis(1));
      assertThat(tier.get("sub-milli")).isNull();

      clock.advance(Duration.ofMillis(9_998));
      assertThat(tier.get("short")).isEqualTo("s"); // 1 ms before expiry
      clock.advance(Duration.ofMillis(1));
      assertThat(tier.get("short")).isNull(); // expired at exactly its TTL
      assertThat(tier.size()).as("the expired entries were removed when read").isEqualTo(2);

      clock.advance(Duration.ofDays(365));
      assertThat(tier.get("long")).isNull();
      assertThat(tier.get("forever")).isEqualTo("f");
    }
  }

  @Test
  void aRewriteResetsTheExpiryAndANonPositiveTtlRemoves() {
    try (ChronicleMapTier<String, String> tier = strings().build()) {
      tier.put("k", "v1", Duration.ofSeconds(5));
      clock.advance(Duration.ofSeconds(4));
      tier.put("k", "v2", Duration.ofSeconds(5));
      clock.advance(Duration.ofSeconds(4));
      assertThat(tier.get("k")).isEqualTo("v2");
      tier.put("k", "v3", null); // no TTL any more
      clock.advance(Duration.ofDays(1));
      assertThat(tier.get("k")).isEqualTo("v3");

      tier.put("k", "v4", Duration.ZERO);
      assertThat(tier.get("k")).isNull();
      tier.put("j", "x", null);
      tier.put("j", "y", Duration.ofSeconds(-1));
      assertThat(tier.get("j")).isNull();

      tier.put("huge", "h", Duration.ofSeconds(Long.MAX_VALUE)); // saturates, does not overflow
      clock.advance(Duration.ofDays(365 * 1000));
      assertThat(tier.get("huge")).isEqualTo("h");
    }
  }

  @Test
  void closeIsIdempotentAndLaterOperationsFailClearly() {
    ChronicleMapTier<String, String> tier = strings().name("closing").build();
    tier.put("a", "1", null);
    tier.close();
    tier.close();
    assertThat(tier.isClosed()).isTrue();
    assertThat(tier).hasToString("ChronicleMapTier[name=closing, in-memory, entries=1000, closed]");
    assertThatThrownBy(() -> tier.get("a"))
        .isInstanceOf(CacheTierException.class)
        .hasMessage("tier 'closing' is closed; cannot get key a");
    assertThatThrownBy(() -> tier.put("a", "2", null))
        .isInstanceOf(CacheTierException.class)
        .hasMessageContaining("is closed");
    assertThatThrownBy(() -> tier.remove("a")).isInstanceOf(CacheTierException.class);
    assertThatThrownBy(tier::clear).isInstanceOf(CacheTierException.class);
    assertThatThrownBy(tier::size).isInstanceOf(CacheTierException.class);
  }

  @Test
  void nullArgumentsAreRejectedByName() {
    try (ChronicleMapTier<String, String> tier = strings().build()) {
      assertThatThrownBy(() -> tier.get(null))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("key");
      assertThatThrownBy(() -> tier.put("k", null, null))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("value");
      assertThatThrownBy(() -> tier.put(null, "v", null)).hasMessage("key");
      assertThatThrownBy(() -> tier.remove(null)).hasMessage("key");
    }
  }

  @Test
  void aCodecFailureIsATierErrorNamingTheKey() {
    Codec<String> broken =
        new Codec<>() {
          @Override
          public byte[] encode(String value) {
            return value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
          }

          @Override
          public String decode(byte[] bytes) {
            throw new IllegalStateException("corrupt");
          }
        };
    try (ChronicleMapTier<String, String> tier =
        ChronicleMapTier.builder(Codec.utf8(), broken)
            .entries(10)
            .averageKeySize(4)
            .averageValueSize(4)
            .name("b")
            .build()) {
      tier.put("k", "v", null);
      assertThatThrownBy(() -> tier.get("k"))
          .isInstanceOf(CacheTierException.class)
          .hasMessageStartingWith("tier 'b': get of key k failed")
          .hasRootCauseMessage("corrupt");
    }
  }

  @Test
  void builderValidatesEveryOption() {
    assertThatThrownBy(() -> ChronicleMapTier.builder(Codec.utf8(), Codec.utf8()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("entries is required");
    assertThatThrownBy(() -> strings().entries(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("entries must be in [1, 1099511627776] but was 0");
    assertThatThrownBy(
            () ->
                ChronicleMapTier.builder(Codec.utf8(), Codec.utf8())
                    .entries(10)
                    .averageValueSize(10)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("averageKeySize (or averageKey(sample)) is required");
    assertThatThrownBy(() -> strings().averageValueSize(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("averageValueSize must be in [1, 16777216] but was 0");
    assertThatThrownBy(() -> strings().averageKeySize(1 << 25).build())
        .hasMessage("averageKeySize must be in [1, 16777216] but was 33554432");
    assertThatThrownBy(() -> strings().maxBloatFactor(0.5).build())
        .hasMessage("maxBloatFactor must be in [1.0, 1000.0] but was 0.5");
    assertThatThrownBy(() -> strings().maxBloatFactor(Double.NaN).build())
        .hasMessage("maxBloatFactor must be in [1.0, 1000.0] but was NaN");
    assertThatThrownBy(() -> strings().name(" ").build()).hasMessage("name must not be blank");
    assertThatThrownBy(() -> strings().clearOnOpen(true).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("clearOnOpen applies to a persisted tier");
    assertThatThrownBy(() -> ChronicleMapTier.builder(null, Codec.utf8()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("keyCodec");
    assertThatThrownBy(() -> strings().clock(null)).hasMessage("clock");
    assertThatThrownBy(() -> strings().whenFull(null)).hasMessage("policy");
    assertThatThrownBy(() -> strings().persistedTo(null)).hasMessage("file");
  }
}
