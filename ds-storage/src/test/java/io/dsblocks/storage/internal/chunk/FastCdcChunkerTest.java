package io.dsblocks.storage.internal.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FastCdcChunkerTest {

  static final int MIN = 2 * 1024;
  static final int AVG = 8 * 1024;
  static final int MAX = 64 * 1024;

  static byte[] seed(int n) {
    byte[] s = new byte[32];
    new SplittableRandom(n).nextBytes(s);
    return s;
  }

  static byte[] random(long seed, int length) {
    byte[] b = new byte[length];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  /** Chunks a whole in-memory stream; returns the chunk lengths. */
  static List<Integer> lengths(Chunker chunker, byte[] data) {
    List<Integer> out = new ArrayList<>();
    int pos = 0;
    while (pos < data.length) {
      int n = chunker.cut(data, pos, data.length - pos);
      out.add(n);
      pos += n;
    }
    return out;
  }

  static Set<String> chunkSet(List<Integer> lengths, byte[] data) {
    Set<String> set = new HashSet<>();
    int pos = 0;
    for (int n : lengths) {
      set.add(Arrays.hashCode(Arrays.copyOfRange(data, pos, pos + n)) + ":" + n);
      pos += n;
    }
    return set;
  }

  @Test
  void chunkLengthsRespectMinAndMaxAndCoverTheInput() {
    FastCdcChunker chunker = new FastCdcChunker(MIN, AVG, MAX, seed(1));
    byte[] data = random(7, 4 << 20);
    List<Integer> lengths = lengths(chunker, data);
    assertThat(lengths.stream().mapToLong(Integer::longValue).sum()).isEqualTo(data.length);
    for (int i = 0; i < lengths.size() - 1; i++) {
      assertThat(lengths.get(i)).isBetween(MIN, MAX);
    }
    assertThat(lengths.get(lengths.size() - 1)).isBetween(1, MAX);
  }

  @Test
  void maxIsEnforcedOnContentWithoutCutPoints() {
    // All-zero content: the gear hash becomes a constant, so either every position matches or
    // none does; any chunker must still stop at max and never before min.
    FastCdcChunker chunker = new FastCdcChunker(MIN, AVG, MAX, seed(1));
    byte[] zeros = new byte[10 * MAX + 123];
    for (int n : lengths(chunker, zeros).subList(0, 9)) {
      assertThat(n).isBetween(MIN, MAX);
    }
    assertThat(chunker.cut(zeros, 0, MAX + 500)).isLessThanOrEqualTo(MAX);
  }

  @Test
  void shortTailsAreOneChunk() {
    FastCdcChunker chunker = new FastCdcChunker(MIN, AVG, MAX, seed(1));
    byte[] data = random(3, MIN);
    assertThat(chunker.cut(data, 0, MIN)).isEqualTo(MIN);
    assertThat(chunker.cut(data, 10, 5)).isEqualTo(5);
    assertThat(chunker.cut(data, 0, 1)).isEqualTo(1);
  }

  @Test
  void deterministicAcrossInstancesAndOffsets() {
    byte[] data = random(11, 1 << 20);
    List<Integer> a = lengths(new FastCdcChunker(MIN, AVG, MAX, seed(5)), data);
    List<Integer> b = lengths(new FastCdcChunker(MIN, AVG, MAX, seed(5)), data);
    assertThat(a).isEqualTo(b).hasSizeGreaterThan(50);
    // The same bytes at another offset of another array cut the same way.
    FastCdcChunker chunker = new FastCdcChunker(MIN, AVG, MAX, seed(5));
    byte[] shifted = new byte[data.length + 777];
    System.arraycopy(data, 0, shifted, 777, data.length);
    assertThat(chunker.cut(shifted, 777, data.length)).isEqualTo(a.get(0));
  }

  @Test
  void differentSeedsCutDifferently() {
    byte[] data = random(11, 1 << 20);
    List<Integer> a = lengths(new FastCdcChunker(MIN, AVG, MAX, seed(5)), data);
    List<Integer> b = lengths(new FastCdcChunker(MIN, AVG, MAX, seed(6)), data);
    assertThat(a).isNotEqualTo(b);
    // Not merely shifted: almost no chunk of one seed appears among the other's.
    Set<String> common = chunkSet(a, data);
    common.retainAll(chunkSet(b, data));
    assertThat(common.size()).isLessThan(a.size() / 10);
  }

  @Test
  void insertionNearTheStartLeavesAlmostAllChunksUnchanged() {
    byte[] data = random(21, 4 << 20);
    byte[] edited = new byte[data.length + 7];
    System.arraycopy(data, 0, edited, 0, 1000);
    System.arraycopy(new byte[] {1, 2, 3, 4, 5, 6, 7}, 0, edited, 1000, 7);
    System.arraycopy(data, 1000, edited, 1007, data.length - 1000);
    FastCdcChunker chunker = new FastCdcChunker(MIN, AVG, MAX, seed(2));
    List<Integer> before = lengths(chunker, data);
    List<Integer> after = lengths(chunker, edited);
    Set<String> unchanged = chunkSet(before, data);
    unchanged.retainAll(chunkSet(after, edited));
    assertThat((double) unchanged.size() / before.size()).isGreaterThanOrEqualTo(0.9);
  }

  @Test
  void meanChunkLengthIsNearAverageOnRandomData() {
    for (int avg : new int[] {4096, 16384, 65536}) {
      FastCdcChunker chunker = new FastCdcChunker(avg / 4, avg, avg * 8, seed(avg));
      byte[] data = random(avg, 8 << 20);
      List<Integer> lengths = lengths(chunker, data);
      double mean = (double) data.length / lengths.size();
      assertThat(mean).as("mean for avg %d", avg).isBetween(0.75 * avg, 1.25 * avg);
    }
  }

  @Test
  void normalizationNarrowsTheLengthDistribution() {
    byte[] data = random(99, 8 << 20);
    double sdPlain = stdDev(lengths(new FastCdcChunker(MIN, AVG, MAX, seed(3), 0), data));
    double sdNormalized = stdDev(lengths(new FastCdcChunker(MIN, AVG, MAX, seed(3), 2), data));
    assertThat(sdNormalized).isLessThan(0.7 * sdPlain);
  }

  private static double stdDev(List<Integer> xs) {
    double mean = xs.stream().mapToInt(Integer::intValue).average().orElseThrow();
    double var = xs.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum() / xs.size();
    return Math.sqrt(var);
  }

  @Test
  void twoBytesPerStepCutsExactlyLikeTheOneByteReference() {
    // Odd and even min/avg/max positions, random and text-like content: the optimized loop must
    // return exactly the cut of the textbook loop, including at region edges.
    byte[] text = textLike(2 << 20);
    byte[] rnd = random(5, 2 << 20);
    int[][] params = {{64, 128, 1000}, {65, 256, 999}, {MIN, AVG, MAX}, {777, 4096, 4097}};
    for (int[] p : params) {
      byte[] s = seed(p[0]);
      FastCdcChunker chunker = new FastCdcChunker(p[0], p[1], p[2], s);
      Reference reference = new Reference(p[0], p[1], p[2], s);
      for (byte[] data : new byte[][] {text, rnd}) {
        int pos = 0;
        while (pos < data.length) {
          int len = Math.min(data.length - pos, p[2] + 3);
          int expected = reference.cut(data, pos, len);
          assertThat(chunker.cut(data, pos, len))
              .as("cut at %d with %s", pos, chunker)
              .isEqualTo(expected);
          pos += expected;
        }
      }
    }
  }

  /** Textbook FastCDC with one byte per step, using the chunker's own gear table and masks. */
  private static final class Reference {
    final int min;
    final int avg;
    final int max;
    final long[] gear = new long[256];
    final long maskS;
    final long maskL;

    Reference(int min, int avg, int max, byte[] seed) {
      this.min = min;
      this.avg = avg;
      this.max = max;
      // Rebuilt the documented way (SHA-256 counter mode), independently of the chunker's code,
      // so this also pins the table derivation: changing it would silently re-chunk every
      // existing repository and lose dedup against old data.
      try {
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        for (int block = 0; block < 64; block++) {
          sha.update("dsblocks-storage fastcdc gear table v1".getBytes(StandardCharsets.US_ASCII));
          sha.update(seed);
          sha.update(new byte[] {0, 0, 0, (byte) block});
          java.nio.ByteBuffer out = java.nio.ByteBuffer.wrap(sha.digest());
          for (int j = 0; j < 4; j++) {
            gear[block * 4 + j] = out.getLong();
          }
        }
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new AssertionError(e);
      }
      int bits = Integer.numberOfTrailingZeros(avg);
      maskS = ((1L << (bits + 2)) - 1) << (63 - bits - 2);
      maskL = ((1L << (bits - 2)) - 1) << (63 - bits + 2);
    }

    int cut(byte[] d, int off, int len) {
      if (len <= min) {
        return len;
      }
      int n = Math.min(len, max);
      int normal = Math.min(avg, n);
      long fp = 0;
      int i = min;
      for (; i < normal; i++) {
        fp = (fp << 1) + gear[d[off + i] & 0xff];
        if ((fp & maskS) == 0) {
          return i + 1;
        }
      }
      for (; i < n; i++) {
        fp = (fp << 1) + gear[d[off + i] & 0xff];
        if ((fp & maskL) == 0) {
          return i + 1;
        }
      }
      return n;
    }
  }

  /** Deterministic pseudo-source-code: repetitive words, like the data the chunker meets. */
  static byte[] textLike(int length) {
    String[] words = {
      "public", "static", "final", "int", "return", "if", "(", ")", "{", "}", ";", "\n", "    ",
      "class", "void", "String", "new", "this", "=", "+", "value", "length", "offset", "data"
    };
    SplittableRandom r = new SplittableRandom(17);
    ByteArrayOutputStream out = new ByteArrayOutputStream(length + 16);
    while (out.size() < length) {
      byte[] w = words[r.nextInt(words.length)].getBytes(StandardCharsets.US_ASCII);
      out.write(w, 0, w.length);
      out.write(' ');
    }
    return Arrays.copyOf(out.toByteArray(), length);
  }

  @Test
  void rejectsBadSizesNamingArgumentValueAndRange() {
    byte[] s = seed(1);
    assertThatThrownBy(() -> new FastCdcChunker(32, 4096, 65536, s))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("minSize")
        .hasMessageContaining("32")
        .hasMessageContaining("[64, 4096)");
    assertThatThrownBy(() -> new FastCdcChunker(4096, 4096, 65536, s))
        .hasMessageContaining("minSize must be in [64, avgSize)");
    assertThatThrownBy(() -> new FastCdcChunker(1024, 5000, 65536, s))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("avgSize must be a power of two")
        .hasMessageContaining("5000");
    assertThatThrownBy(() -> new FastCdcChunker(1024, 4096, 4096, s))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxSize must be in (avgSize, 64 MiB] = (4096, 67108864]")
        .hasMessageContaining("4096");
    assertThatThrownBy(() -> new FastCdcChunker(1024, 4096, (64 << 20) + 1, s))
        .hasMessageContaining("maxSize");
    assertThatThrownBy(() -> new FastCdcChunker(1024, 4096, 65536, new byte[16]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("seed must be 32 bytes but was 16");
    assertThatThrownBy(() -> new FastCdcChunker(1024, 4096, 65536, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("seed");
    assertThatThrownBy(() -> new FastCdcChunker(1024, 4096, 65536, s, 4))
        .hasMessageContaining("normalization must be in [0, 3] but was 4");
    // The extremes are accepted.
    FastCdcChunker widest = new FastCdcChunker(64, 128, 64 << 20, s);
    assertThat(widest.maxSize()).isEqualTo(64 << 20);
    assertThat(new FastCdcChunker(64, 32 << 20, 64 << 20, s).avgSize()).isEqualTo(32 << 20);
  }
}
