package io.dsblocks.storage.internal.compress;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Round trips for every codec on content from incompressible to highly repetitive, at any offset,
 * and decoding by a compressor other than the one that encoded.
 */
class CompressorPropertiesTest {

  private static final byte[] DICTIONARY =
      Compressors.trainZstdDictionary(SampleTexts.files(3, 300), 4096);
  private static final List<ChunkCompressor> ALL =
      List.of(
          Compressors.none(),
          Compressors.lz4(),
          Compressors.zstd(1),
          Compressors.zstd(9),
          Compressors.zstd(3, DICTIONARY));
  private static final ChunkCompressor READER =
      Compressors.withDictionaries(Compressors.none(), DictionaryResolver.of(List.of(DICTIONARY)));

  /** Content with a tunable number of distinct symbols and run lengths. */
  static byte[] content(long seed, int length, int alphabet, int maxRun) {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] b = new byte[length];
    for (int i = 0; i < length; ) {
      byte v = (byte) r.nextInt(alphabet);
      int run = 1 + r.nextInt(maxRun);
      for (int j = 0; j < run && i < length; j++) {
        b[i++] = v;
      }
    }
    return b;
  }

  @Property(tries = 300, seed = "11")
  void everyCodecRoundTrips(
      @ForAll long seed,
      @ForAll @IntRange(min = 0, max = 70_000) int length,
      @ForAll @IntRange(min = 1, max = 256) int alphabet,
      @ForAll @IntRange(min = 1, max = 64) int maxRun,
      @ForAll @IntRange(min = 0, max = 9) int offset) {
    byte[] data = content(seed, length + offset, alphabet, maxRun);
    byte[] expected = java.util.Arrays.copyOfRange(data, offset, data.length);
    for (ChunkCompressor c : ALL) {
      byte[] encoded = c.compress(data, offset, length);
      assertThat(c.decompress(encoded, 0, encoded.length)).as("%s", c).isEqualTo(expected);
      assertThat(READER.decompress(encoded, 0, encoded.length)).as("%s", c).isEqualTo(expected);
      // Never worse than raw (codec byte + at most 3-byte varint for these lengths).
      assertThat(encoded.length).isLessThanOrEqualTo(length + 4);
      byte[] framed = new byte[encoded.length + 5];
      System.arraycopy(encoded, 0, framed, 2, encoded.length);
      assertThat(c.decompress(framed, 2, encoded.length)).isEqualTo(expected);
    }
  }
}
