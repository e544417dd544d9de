package io.dsblocks.storage.internal.delta;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SketchIndexTest {

  private static byte[] text(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) ('a' + r.nextInt(26));
    }
    return b;
  }

  private static byte[] id(int n) {
    byte[] id = new byte[32];
    Arrays.fill(id, (byte) n);
    return id;
  }

  private static long[] sketch(byte[] b) {
    return SketchIndex.sketch(b, 0, b.length);
  }

  /**
   * The two-chain sampling loop must feed exactly the windows the one-chain loop feeds: sketches
   * persist across opens, so a different result would make saved sketches miss their near-copies.
   */
  @Test
  void twoChainSamplingMatchesTheSequentialLoop() {
    SplittableRandom r = new SplittableRandom(7);
    long[] masks = {0xFC00_0000_0000_0000L, 0x8000_0000_0000_0000L, 0L, 0xFFFF_0000_0000_0000L};
    int checked = 0;
    for (int round = 0; round < 400; round++) {
      int len = round < 300 ? 1 + r.nextInt(600) : 1 + r.nextInt(70_000);
      int off = r.nextInt(40);
      byte[] buf = new byte[off + len + r.nextInt(40)];
      if (round % 3 == 0) {
        r.nextBytes(buf);
      } else {
        // Low-entropy text: few symbols, so the same windows recur and hashes repeat.
        for (int i = 0; i < buf.length; i++) {
          buf[i] = (byte) ("ab \n".charAt(r.nextInt(4)));
        }
      }
      long mask = masks[round % masks.length];
      long[] expected = new long[SketchIndex.FEATURES];
      long[] actual = new long[SketchIndex.FEATURES];
      Arrays.fill(expected, Long.MIN_VALUE);
      Arrays.fill(actual, Long.MIN_VALUE);
      boolean expectedAny = SketchIndex.sampleSequential(buf, off, len, mask, expected);
      boolean actualAny = SketchIndex.sample(buf, off, len, mask, actual);
      assertThat(actualAny).as("len %d off %d mask %x", len, off, mask).isEqualTo(expectedAny);
      assertThat(actual).as("len %d off %d mask %x", len, off, mask).containsExactly(expected);
      if (len >= 4 * SketchIndex.WARMUP) {
        checked++;
      }
    }
    assertThat(checked).as("rounds long enough for the two-chain loop").isGreaterThan(100);
  }

  @Test
  void returnsTheTwoMostSimilarChunksBestFirst() {
    SketchIndex index = new SketchIndex(8);
    byte[] original = text(1, 12_000);
    byte[] near = original.clone();
    for (int i = 0; i < 6; i++) {
      near[1000 + i * 1500] ^= 1; // a few edits: shares nearly every super-feature
    }
    byte[] half = original.clone();
    System.arraycopy(text(2, 6000), 0, half, 6000, 6000); // shares about half
    index.add(sketch(half), id(2));
    index.add(sketch(near), id(1));
    index.add(sketch(text(3, 12_000)), id(3)); // unrelated
    var found = index.candidates(sketch(original), 2);
    assertThat(found).isNotEmpty();
    assertThat(found.get(0)).isEqualTo(id(1));
    assertThat(found).noneMatch(c -> Arrays.equals(c, id(3)));
    assertThat(index.candidates(sketch(original), 1)).hasSize(1);
    assertThat(index.find(sketch(text(4, 12_000)))).isNull();
  }

  @Test
  void chunksThatLeftTheRingAreNoLongerReturned() {
    SketchIndex index = new SketchIndex(4); // the ring holds the last 32 chunks
    byte[] old = text(10, 5000);
    index.add(sketch(old), id(7));
    assertThat(index.find(sketch(old))).isEqualTo(id(7));
    for (int i = 0; i < 32; i++) {
      index.add(sketch(text(100 + i, 2000)), id(100 + i));
    }
    // Its slots may survive in the tables, but the ring entry now belongs to another chunk.
    assertThat(index.candidates(sketch(old), 2)).noneMatch(c -> Arrays.equals(c, id(7)));
  }

  @Test
  void smallChunksGetDistinctSketches() {
    // At 1 sampled window in 64 a 256-byte chunk often has no or few sampled windows; their
    // sketches must still differ, or every small chunk would be offered as a base for the others.
    SplittableRandom r = new SplittableRandom(42);
    java.util.Set<Long> seen = new java.util.HashSet<>();
    int n = 500;
    for (int i = 0; i < n; i++) {
      byte[] b = new byte[SketchIndex.MIN_LENGTH + r.nextInt(200)];
      r.nextBytes(b);
      for (long sf : sketch(b)) {
        seen.add(sf);
      }
    }
    // Random chunks share essentially no super-feature (allow a few table-free coincidences).
    assertThat(seen.size()).isGreaterThan(n * SketchIndex.SUPER - 5);
  }

  @Test
  void nearCopiesOfSmallAndLargeChunksShareSuperFeatures() {
    SplittableRandom r = new SplittableRandom(8);
    for (int size : new int[] {600, 3000, 20_000, 60_000}) {
      int sharing = 0;
      for (int trial = 0; trial < 20; trial++) {
        byte[] a = text(r.nextLong(), size);
        byte[] b = a.clone();
        b[r.nextInt(size)] ^= 1; // one edit
        long[] sa = sketch(a);
        long[] sb = sketch(b);
        int shared = 0;
        for (int s = 0; s < SketchIndex.SUPER; s++) {
          shared += sa[s] == sb[s] ? 1 : 0;
        }
        sharing += shared > 0 ? 1 : 0;
      }
      assertThat(sharing).as("size %d", size).isGreaterThanOrEqualTo(18);
    }
  }

  @Test
  void anExportedStateRestoresTheSameCandidatesInANewIndex() {
    SketchIndex index = new SketchIndex(4); // ring of 32 chunks: some slots go stale below
    byte[][] chunks = new byte[40][];
    for (int i = 0; i < chunks.length; i++) {
      chunks[i] = text(200 + i, 3000);
      index.add(sketch(chunks[i]), id(i));
    }
    SketchIndex restored = new SketchIndex(4);
    assertThat(restored.restore(index.export())).isTrue();
    assertThat(restored.additions()).isZero();
    for (byte[] c : chunks) {
      assertThat(restored.candidates(sketch(c), 2))
          .usingElementComparator(Arrays::compare)
          .containsExactlyElementsOf(index.candidates(sketch(c), 2));
    }
    // The early chunks left the ring before the export and stay gone; the last ones are found.
    assertThat(restored.find(sketch(chunks[0]))).isNull();
    assertThat(restored.find(sketch(chunks[39]))).isEqualTo(id(39));
    // New chunks continue the sequence: the restored ones age out of the ring as before.
    for (int i = 0; i < 32; i++) {
      restored.add(sketch(text(500 + i, 2000)), id(100 + i));
    }
    assertThat(restored.find(sketch(chunks[39]))).isNull();
    assertThat(restored.additions()).isEqualTo(32);
  }

  @Test
  void aMalformedOrForeignStateIsRefusedAndLeavesTheIndexEmpty() {
    SketchIndex index = new SketchIndex(6);
    byte[] chunk = text(300, 4000);
    index.add(sketch(chunk), id(1));
    byte[] state = index.export();

    SketchIndex target = new SketchIndex(6);
    target.add(sketch(chunk), id(2)); // content that a refused restore must not leave behind
    assertThat(target.restore(Arrays.copyOf(state, state.length - 1))).isFalse(); // truncated
    assertThat(target.find(sketch(chunk))).isNull();
    assertThat(new SketchIndex(7).restore(state)).isFalse(); // another size
    byte[] trailing = Arrays.copyOf(state, state.length + 1);
    assertThat(target.restore(trailing)).isFalse();
    byte[] badSeq = state.clone();
    badSeq[16] = (byte) 0x7f; // the first ring entry's sequence number: far from "next"
    assertThat(target.restore(badSeq)).isFalse();
    byte[] badMagic = state.clone();
    badMagic[0] ^= 1;
    assertThat(target.restore(badMagic)).isFalse();
    assertThat(target.find(sketch(chunk))).isNull();

    assertThat(target.restore(state)).isTrue();
    assertThat(target.find(sketch(chunk))).isEqualTo(id(1));
  }
}
