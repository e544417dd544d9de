package io.dsblocks.cache.internal.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.cache.Codec;
import io.dsblocks.cache.InvalidationMessage;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class InvalidationCodecTest {
  private final InvalidationCodec<String> codec = new InvalidationCodec<>(Codec.utf8());

  /** Any Unicode text (no lone surrogates: those are not text and UTF-8 cannot carry them). */
  @Provide
  Arbitrary<String> text() {
    Arbitrary<Integer> codePoint =
        Arbitraries.oneOf(
            Arbitraries.integers().between(0, 0x7F), // ASCII incl. NUL, ':', '\n', '*'
            Arbitraries.integers().between(0x80, 0xD7FF),
            Arbitraries.integers().between(0xE000, 0x10FFFF));
    return codePoint
        .list()
        .ofMaxSize(40)
        .map(
            cps -> {
              StringBuilder sb = new StringBuilder();
              cps.forEach(sb::appendCodePoint);
              return sb.toString();
            });
  }

  @Property(tries = 500, seed = "7")
  void everyMessageRoundTrips(
      @ForAll("text") String source, @ForAll("text") String key, @ForAll long sequence) {
    String src = "n" + source; // a source is never empty
    long seq = sequence == Long.MIN_VALUE ? 1 : Math.max(1, Math.abs(sequence));
    InvalidationMessage<String> m = new InvalidationMessage<>(src, seq, key);
    assertThat(codec.decode(codec.encode(m))).isEqualTo(m);
    InvalidationMessage<String> all = new InvalidationMessage<>(src, seq, null);
    assertThat(codec.decode(codec.encode(all))).isEqualTo(all);
  }

  @Test
  void awkwardKeysRoundTrip() {
    List<String> keys =
        List.of(
            "",
            ":",
            "a:b:c",
            "line\nbreak\r\n",
            "\u0000",
            "nul\u0000inside",
            "*?[]\\",
            "\"quoted\" 'single'",
            "🙂 emoji and é",
            "x".repeat(100_000));
    long seq = 1;
    for (String key : keys) {
      InvalidationMessage<String> m = new InvalidationMessage<>("node-1", seq++, key);
      assertThat(codec.decode(codec.encode(m))).isEqualTo(m);
    }
  }

  @Test
  void anEmptyKeyIsNotEveryKey() {
    InvalidationMessage<String> empty = new InvalidationMessage<>("a", 1, "");
    InvalidationMessage<String> all = new InvalidationMessage<>("a", 1, null);
    assertThat(codec.decode(codec.encode(empty)).key()).isEqualTo("");
    assertThat(codec.decode(codec.encode(all)).key()).isNull();
    assertThat(codec.encode(empty)).isNotEqualTo(codec.encode(all));
  }

  @Test
  void binaryKeysRoundTripByteForByte() {
    Codec<byte[]> identity =
        new Codec<>() {
          @Override
          public byte[] encode(byte[] value) {
            return value;
          }

          @Override
          public byte[] decode(byte[] bytes) {
            return bytes;
          }
        };
    InvalidationCodec<byte[]> binary = new InvalidationCodec<>(identity);
    byte[] key = new byte[256];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) i; // every byte value, including invalid UTF-8
    }
    InvalidationMessage<byte[]> decoded =
        binary.decode(binary.encode(new InvalidationMessage<>("src", 42, key)));
    assertThat(decoded.key()).isEqualTo(key);
    assertThat(decoded.sequence()).isEqualTo(42);
  }

  @Test
  void theLayoutIsVersionFlagsSourceSequenceKey() {
    byte[] bytes = codec.encode(new InvalidationMessage<>("ab", 258, "k"));
    assertThat(bytes).containsExactly(1, 1, 2, 'a', 'b', 0, 0, 0, 0, 0, 0, 1, 2, 'k');
  }

  @Test
  void aLongSourceUsesAMultiByteLength() {
    String source = "s".repeat(300);
    InvalidationMessage<String> m = new InvalidationMessage<>(source, 1, "k");
    byte[] bytes = codec.encode(m);
    assertThat(bytes[2] & 0xFF).isEqualTo((300 & 0x7F) | 0x80);
    assertThat(bytes[3]).isEqualTo((byte) (300 >>> 7));
    assertThat(codec.decode(bytes)).isEqualTo(m);
  }

  @Test
  void malformedMessagesAreRejectedWithTheReason() {
    byte[] good = codec.encode(new InvalidationMessage<>("ab", 5, "key"));
    byte[] wrongVersion = good.clone();
    wrongVersion[0] = 2;
    assertThatThrownBy(() -> codec.decode(wrongVersion))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("version 2");
    byte[] unknownFlag = good.clone();
    unknownFlag[1] = 3;
    assertThatThrownBy(() -> codec.decode(unknownFlag)).hasMessageContaining("flags");
    assertThatThrownBy(() -> codec.decode(Arrays.copyOf(good, 8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("truncated");
    assertThatThrownBy(() -> codec.decode(new byte[0])).hasMessageContaining("truncated");
    byte[] all = codec.encode(new InvalidationMessage<>("ab", 5, null));
    byte[] trailing = Arrays.copyOf(all, all.length + 1);
    assertThatThrownBy(() -> codec.decode(trailing)).hasMessageContaining("trailing");
    byte[] emptySource = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    assertThatThrownBy(() -> codec.decode(emptySource)).hasMessageContaining("source length 0");
    byte[] badUtf8 = good.clone();
    badUtf8[3] = (byte) 0xFF;
    assertThatThrownBy(() -> codec.decode(badUtf8)).hasMessageContaining("UTF-8");
    byte[] zeroSequence = codec.encode(new InvalidationMessage<>("ab", 1, null));
    zeroSequence[zeroSequence.length - 1] = 0;
    assertThatThrownBy(() -> codec.decode(zeroSequence)).hasMessageContaining("sequence");
    assertThatThrownBy(() -> codec.decode("hello".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aSourceThatIsNotUnicodeIsRejectedAtEncode() {
    InvalidationMessage<String> lone = new InvalidationMessage<>("a\uD800b", 1, "k");
    assertThatThrownBy(() -> codec.encode(lone))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not valid Unicode");
  }

  @Test
  void theSourceCacheDoesNotMixUpSources() {
    for (int i = 1; i <= 5; i++) {
      String source = i % 2 == 0 ? "even" : "odd";
      InvalidationMessage<String> m = new InvalidationMessage<>(source, i, "k" + i);
      assertThat(codec.decode(codec.encode(m))).isEqualTo(m);
    }
  }
}
