package io.dsblocks.storage.internal.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.storage.StorageCorruptionException;
import io.dsblocks.storage.StorageException;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.junit.jupiter.api.Test;

class Lz4DictionaryTest {

  /** A dictionary made of the shared boilerplate of the sample files. */
  private static byte[] dictionary() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] f : SampleTexts.files(99, 30)) {
      out.write(f, 0, Math.min(f.length, 3000));
    }
    return out.toByteArray();
  }

  @Test
  void smallTextChunksCompressMuchBetterWithADictionaryAndRoundTrip() {
    byte[] dict = dictionary();
    ChunkCompressor withDict = Compressors.lz4(dict);
    long plain = 0;
    long dictTotal = 0;
    for (byte[] f : SampleTexts.files(7, 40)) {
      byte[] a = Compressors.lz4().compress(f, 0, f.length);
      byte[] b = withDict.compress(f, 0, f.length);
      assertThat(b[0]).isEqualTo((byte) CodecCompressor.LZ4_DICTIONARY);
      assertThat(withDict.decompress(b, 0, b.length)).isEqualTo(f);
      // Any compressor that can resolve the dictionary decodes it; the reader needs no zstd.
      ChunkCompressor reader =
          Compressors.withDictionaries(Compressors.none(), DictionaryResolver.of(List.of(dict)));
      assertThat(reader.decompress(b, 0, b.length)).isEqualTo(f);
      plain += a.length;
      dictTotal += b.length;
    }
    assertThat(dictTotal).isLessThan(plain * 3 / 4);
  }

  @Test
  void withoutItsDictionaryAChunkIsNotReadable() {
    byte[] f = SampleTexts.files(3, 1).get(0);
    byte[] b = Compressors.lz4(dictionary()).compress(f, 0, f.length);
    assertThatThrownBy(() -> Compressors.lz4().decompress(b, 0, b.length))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("LZ4 dictionary");
  }

  @Test
  void blocksWithoutDictionaryMatchesAreStandardLz4() {
    // Data unrelated to the dictionary: the block is plain LZ4 that lz4-java decodes as well.
    SplittableRandom r = new SplittableRandom(5);
    byte[] data = new byte[50_000];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) ('a' + r.nextInt(4));
    }
    byte[] dict = new byte[1000]; // zeros: never matched by this data
    Lz4DictCodec codec = new Lz4DictCodec(dict);
    byte[] out = new byte[Lz4DictCodec.maxCompressedLength(data.length)];
    int n = codec.compress(data, 0, data.length, out, 0, out.length);
    LZ4SafeDecompressor lz4 = LZ4Factory.safeInstance().safeDecompressor();
    byte[] back = new byte[data.length];
    assertThat(lz4.decompress(out, 0, n, back, 0)).isEqualTo(data.length);
    assertThat(back).isEqualTo(data);
  }

  /**
   * Blocks from another LZ4 implementation (lz4-java's fast and high-compression encoders) decode
   * to their input: every sequence shape they emit (short and long literal runs, matches at offsets
   * 1 to 7 that overlap their own output, matches ending near the block's end) goes through the
   * decoder's fast path or its general path, and both must agree with the format.
   */
  @Test
  void decodesBlocksOfOtherEncodersWithEverySequenceShape() {
    SplittableRandom r = new SplittableRandom(23);
    LZ4Factory lz4 = LZ4Factory.safeInstance();
    byte[] unrelatedDict = new byte[300];
    int blocks = 0;
    for (int round = 0; round < 300; round++) {
      int len = round < 200 ? r.nextInt(200) : r.nextInt(40_000);
      byte[] data = new byte[len];
      int period = 1 + r.nextInt(12); // short periods give overlapping matches at small offsets
      for (int i = 0; i < len; i++) {
        data[i] =
            switch (round % 4) {
              case 0 -> (byte) ('a' + r.nextInt(3));
              case 1 ->
                  i >= period && r.nextInt(20) != 0 ? data[i - period] : (byte) r.nextInt(256);
              case 2 -> (byte) (r.nextInt(8) == 0 ? r.nextInt(256) : 'x');
              default -> (byte) r.nextInt(256);
            };
      }
      for (boolean high : new boolean[] {false, true}) {
        var encoder = high ? lz4.highCompressor() : lz4.fastCompressor();
        byte[] block = new byte[encoder.maxCompressedLength(len)];
        int n = encoder.compress(data, 0, len, block, 0, block.length);
        assertThat(Lz4DictCodec.decode(unrelatedDict, block, 0, n, len))
            .as("round %d high %b len %d", round, high, len)
            .isEqualTo(data);
        blocks++;
      }
    }
    assertThat(blocks).isEqualTo(600);
  }

  @Test
  void roundTripsEdgeCasesIncludingMatchesStraddlingTheDictionaryEnd() {
    SplittableRandom r = new SplittableRandom(17);
    byte[] dict = new byte[70_000]; // longer than the window: only the last 64 KiB count
    for (int i = 0; i < dict.length; i++) {
      dict[i] = (byte) r.nextInt(256);
    }
    Lz4DictCodec codec = new Lz4DictCodec(dict);
    for (int len : new int[] {0, 1, 12, 13, 100, 4096, 70_000}) {
      for (int variant = 0; variant < 4; variant++) {
        byte[] data = new byte[len];
        for (int i = 0; i < len; i++) {
          data[i] =
              switch (variant) {
                case 0 -> (byte) r.nextInt(256);
                // the dictionary's tail, then a run continuing it (overlapping matches)
                case 1 -> i < 200 ? dict[dict.length - 200 + i] : (byte) (i % 3);
                case 2 -> (byte) 'x';
                default -> dict[dict.length - 65_000 + (i % 60_000)];
              };
        }
        byte[] out = new byte[Lz4DictCodec.maxCompressedLength(len) + 3];
        int n = codec.compress(data, 0, len, out, 3, out.length - 3);
        assertThat(codec.decompress(out, 3, n, len))
            .as("len %d variant %d", len, variant)
            .isEqualTo(data);
        if (variant == 3 && len == 70_000) {
          assertThat(n).isLessThan(len / 50); // reached into the dictionary
        }
      }
    }
  }

  @Test
  void malformedBlocksAreRejectedAndNeverReadOutOfBounds() {
    byte[] dict = dictionary();
    Lz4DictCodec codec = new Lz4DictCodec(dict);
    byte[] text = SampleTexts.files(11, 1).get(0);
    byte[] good = new byte[Lz4DictCodec.maxCompressedLength(text.length)];
    int n = codec.compress(text, 0, text.length, good, 0, good.length);
    byte[] block = Arrays.copyOf(good, n);
    // Every truncation and every single-byte mutation either decodes to the right length or
    // raises IllegalStateException; nothing else (no IndexOutOfBounds, no NegativeArraySize).
    SplittableRandom r = new SplittableRandom(3);
    for (int cut = 0; cut < n; cut++) {
      byte[] t = Arrays.copyOf(block, cut);
      assertThatThrownBy(() -> codec.decompress(t, 0, t.length, text.length))
          .isInstanceOf(IllegalStateException.class);
    }
    for (int i = 0; i < 3000; i++) {
      byte[] m = block.clone();
      m[r.nextInt(m.length)] = (byte) r.nextInt(256);
      if (r.nextBoolean()) {
        m[r.nextInt(m.length)] = (byte) 0xff;
      }
      try {
        assertThat(codec.decompress(m, 0, m.length, text.length)).hasSize(text.length);
      } catch (IllegalStateException expected) {
        assertThat(expected).hasMessageContaining("malformed LZ4 dictionary block");
      }
    }
    // Hand-made: an offset reaching before the dictionary, a zero offset, a huge length run.
    byte[] beforeDict = {0x00, (byte) 0xff, (byte) 0xff};
    assertThatThrownBy(() -> Lz4DictCodec.decode(new byte[10], beforeDict, 0, 3, 100))
        .hasMessageContaining("reaches before the dictionary");
    byte[] zeroOffset = {0x10, 'a', 0, 0};
    assertThatThrownBy(() -> Lz4DictCodec.decode(dict, zeroOffset, 0, 4, 100))
        .hasMessageContaining("offset of 0");
    byte[] run = new byte[1000];
    Arrays.fill(run, (byte) 0xff);
    assertThatThrownBy(() -> Lz4DictCodec.decode(dict, run, 0, run.length, 100))
        .hasMessageContaining("exceeds the output");
    // Through the chunk format: a corrupt codec-5 chunk is a StorageCorruptionException.
    ChunkCompressor c = Compressors.lz4(dict);
    byte[] chunk = c.compress(text, 0, text.length);
    byte[] cut = Arrays.copyOf(chunk, chunk.length - 7);
    assertThatThrownBy(() -> c.decompress(cut, 0, cut.length))
        .isInstanceOf(StorageCorruptionException.class);
  }

  @Test
  void outputDoesNotDependOnEarlierCallsOnTheSameThread() {
    // The per-thread hash table is reused across calls (slots tagged by call): a slot left by an
    // earlier input must never be taken for one of this input's positions.
    byte[] dict = dictionary();
    Lz4DictCodec used = new Lz4DictCodec(dict);
    SplittableRandom r = new SplittableRandom(23);
    List<byte[]> inputs = new java.util.ArrayList<>(SampleTexts.files(31, 30));
    byte[] exact = Arrays.copyOfRange(dict, dict.length - 5000, dict.length);
    inputs.add(exact);
    byte[] incompressible = new byte[20_000];
    for (int i = 0; i < incompressible.length; i++) {
      incompressible[i] = (byte) r.nextInt(256);
    }
    inputs.add(incompressible);
    inputs.add(new byte[0]);
    inputs.add(new byte[] {1, 2, 3});
    for (int round = 0; round < 3; round++) {
      for (byte[] in : inputs) {
        byte[] out = new byte[Lz4DictCodec.maxCompressedLength(in.length)];
        int n = used.compress(in, 0, in.length, out, 0, out.length);
        Lz4DictCodec fresh = new Lz4DictCodec(dict);
        byte[] expected = new byte[out.length];
        int m = fresh.compress(in, 0, in.length, expected, 0, expected.length);
        assertThat(Arrays.copyOf(out, n)).isEqualTo(Arrays.copyOf(expected, m));
        assertThat(used.decompress(out, 0, n, in.length)).isEqualTo(in);
      }
    }
    // An exact copy of the dictionary's tail is a few sequences.
    byte[] out = new byte[Lz4DictCodec.maxCompressedLength(exact.length)];
    assertThat(used.compress(exact, 0, exact.length, out, 0, out.length)).isLessThan(64);
  }

  @Test
  void rejectsBadDictionaries() {
    assertThatThrownBy(() -> Compressors.lz4(new byte[3]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dictionary must be 8 to");
    assertThatThrownBy(() -> Compressors.lz4((byte[]) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("dictionary");
  }
}
