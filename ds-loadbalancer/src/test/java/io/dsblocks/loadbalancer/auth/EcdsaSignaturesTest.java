package io.dsblocks.loadbalancer.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.loadbalancer.internal.auth.EcdsaSignatures;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** JWS raw R||S versus the JDK's DER encoding, checked against the JDK's own P1363 format. */
class EcdsaSignaturesTest {
  static final KeyPair EC = Jwts.ec(42);

  @Test
  void derAndRawRoundTripAndAgreeWithTheJdk() throws Exception {
    Signature der = Signature.getInstance("SHA256withECDSA");
    Signature p1363 = Signature.getInstance("SHA256withECDSAinP1363Format");
    boolean sawPadded = false;
    // Enough signatures that some r values have their top bit set (DER adds a 0x00); seeded, so
    // the run is repeatable. Dropped leading zeros are covered by minimalIntegerEncoding.
    java.security.SecureRandom rnd = Jwts.seeded(7);
    for (int i = 0; i < 200; i++) {
      byte[] msg = ("message " + i).getBytes(StandardCharsets.US_ASCII);
      der.initSign(EC.getPrivate(), rnd);
      der.update(msg);
      byte[] d = der.sign();
      byte[] raw = EcdsaSignatures.derToRaw(d, 32);
      assertThat(raw).hasSize(64);
      assertThat(EcdsaSignatures.rawToDer(raw, 32)).isEqualTo(d);
      p1363.initVerify(EC.getPublic());
      p1363.update(msg);
      assertThat(p1363.verify(raw)).as("raw form verifies as P1363").isTrue();
      sawPadded |= d[4] == 0;
    }
    assertThat(sawPadded).as("some integer needed a sign byte").isTrue();

    // And the other direction: P1363 (raw) signatures become DER the standard verifier accepts.
    for (int i = 0; i < 20; i++) {
      byte[] msg = ("other " + i).getBytes(StandardCharsets.US_ASCII);
      p1363.initSign(EC.getPrivate(), rnd);
      p1363.update(msg);
      byte[] raw = p1363.sign();
      der.initVerify(EC.getPublic());
      der.update(msg);
      assertThat(der.verify(EcdsaSignatures.rawToDer(raw, 32))).isTrue();
    }
  }

  @Test
  void minimalIntegerEncoding() {
    byte[] raw = new byte[64];
    raw[31] = 1; // r = 1
    raw[32] = (byte) 0x80; // s has its top bit set
    byte[] der = EcdsaSignatures.rawToDer(raw, 32);
    String hex = HexFormat.of().formatHex(der);
    assertThat(hex).startsWith("3026" + "020101" + "022100" + "80");
    assertThat(EcdsaSignatures.derToRaw(der, 32)).isEqualTo(raw);
  }

  @Test
  void malformedInputIsRejected() {
    assertThatThrownBy(() -> EcdsaSignatures.rawToDer(new byte[63], 32))
        .hasMessageContaining("must be 64 bytes, got 63");
    HexFormat h = HexFormat.of();
    assertThatThrownBy(() -> EcdsaSignatures.derToRaw(h.parseHex("3106020101020101"), 32))
        .hasMessageContaining("SEQUENCE");
    assertThatThrownBy(() -> EcdsaSignatures.derToRaw(h.parseHex("3007020101020101"), 32))
        .hasMessageContaining("length does not match");
    assertThatThrownBy(() -> EcdsaSignatures.derToRaw(h.parseHex("300702010102010100"), 32))
        .hasMessageContaining("trailing bytes");
    assertThatThrownBy(() -> EcdsaSignatures.derToRaw(h.parseHex("3006020181020101"), 32))
        .hasMessageContaining("negative");
    assertThatThrownBy(() -> EcdsaSignatures.derToRaw(h.parseHex("3006040101020101"), 32))
        .hasMessageContaining("INTEGER expected");
    String wide = "0221" + "01".repeat(33);
    assertThatThrownBy(() -> EcdsaSignatures.derToRaw(h.parseHex("3026" + wide + "020101"), 32))
        .hasMessageContaining("wider than the field");
  }
}
