package io.dsblocks.storage.internal.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FixedChunkerTest {

  @Test
  void cutsEqualBlocksAndAShortLastOne() {
    FixedChunker chunker = new FixedChunker(4096);
    byte[] data = new byte[3 * 4096 + 100];
    assertThat(FastCdcChunkerTest.lengths(chunker, data)).containsExactly(4096, 4096, 4096, 100);
    assertThat(chunker.minSize()).isEqualTo(4096);
    assertThat(chunker.maxSize()).isEqualTo(4096);
  }

  @Test
  void rejectsSizesOutsideOneByteTo64MiB() {
    assertThatThrownBy(() -> new FixedChunker(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("size must be in [1, 67108864]")
        .hasMessageContaining("was 0");
    assertThatThrownBy(() -> new FixedChunker((64 << 20) + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was 67108865");
    assertThat(new FixedChunker(1).cut(new byte[5], 0, 5)).isEqualTo(1);
  }
}
