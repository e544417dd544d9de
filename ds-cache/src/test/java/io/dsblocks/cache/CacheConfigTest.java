package io.dsblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CacheConfigTest {

  @Test
  void rejectsBadValuesNamingFieldValueAndRange() {
    assertThatThrownBy(() -> CacheConfig.<String, String>builder().maximumSize(-5).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maximumSize")
        .hasMessageContaining("-5")
        .hasMessageContaining("[0, ");
    assertThatThrownBy(
            () ->
                CacheConfig.<String, String>builder()
                    .expireAfterWrite(Duration.ofSeconds(-1))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expireAfterWrite")
        .hasMessageContaining("PT-1S");
    assertThatThrownBy(() -> WriteBackConfig.<String, String>builder().maxBatchSize(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxBatchSize must be in [1, 1000000] but was 0");
    assertThatThrownBy(
            () ->
                WriteBackConfig.<String, String>builder()
                    .retries(3, Duration.ofSeconds(2), Duration.ofSeconds(1), 0.1)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxBackoff");
    assertThatThrownBy(
            () ->
                WriteBackConfig.<String, String>builder()
                    .retries(3, Duration.ZERO, Duration.ZERO, 1.5)
                    .build())
        .hasMessageContaining("jitter must be in [0.0, 1.0] but was 1.5");
  }

  @Test
  void rejectsConflictingOptions() {
    assertThatThrownBy(
            () ->
                CacheConfig.<String, String>builder()
                    .maximumSize(10)
                    .maximumWeight(10, (k, v) -> 1)
                    .build())
        .hasMessageContaining("mutually exclusive");
    assertThatThrownBy(
            () ->
                CacheConfig.<String, String>builder()
                    .policy(EvictionPolicy.LRU)
                    .maximumSize(10)
                    .expireAfterWrite(Duration.ofSeconds(1))
                    .build())
        .hasMessageContaining("policy LRU supports maximumSize only")
        .hasMessageContaining("expireAfterWrite");
    assertThatThrownBy(
            () -> CacheConfig.<String, String>builder().policy(EvictionPolicy.LFU).build())
        .hasMessageContaining("policy LFU needs maximumSize");
    assertThatThrownBy(
            () ->
                CacheConfig.<String, String>builder()
                    .refreshAfterWrite(Duration.ofSeconds(1))
                    .build())
        .hasMessageContaining("needs a loader or a store");
  }

  @Test
  void nullArgumentsAreNamed() {
    assertThatThrownBy(() -> CacheConfig.<String, String>builder().loader(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("loader");
    assertThatThrownBy(
            () ->
                WriteBackConfig.<String, String>builder()
                    .journal(Path.of("x"), null, Codec.utf8(), FsyncPolicy.NEVER))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("keyCodec");
    DsCache<String, String> cache = Caches.bounded(10);
    assertThatThrownBy(() -> cache.put(null, "v"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
    assertThatThrownBy(() -> cache.put("k", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("value");
    assertThatThrownBy(() -> cache.getIfPresent(null)).hasMessage("key");
  }

  @Test
  void defaultsAreReadable() {
    CacheConfig<String, String> c = CacheConfig.<String, String>builder().build();
    assertThat(c.policy()).isEqualTo(EvictionPolicy.WINDOW_TINY_LFU);
    assertThat(c.writeMode()).isEqualTo(WriteMode.NONE);
    assertThat(c.maximumSize()).isEqualTo(-1);
    WriteBackConfig<String, String> w = WriteBackConfig.defaults();
    assertThat(w.maxBatchSize()).isEqualTo(100);
    assertThat(w.overflowPolicy()).isEqualTo(OverflowPolicy.BLOCK);
  }
}
