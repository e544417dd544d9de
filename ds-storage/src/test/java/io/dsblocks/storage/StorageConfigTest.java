package io.dsblocks.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class StorageConfigTest {

  private static void rejects(UnaryOperator<StorageConfig.Builder> change, String message) {
    assertThatThrownBy(() -> change.apply(StorageConfig.builder()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void defaultsAreSensible() {
    StorageConfig c = StorageConfig.defaults();
    assertThat(c.fixedChunkSize()).isZero();
    assertThat(c.minChunkSize()).isEqualTo(4096);
    assertThat(c.avgChunkSize()).isEqualTo(16384);
    assertThat(c.maxChunkSize()).isEqualTo(65536);
    assertThat(c.compression()).isEqualTo(Compression.lz4());
    assertThat(c.packTargetSize()).isEqualTo(16L << 20);
    assertThat(c.ingestThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(c.executor()).isEmpty();
    assertThat(c.listener()).isSameAs(StorageListener.NOOP);
    assertThat(c.persistDeltaSketches()).isFalse();
    assertThat(c.toString()).contains("cdc(4096/16384/65536)").contains("lz4");
    assertThat(StorageConfig.builder().persistDeltaSketches(true).build().persistDeltaSketches())
        .isTrue();
  }

  @Test
  void everyRangeIsCheckedAtBuildWithTheFieldValueAndRange() {
    rejects(
        b -> b.contentDefinedChunking(1024, 3000, 8192),
        "avgChunkSize must be a power of two in [128, 33554432] (32 MiB) but was 3000");
    rejects(
        b -> b.contentDefinedChunking(4096, 4096, 8192),
        "minChunkSize must be in [64, avgChunkSize) = [64, 4096) but was 4096");
    rejects(
        b -> b.contentDefinedChunking(32, 4096, 8192),
        "minChunkSize must be in [64, avgChunkSize) = [64, 4096) but was 32");
    rejects(
        b -> b.contentDefinedChunking(1024, 4096, 4096),
        "maxChunkSize must be in (avgChunkSize, 64 MiB] = (4096, 67108864] but was 4096");
    rejects(
        b -> b.fixedSizeChunking(10),
        "fixedChunkSize must be in [64, 67108864] (64 MiB) but was 10");
    rejects(
        b -> b.packTargetSize(1000),
        "packTargetSize must be in [65536, 1073741824] (64 KiB to 1 GiB) but was 1000");
    rejects(b -> b.ingestThreads(0), "ingestThreads must be in [1, 256] but was 0");
    rejects(b -> b.expectedChunks(10), "expectedChunks must be in [1024, 4294967296] but was 10");
    rejects(
        b -> b.filterFalsePositiveRate(0.5),
        "filterFalsePositiveRate must be in [1e-6, 0.25] but was 0.5");
    rejects(
        b -> b.filterFalsePositiveRate(Double.NaN),
        "filterFalsePositiveRate must be in [1e-6, 0.25] but was NaN");
    rejects(
        b -> b.indexCacheBytes(1),
        "indexCacheBytes must be in [1048576, 68719476736] (1 MiB to 64 GiB) but was 1");
  }

  @Test
  void nullsAreRejectedWhenSet() {
    assertThatThrownBy(() -> StorageConfig.builder().clock(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("clock");
    assertThatThrownBy(() -> StorageConfig.builder().listener(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("listener");
    assertThatThrownBy(() -> StorageConfig.builder().compression(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("compression");
  }

  @Test
  void compressionSettings() {
    assertThat(Compression.zstd(3).codec()).isEqualTo(Compression.Codec.ZSTD);
    assertThat(Compression.zstd(3).level()).isEqualTo(3);
    assertThat(Compression.zstd(3))
        .isEqualTo(Compression.zstd(3))
        .isNotEqualTo(Compression.zstd(4));
    assertThat(Compression.zstd(19).toString()).isEqualTo("zstd(19)");
    assertThat(Compression.none().toString()).isEqualTo("none");
    assertThatThrownBy(() -> Compression.zstd(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("zstd level must be in [1, 22] but was 0");
  }

  @Test
  void statsRatiosHandleEmptyRepositories() {
    StorageStats empty = new StorageStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    assertThat(empty.dedupRatio()).isEqualTo(1.0);
    assertThat(empty.compressionRatio()).isEqualTo(1.0);
    assertThat(empty.reductionRatio()).isEqualTo(1.0);
    assertThat(empty.indexFilterSkipRate()).isZero();
    StorageStats s = new StorageStats(3, 300, 100, 50, 10, 20, 1, 60, 40, 30);
    assertThat(s.dedupRatio()).isEqualTo(3.0);
    assertThat(s.compressionRatio()).isEqualTo(2.0);
    assertThat(s.reductionRatio()).isEqualTo(5.0);
    assertThat(s.indexFilterSkipRate()).isEqualTo(0.75);
  }
}
