package io.dsblocks.storage.internal.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.storage.StorageCorruptionException;
import io.dsblocks.storage.StorageException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jpountz.lz4.LZ4Factory;
import org.junit.jupiter.api.Test;

class CompressorsTest {

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new SplittableRandom(n).nextBytes(b);
    return b;
  }

  private static byte[] text() {
    return SampleTexts.files(1, 1).get(0);
  }

  @Test
  void randomDataIsStoredRawByEveryCodec() {
    byte[] data = random(10_000);
    for (ChunkCompressor c :
        List.of(Compressors.lz4(), Compressors.zstd(1), Compressors.zstd(19), Compressors.none())) {
      byte[] encoded = c.compress(data, 0, data.length);
      assertThat(encoded[0]).as("%s", c).isEqualTo((byte) 0);
      // codec byte + 2-byte varint (10000 < 2^14) + the bytes themselves
      assertThat(encoded).hasSize(1 + 2 + data.length);
      assertThat(Arrays.copyOfRange(encoded, 3, encoded.length)).isEqualTo(data);
      assertThat(c.decompress(encoded, 0, encoded.length)).isEqualTo(data);
    }
  }

  @Test
  void textIsCompressedWithTheConfiguredCodec() {
    byte[] data = text();
    byte[] lz4 = Compressors.lz4().compress(data, 0, data.length);
    byte[] zstd = Compressors.zstd(3).compress(data, 0, data.length);
    assertThat(lz4[0]).isEqualTo((byte) 1);
    assertThat(zstd[0]).isEqualTo((byte) 2);
    assertThat(lz4.length).isLessThan(data.length * 3 / 4);
    assertThat(zstd.length).isLessThan(lz4.length);
    // Any compressor decodes any codec.
    assertThat(Compressors.none().decompress(lz4, 0, lz4.length)).isEqualTo(data);
    assertThat(Compressors.lz4().decompress(zstd, 0, zstd.length)).isEqualTo(data);
  }

  @Test
  void paysOnlyWhenCompressionSavesAtLeastAThirtySecond() {
    // Half random, half zeros: compresses by about half, so it is compressed...
    byte[] half = random(8192);
    Arrays.fill(half, 4096, 8192, (byte) 0);
    assertThat(Compressors.lz4().compress(half, 0, half.length)[0]).isEqualTo((byte) 1);
    // ...but 98% random with a 2% zero run saves less than 1/32: stored raw.
    byte[] barely = random(8192);
    Arrays.fill(barely, 0, 160, (byte) 0);
    byte[] encoded = Compressors.lz4().compress(barely, 0, barely.length);
    assertThat(encoded[0]).isEqualTo((byte) 0);
    assertThat(Compressors.lz4().compress(new byte[0], 0, 0)).containsExactly(0, 0);
  }

  @Test
  void corruptEncodingsRaiseCorruptionNeverGarbage() {
    byte[] data = text();
    ChunkCompressor lz4 = Compressors.lz4();
    ChunkCompressor zstd = Compressors.zstd(3);
    for (byte[] good :
        List.of(lz4.compress(data, 0, data.length), zstd.compress(data, 0, data.length))) {
      // Truncated payload.
      assertThatThrownBy(() -> lz4.decompress(good, 0, good.length - 7))
          .isInstanceOf(StorageCorruptionException.class)
          .hasMessageContaining("compressed chunk is corrupt");
      // Length field off by one either way.
      for (int delta : new int[] {-1, 1}) {
        byte[] bad = good.clone();
        bad[1] = (byte) (bad[1] + delta);
        assertThatThrownBy(() -> lz4.decompress(bad, 0, bad.length))
            .isInstanceOf(StorageCorruptionException.class);
      }
    }
    assertThatThrownBy(() -> lz4.decompress(new byte[] {9, 1, 0}, 0, 3))
        .isInstanceOf(StorageCorruptionException.class)
        .hasMessageContaining("codec byte is 9");
    assertThatThrownBy(() -> lz4.decompress(new byte[] {0, 5, 1, 2}, 0, 4))
        .isInstanceOf(StorageCorruptionException.class)
        .hasMessageContaining("stored raw with 2 payload bytes, the header says 5");
    assertThatThrownBy(() -> lz4.decompress(new byte[] {1, (byte) 0x80, (byte) 0x80}, 0, 3))
        .isInstanceOf(StorageCorruptionException.class)
        .hasMessageContaining("length field is truncated");
    byte[] sixByteVarint = {0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1};
    assertThatThrownBy(() -> lz4.decompress(sixByteVarint, 0, sixByteVarint.length))
        .isInstanceOf(StorageCorruptionException.class);
    // A tiny LZ4 payload claiming 1 GiB is rejected before allocating.
    byte[] bomb = {1, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x03, 0x10, 0x41};
    assertThatThrownBy(() -> lz4.decompress(bomb, 0, bomb.length))
        .isInstanceOf(StorageCorruptionException.class)
        .hasMessageContaining("beyond LZ4's maximum ratio");
    assertThatThrownBy(() -> lz4.decompress(new byte[] {1}, 0, 1))
        .isInstanceOf(StorageCorruptionException.class)
        .hasMessageContaining("shorter than any header");
  }

  @Test
  void aTrainedDictionaryShrinksManySmallSimilarTexts() {
    List<byte[]> files = SampleTexts.files(42, 1500);
    List<byte[]> training = files.subList(0, 1000);
    List<byte[]> test = files.subList(1000, 1500);
    byte[] dict = Compressors.trainZstdDictionary(training, 16 * 1024);
    assertThat(dict.length).isBetween(1024, 16 * 1024);

    ChunkCompressor plain = Compressors.zstd(3);
    ChunkCompressor withDict = Compressors.zstd(3, dict);
    long raw = 0;
    long plainBytes = 0;
    long dictBytes = 0;
    for (byte[] f : test) {
      raw += f.length;
      plainBytes += plain.compress(f, 0, f.length).length;
      byte[] encoded = withDict.compress(f, 0, f.length);
      assertThat(encoded[0]).isEqualTo((byte) 3);
      assertThat(withDict.decompress(encoded, 0, encoded.length)).isEqualTo(f);
      dictBytes += encoded.length;
    }
    double plainRatio = (double) raw / plainBytes;
    double dictRatio = (double) raw / dictBytes;
    // The shared header and vocabulary move into the dictionary: at least 1.5x better.
    assertThat(dictRatio)
        .as("ratio plain %.2f, with dictionary %.2f", plainRatio, dictRatio)
        .isGreaterThan(1.5 * plainRatio);
  }

  @Test
  void dictionaryChunksNeedTheirDictionary() {
    List<byte[]> files = SampleTexts.files(7, 400);
    byte[] dict = Compressors.trainZstdDictionary(files, 4096);
    byte[] f = files.get(0);
    byte[] encoded = Compressors.zstd(5, dict).compress(f, 0, f.length);
    assertThatThrownBy(() -> Compressors.lz4().decompress(encoded, 0, encoded.length))
        .isInstanceOf(StorageException.class)
        .isNotInstanceOf(StorageCorruptionException.class)
        .hasMessageContaining(String.format("%08x", Compressors.dictionaryId(dict)))
        .hasMessageContaining("withDictionaries");
    ChunkCompressor resolving =
        Compressors.withDictionaries(Compressors.lz4(), DictionaryResolver.of(List.of(dict)));
    assertThat(resolving.decompress(encoded, 0, encoded.length)).isEqualTo(f);
    // The resolver does not change what it compresses with.
    assertThat(resolving.compress(f, 0, f.length)[0]).isEqualTo((byte) 1);
    // A chunk compressed with another dictionary is not decoded with the wrong one.
    byte[] otherDict = Compressors.trainZstdDictionary(SampleTexts.files(8, 400), 4096);
    ChunkCompressor other = Compressors.zstd(5, otherDict);
    assertThatThrownBy(() -> other.decompress(encoded, 0, encoded.length))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("does not know");
  }

  @Test
  void validatesArguments() {
    assertThatThrownBy(() -> Compressors.zstd(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("level must be in [1, 22] but was 0");
    assertThatThrownBy(() -> Compressors.zstd(23)).hasMessageContaining("23");
    assertThatThrownBy(() -> Compressors.zstd(3, new byte[4]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dictionary must be 8 to 16777216 bytes but was 4");
    assertThatThrownBy(() -> Compressors.trainZstdDictionary(List.of(), 4096))
        .hasMessageContaining("samples must not be empty");
    assertThatThrownBy(() -> Compressors.trainZstdDictionary(List.of(new byte[100]), 100))
        .hasMessageContaining("dictSize must be in [256, 16777216] but was 100");
    assertThatThrownBy(
            () ->
                Compressors.trainZstdDictionary(
                    List.of("tiny".getBytes(StandardCharsets.US_ASCII)), 4096))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("could not train");
    assertThatThrownBy(() -> Compressors.withDictionaries(new NotOurs(), DictionaryResolver.none()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must come from Compressors");
    assertThat(Compressors.zstdAvailable()).isTrue();
  }

  private static final class NotOurs implements ChunkCompressor {
    @Override
    public byte[] compress(byte[] data, int offset, int length) {
      return data;
    }

    @Override
    public byte[] decompress(byte[] encoded, int offset, int length) {
      return encoded;
    }
  }

  @Test
  void withoutZstdJniTheErrorsSayWhichDependencyToAdd() throws Exception {
    byte[] data = text();
    byte[] zstdChunk = Compressors.zstd(3).compress(data, 0, data.length);
    byte[] lz4Chunk = Compressors.lz4().compress(data, 0, data.length);
    // A class loader that sees this module and lz4-java, but not zstd-jni.
    URL classes = Compressors.class.getProtectionDomain().getCodeSource().getLocation();
    URL lz4 = LZ4Factory.class.getProtectionDomain().getCodeSource().getLocation();
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {classes, lz4}, ClassLoader.getPlatformClassLoader())) {
      Class<?> compressors = loader.loadClass(Compressors.class.getName());
      assertThat(compressors).isNotSameAs(Compressors.class);
      assertThat((Boolean) compressors.getMethod("zstdAvailable").invoke(null)).isFalse();

      Throwable thrown = cause(() -> compressors.getMethod("zstd", int.class).invoke(null, 3));
      assertThat(thrown)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("com.github.luben:zstd-jni");

      Object lz4Compressor = compressors.getMethod("lz4").invoke(null);
      Method decompress =
          lz4Compressor.getClass().getMethod("decompress", byte[].class, int.class, int.class);
      decompress.setAccessible(true);
      // LZ4 keeps working without zstd-jni...
      assertThat((byte[]) decompress.invoke(lz4Compressor, lz4Chunk, 0, lz4Chunk.length))
          .isEqualTo(data);
      // ...and a zstd chunk is a clear StorageException, not a NoClassDefFoundError.
      Throwable read =
          cause(() -> decompress.invoke(lz4Compressor, zstdChunk, 0, zstdChunk.length));
      assertThat(read.getClass().getName()).isEqualTo(StorageException.class.getName());
      assertThat(read).hasMessageContaining("com.github.luben:zstd-jni");
    }
  }

  private interface Call {
    Object run() throws Exception;
  }

  private static Throwable cause(Call call) throws Exception {
    try {
      call.run();
    } catch (InvocationTargetException e) {
      return e.getCause();
    }
    throw new AssertionError("expected an exception");
  }
}
