package io.dsblocks.storage.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class HkdfTest {

  private static final HexFormat HEX = HexFormat.of();

  @Test
  void rfc5869TestCase1() {
    byte[] ikm = new byte[22];
    Arrays.fill(ikm, (byte) 0x0b);
    byte[] okm =
        Hkdf.sha256(
            ikm,
            HEX.parseHex("000102030405060708090a0b0c"),
            HEX.parseHex("f0f1f2f3f4f5f6f7f8f9"),
            42);
    assertThat(HEX.formatHex(okm))
        .isEqualTo(
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  }

  @Test
  void rfc5869TestCase3EmptySaltAndInfo() {
    byte[] ikm = new byte[22];
    Arrays.fill(ikm, (byte) 0x0b);
    byte[] okm = Hkdf.sha256(ikm, new byte[0], new byte[0], 42);
    assertThat(HEX.formatHex(okm))
        .isEqualTo(
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
  }

  @Test
  void rejectsLengthsOutsideTheRfcRange() {
    assertThatThrownBy(() -> Hkdf.sha256(new byte[32], new byte[0], new byte[0], 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("length must be in [1, 8160] but was 0");
    assertThatThrownBy(() -> Hkdf.sha256(new byte[32], new byte[0], new byte[0], 8161))
        .hasMessageContaining("8161");
  }
}
