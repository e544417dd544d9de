package io.dsblocks.loadbalancer.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.loadbalancer.internal.auth.EcdsaSignatures;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;

/** Properties of token verification over generated inputs (seeded, so runs are repeatable). */
class JwtTamperPropertiesTest {
  static final KeyPair RSA = Jwts.rsa(21);
  static final KeyPair EC = Jwts.ec(22);
  static final byte[] SECRET = Jwts.secret(23);
  static final TestClock CLOCK = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));
  static final String CLAIMS =
      "{\"sub\":\"alice\",\"scope\":\"a b\",\"exp\":" + (CLOCK.epochSecond() + 600) + "}";
  static final JwtAuthenticator VERIFIER =
      JwtAuthenticator.builder(
              JwtKeySet.create()
                  .addHmacSecret("hs", SECRET)
                  .addPublicKey("rs", RSA.getPublic())
                  .addPublicKey("es", EC.getPublic()))
          .clock(CLOCK)
          .build();

  static String token(JwsAlgorithm alg) {
    switch (alg) {
      case HS256:
        return Jwts.hs256("hs", SECRET, CLAIMS);
      case RS256:
        return Jwts.rs256("rs", RSA.getPrivate(), CLAIMS);
      default:
        return Jwts.es256("es", EC.getPrivate(), CLAIMS);
    }
  }

  /**
   * Any position, but a third of the time one of the last three characters: the last character of a
   * base64url part carries unused bits, so small changes there (also favoured below) are the ones a
   * lenient decoder would let through.
   */
  @Provide
  Arbitrary<Integer> positions() {
    return Arbitraries.frequencyOf(
        Tuple.of(2, Arbitraries.integers().between(0, 100_000)),
        Tuple.of(1, Arbitraries.integers().between(-3, -1)));
  }

  /** Any change, but often a small one (a neighbouring character). */
  @Provide
  Arbitrary<Integer> deltas() {
    return Arbitraries.frequencyOf(
        Tuple.of(1, Arbitraries.integers().between(1, 255)),
        Tuple.of(1, Arbitraries.integers().between(1, 15)),
        Tuple.of(1, Arbitraries.integers().between(241, 255)));
  }

  @Property(tries = 600, seed = "20300101")
  void anySingleByteChangeIsRejected(
      @ForAll JwsAlgorithm alg, @ForAll("positions") int position, @ForAll("deltas") int delta) {
    String token = token(alg);
    assertThat(VERIFIER.verify(token).isAllowed()).as("the untouched token is valid").isTrue();
    byte[] bytes = token.getBytes(StandardCharsets.ISO_8859_1);
    int i = position < 0 ? bytes.length + position : position % bytes.length;
    bytes[i] = (byte) (bytes[i] + delta); // delta in 1..255 always changes the byte
    String tampered = new String(bytes, StandardCharsets.ISO_8859_1);
    AuthResult direct = VERIFIER.verify(tampered);
    assertThat(direct.isAllowed()).as("byte %d changed by %d: %s", i, delta, direct).isFalse();
    AuthResult viaHeader =
        VERIFIER.authenticate(
            AuthRequest.of("GET", "/", RequestHeaders.of("Authorization", "Bearer " + tampered)));
    assertThat(viaHeader.isAllowed()).isFalse();
  }

  @Property(tries = 300, seed = "7")
  void rawSignaturesSurviveTheDerRoundTrip(@ForAll @Size(64) byte[] raw) {
    assertThat(EcdsaSignatures.derToRaw(EcdsaSignatures.rawToDer(raw, 32), 32)).isEqualTo(raw);
  }
}
