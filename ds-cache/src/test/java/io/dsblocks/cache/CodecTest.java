package io.dsblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CodecTest {

  @Test
  void decodingARangeReadsOnlyThatRange() {
    byte[] framed = "##héllo##".getBytes(StandardCharsets.UTF_8);
    int length = "héllo".getBytes(StandardCharsets.UTF_8).length;
    assertThat(Codec.utf8().decode(framed, 2, length)).isEqualTo("héllo");

    // A codec that only implements decode(byte[]) gets a copy of exactly the range.
    Codec<Integer> lengthCodec =
        new Codec<>() {
          @Override
          public byte[] encode(Integer value) {
            return new byte[value];
          }

          @Override
          public Integer decode(byte[] bytes) {
            return bytes.length;
          }
        };
    assertThat(lengthCodec.decode(new byte[10], 3, 4)).isEqualTo(4);
  }
}
