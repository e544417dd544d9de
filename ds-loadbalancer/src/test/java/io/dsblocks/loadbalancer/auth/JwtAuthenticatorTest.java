package io.dsblocks.loadbalancer.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.loadbalancer.internal.auth.Base64Url;
import io.dsblocks.loadbalancer.internal.tls.Pem;
import io.dsblocks.loadbalancer.tls.SelfSignedCertificates;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JwtAuthenticatorTest {
  static final KeyPair RSA = Jwts.rsa(1);
  static final KeyPair RSA2 = Jwts.rsa(2);
  static final KeyPair EC = Jwts.ec(3);
  static final KeyPair EC2 = Jwts.ec(4);
  static final byte[] SECRET = Jwts.secret(5);
  static final byte[] SECRET2 = Jwts.secret(6);

  final TestClock clock = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));
  final long now = clock.epochSecond();

  JwtKeySet keys() {
    return JwtKeySet.create()
        .addHmacSecret("hs", SECRET)
        .addPublicKey("rs", RSA.getPublic())
        .addPublicKey("es", EC.getPublic());
  }

  JwtAuthenticator.Builder jwt(JwtKeySet keys) {
    return JwtAuthenticator.builder(keys).clock(clock);
  }

  static AuthRequest bearer(String token) {
    return AuthRequest.of("GET", "/", RequestHeaders.of("Authorization", "Bearer " + token));
  }

  String valid() {
    return Jwts.claims("alice", now + 300);
  }

  @Test
  void acceptsEachAlgorithm() {
    JwtAuthenticator a = jwt(keys()).build();
    for (String token :
        List.of(
            Jwts.hs256("hs", SECRET, valid()),
            Jwts.rs256("rs", RSA.getPrivate(), valid()),
            Jwts.es256("es", EC.getPrivate(), valid()))) {
      AuthResult r = a.authenticate(bearer(token));
      assertThat(r.isAllowed()).as(r.toString()).isTrue();
      AuthPrincipal p = r.principal().orElseThrow();
      assertThat(p.name()).isEqualTo("alice");
      assertThat(p.scheme()).isEqualTo("jwt");
      assertThat(p.claim("exp")).isEqualTo(now + 300);
    }
  }

  @Test
  void bearerSchemeIsCaseInsensitive() {
    JwtAuthenticator a = jwt(keys()).build();
    String token = Jwts.hs256("hs", SECRET, valid());
    assertThat(
            a.authenticate(
                    AuthRequest.of(
                        "GET", "/", RequestHeaders.of("authorization", "bearer " + token)))
                .isAllowed())
        .isTrue();
  }

  @Test
  void tamperedPayloadOrSignatureIsRejected() {
    JwtAuthenticator a = jwt(keys()).build();
    for (String token :
        List.of(
            Jwts.hs256("hs", SECRET, valid()),
            Jwts.rs256("rs", RSA.getPrivate(), valid()),
            Jwts.es256("es", EC.getPrivate(), valid()))) {
      String[] parts = token.split("\\.");
      String forgedClaims = Jwts.b64(Jwts.claims("mallory", now + 300));
      assertThat(a.verify(parts[0] + "." + forgedClaims + "." + parts[2]).reason())
          .isEqualTo("signature does not verify");
      byte[] sig = Base64Url.decode(parts[2]);
      sig[sig.length / 2] ^= 1;
      assertThat(a.verify(parts[0] + "." + parts[1] + "." + Base64Url.encode(sig)).reason())
          .isEqualTo("signature does not verify");
    }
  }

  @Test
  void algNoneIsNeverAccepted() {
    JwtAuthenticator a = jwt(JwtKeySet.create().addHmacSecret("hs", SECRET)).build();
    for (String alg : List.of("none", "None", "NONE")) {
      String token = Jwts.b64(Jwts.header(alg, "hs")) + "." + Jwts.b64(valid()) + ".";
      AuthResult r = a.authenticate(bearer(token));
      assertThat(r.outcome()).isEqualTo(AuthResult.Outcome.DENIED);
      assertThat(r.status()).isEqualTo(401);
    }
    // With a non-empty signature part the alg check itself must fire.
    String token = Jwts.b64(Jwts.header("none", "hs")) + "." + Jwts.b64(valid()) + ".AAAA";
    assertThat(a.verify(token).reason()).contains("alg none");
  }

  @Test
  void algorithmConfusionIsRejected() throws Exception {
    // Classic attack: sign HS256 with the RSA *public* key bytes as the HMAC secret, naming the
    // RSA key's kid. A verifier that trusts the header's alg would accept it.
    JwtAuthenticator a = jwt(JwtKeySet.create().addPublicKey("rs", RSA.getPublic())).build();
    byte[] publicPem =
        Pem.encode("PUBLIC KEY", RSA.getPublic().getEncoded()).getBytes(StandardCharsets.US_ASCII);
    for (byte[] secret : List.of(publicPem, RSA.getPublic().getEncoded())) {
      AuthResult r = a.verify(Jwts.hs256("rs", secret, valid()));
      assertThat(r.isAllowed()).isFalse();
      assertThat(r.reason()).isEqualTo("alg HS256 does not match key rs (RS256)");
    }
    // ES256 header over an RSA key, RS256 header over an EC key: same rule.
    JwtAuthenticator both = jwt(keys()).build();
    String esSignedNamedRs =
        Jwts.signed(Jwts.header("ES256", "rs"), valid(), EC.getPrivate(), "SHA256withECDSA", true);
    assertThat(both.verify(esSignedNamedRs).reason()).contains("does not match key rs");
  }

  @Test
  void algorithmsOutsideTheAllowListAreRejected() {
    JwtAuthenticator a = jwt(keys()).algorithms(JwsAlgorithm.RS256, JwsAlgorithm.ES256).build();
    assertThat(a.verify(Jwts.hs256("hs", SECRET, valid())).reason())
        .isEqualTo("alg HS256 is not allowed");
    String hs512 = Jwts.hmac(Jwts.header("HS512", "hs"), valid(), SECRET);
    assertThat(a.verify(hs512).reason()).isEqualTo("alg HS512 is not allowed");
    assertThat(a.verify(Jwts.rs256("rs", RSA.getPrivate(), valid())).isAllowed()).isTrue();
  }

  @Test
  void expirationWithClockSkew() {
    JwtAuthenticator a = jwt(keys()).clockSkew(Duration.ofSeconds(60)).build();
    assertThat(a.verify(Jwts.hs256("hs", SECRET, Jwts.claims("a", now - 30))).isAllowed())
        .as("expired 30 s ago, within the 60 s skew")
        .isTrue();
    assertThat(a.verify(Jwts.hs256("hs", SECRET, Jwts.claims("a", now - 61))).reason())
        .isEqualTo("token expired");
    String t = Jwts.hs256("hs", SECRET, Jwts.claims("a", now + 10));
    assertThat(a.verify(t).isAllowed()).isTrue();
    clock.advance(Duration.ofSeconds(70));
    assertThat(a.verify(t).reason()).isEqualTo("token expired");

    JwtAuthenticator strict = jwt(keys()).clockSkew(Duration.ZERO).build();
    assertThat(strict.verify(Jwts.hs256("hs", SECRET, Jwts.claims("a", now + 70))).reason())
        .as("exp == now is expired (RFC 7519: now must be before exp)")
        .isEqualTo("token expired");
  }

  @Test
  void notBeforeAndIssuedAt() {
    JwtAuthenticator a = jwt(keys()).clockSkew(Duration.ofSeconds(30)).build();
    String nbfSoon = "{\"sub\":\"a\",\"exp\":" + (now + 600) + ",\"nbf\":" + (now + 20) + "}";
    String nbfLater = "{\"sub\":\"a\",\"exp\":" + (now + 600) + ",\"nbf\":" + (now + 120) + "}";
    String iatFuture = "{\"sub\":\"a\",\"exp\":" + (now + 600) + ",\"iat\":" + (now + 120) + "}";
    String fractional = "{\"sub\":\"a\",\"exp\":" + (now + 600) + ".5,\"nbf\":" + now + ".25}";
    assertThat(a.verify(Jwts.hs256("hs", SECRET, nbfSoon)).isAllowed()).isTrue();
    assertThat(a.verify(Jwts.hs256("hs", SECRET, nbfLater)).reason()).contains("not valid yet");
    assertThat(a.verify(Jwts.hs256("hs", SECRET, iatFuture)).reason()).contains("in the future");
    assertThat(a.verify(Jwts.hs256("hs", SECRET, fractional)).isAllowed()).isTrue();
    String badType = "{\"sub\":\"a\",\"exp\":\"tomorrow\"}";
    assertThat(a.verify(Jwts.hs256("hs", SECRET, badType)).reason())
        .isEqualTo("exp is not a number");
  }

  @Test
  void maxAgeNeedsIat() {
    JwtAuthenticator a = jwt(keys()).clockSkew(Duration.ZERO).maxAge(Duration.ofMinutes(5)).build();
    String fresh = "{\"sub\":\"a\",\"exp\":" + (now + 600) + ",\"iat\":" + (now - 60) + "}";
    String old = "{\"sub\":\"a\",\"exp\":" + (now + 600) + ",\"iat\":" + (now - 400) + "}";
    assertThat(a.verify(Jwts.hs256("hs", SECRET, fresh)).isAllowed()).isTrue();
    assertThat(a.verify(Jwts.hs256("hs", SECRET, old)).reason()).contains("older than");
    assertThat(a.verify(Jwts.hs256("hs", SECRET, valid())).reason()).contains("no iat");
  }

  @Test
  void expIsRequiredUnlessDisabled() {
    String noExp = "{\"sub\":\"a\"}";
    assertThat(jwt(keys()).build().verify(Jwts.hs256("hs", SECRET, noExp)).reason())
        .isEqualTo("token has no exp claim");
    assertThat(
            jwt(keys())
                .requireExpiration(false)
                .build()
                .verify(Jwts.hs256("hs", SECRET, noExp))
                .isAllowed())
        .isTrue();
  }

  @Test
  void kidRotation() {
    JwtKeySet set = JwtKeySet.create().addPublicKey("2029", RSA.getPublic());
    JwtAuthenticator a = jwt(set).build();
    String oldToken = Jwts.rs256("2029", RSA.getPrivate(), valid());
    assertThat(a.verify(oldToken).isAllowed()).isTrue();

    set.addPublicKey("2030", RSA2.getPublic()); // publish the new key first
    String newToken = Jwts.rs256("2030", RSA2.getPrivate(), valid());
    assertThat(a.verify(newToken).isAllowed()).isTrue();
    assertThat(a.verify(oldToken).isAllowed()).as("both valid during the overlap").isTrue();

    assertThat(set.remove("2029")).isTrue();
    assertThat(a.verify(oldToken).reason()).isEqualTo("unknown kid 2029");
    assertThat(a.verify(newToken).isAllowed()).isTrue();
    assertThat(set.remove("2029")).isFalse();
    assertThat(set.kids()).containsExactly("2030");

    // Replacing a kid's key makes tokens signed with the old key fail.
    set.addPublicKey("2030", EC2.getPublic());
    assertThat(set.algorithmOf("2030")).contains(JwsAlgorithm.ES256);
    assertThat(a.verify(newToken).reason()).contains("does not match key 2030");
  }

  @Test
  void tokensWithoutKid() {
    JwtAuthenticator single = jwt(JwtKeySet.create().addHmacSecret("only", SECRET)).build();
    assertThat(single.verify(Jwts.hs256(null, SECRET, valid())).isAllowed()).isTrue();
    JwtAuthenticator several = jwt(keys()).build();
    assertThat(several.verify(Jwts.hs256(null, SECRET, valid())).reason())
        .isEqualTo("token has no kid and the key set holds 3 keys");
  }

  @Test
  void issuerAndAudience() {
    JwtAuthenticator a =
        jwt(keys()).issuers("https://issuer.test").audiences("orders", "billing").build();
    String ok =
        "{\"sub\":\"a\",\"exp\":"
            + (now + 60)
            + ",\"iss\":\"https://issuer.test\",\"aud\":[\"other\",\"billing\"]}";
    String okString =
        "{\"sub\":\"a\",\"exp\":"
            + (now + 60)
            + ",\"iss\":\"https://issuer.test\",\"aud\":\"orders\"}";
    String wrongIss =
        "{\"sub\":\"a\",\"exp\":"
            + (now + 60)
            + ",\"iss\":\"https://evil.test\",\"aud\":\"orders\"}";
    String wrongAud =
        "{\"sub\":\"a\",\"exp\":"
            + (now + 60)
            + ",\"iss\":\"https://issuer.test\",\"aud\":[\"x\"]}";
    String noAud = "{\"sub\":\"a\",\"exp\":" + (now + 60) + ",\"iss\":\"https://issuer.test\"}";
    assertThat(a.verify(Jwts.es256("es", EC.getPrivate(), ok)).isAllowed()).isTrue();
    assertThat(a.verify(Jwts.es256("es", EC.getPrivate(), okString)).isAllowed()).isTrue();
    assertThat(a.verify(Jwts.es256("es", EC.getPrivate(), wrongIss)).reason())
        .isEqualTo("issuer not accepted");
    assertThat(a.verify(Jwts.es256("es", EC.getPrivate(), wrongAud)).reason())
        .isEqualTo("audience not accepted");
    assertThat(a.verify(Jwts.es256("es", EC.getPrivate(), noAud)).reason())
        .isEqualTo("audience not accepted");
  }

  @Test
  void requiredAndPrincipalClaims() {
    JwtAuthenticator a = jwt(keys()).requireClaims("tenant").principalClaim("email").build();
    String withBoth =
        "{\"sub\":\"a\",\"email\":\"a@x.test\",\"tenant\":\"t1\",\"exp\":" + (now + 60) + "}";
    String noTenant = "{\"sub\":\"a\",\"email\":\"a@x.test\",\"exp\":" + (now + 60) + "}";
    String nullTenant =
        "{\"sub\":\"a\",\"email\":\"a@x.test\",\"tenant\":null,\"exp\":" + (now + 60) + "}";
    String noEmail = "{\"sub\":\"a\",\"tenant\":\"t1\",\"exp\":" + (now + 60) + "}";
    assertThat(a.verify(Jwts.hs256("hs", SECRET, withBoth)).principal().orElseThrow().name())
        .isEqualTo("a@x.test");
    assertThat(a.verify(Jwts.hs256("hs", SECRET, noTenant)).reason())
        .isEqualTo("required claim tenant missing");
    assertThat(a.verify(Jwts.hs256("hs", SECRET, nullTenant)).reason())
        .isEqualTo("required claim tenant missing");
    assertThat(a.verify(Jwts.hs256("hs", SECRET, noEmail)).reason())
        .isEqualTo("claim email missing or not a string");
  }

  @Test
  void malformedTokensAndHeaders() {
    JwtAuthenticator a = jwt(keys()).build();
    String good = Jwts.hs256("hs", SECRET, valid());
    assertThat(a.verify("a.b").reason()).contains("three dot-separated parts");
    assertThat(a.verify(good + ".x").reason()).contains("three dot-separated parts");
    assertThat(a.verify(good + "=").reason()).contains("malformed token");
    assertThat(a.verify("x".repeat(9000)).reason()).contains("token length 9000");
    String crit =
        Jwts.hmac("{\"alg\":\"HS256\",\"kid\":\"hs\",\"crit\":[\"exp\"]}", valid(), SECRET);
    assertThat(a.verify(crit).reason()).isEqualTo("crit header parameters are not supported");
    String dupClaims =
        Jwts.hs256("hs", SECRET, "{\"sub\":\"a\",\"sub\":\"b\",\"exp\":" + (now + 60) + "}");
    assertThat(a.verify(dupClaims).reason()).contains("duplicate member 'sub'");
    String arrayClaims = Jwts.hs256("hs", SECRET, "[1,2]");
    assertThat(a.verify(arrayClaims).reason()).contains("malformed claims");
    String numericKid = Jwts.hmac("{\"alg\":\"HS256\",\"kid\":7}", valid(), SECRET);
    assertThat(a.verify(numericKid).reason()).isEqualTo("kid is not a string");
  }

  @Test
  void nonCanonicalSignatureEncodingIsRejected() {
    JwtAuthenticator a = jwt(keys()).build();
    String token = Jwts.hs256("hs", SECRET, valid());
    // 32 bytes encode to 43 characters; the last carries 2 unused bits. Setting one keeps the
    // decoded bytes identical under a lenient decoder, so only canonical decoding catches it.
    char last = token.charAt(token.length() - 1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char sibling = alphabet.charAt(alphabet.indexOf(last) ^ 1);
    String tweaked = token.substring(0, token.length() - 1) + sibling;
    assertThat(
            java.util.Base64.getUrlDecoder()
                .decode(tweaked.substring(tweaked.lastIndexOf('.') + 1)))
        .as("the JDK decoder ignores the unused bits")
        .isEqualTo(
            java.util.Base64.getUrlDecoder().decode(token.substring(token.lastIndexOf('.') + 1)));
    assertThat(a.verify(tweaked).reason()).contains("non-canonical");
  }

  @Test
  void psychicEcdsaSignaturesAreRejected() {
    JwtAuthenticator a = jwt(keys()).build();
    String input = Jwts.b64(Jwts.header("ES256", "es")) + "." + Jwts.b64(valid());
    assertThat(a.verify(input + "." + Base64Url.encode(new byte[64])).reason())
        .isEqualTo("signature does not verify");
    byte[] order = Jwts.fixed32(((ECPublicKey) EC.getPublic()).getParams().getOrder());
    byte[] rs = new byte[64];
    System.arraycopy(order, 0, rs, 0, 32);
    System.arraycopy(order, 0, rs, 32, 32);
    assertThat(a.verify(input + "." + Base64Url.encode(rs)).reason())
        .isEqualTo("signature does not verify");
    assertThat(a.verify(input + "." + Base64Url.encode(new byte[63])).reason())
        .isEqualTo("signature does not verify");
  }

  @Test
  void headerHandlingAndChallenges() {
    JwtAuthenticator a = jwt(keys()).realm("orders").build();
    AuthResult none = a.authenticate(AuthRequest.of("GET", "/", RequestHeaders.empty()));
    assertThat(none.outcome()).isEqualTo(AuthResult.Outcome.NO_CREDENTIALS);
    assertThat(none.wwwAuthenticate()).contains("Bearer realm=\"orders\"");
    AuthResult basic =
        a.authenticate(
            AuthRequest.of("GET", "/", RequestHeaders.of("Authorization", "Basic YTpi")));
    assertThat(basic.outcome()).isEqualTo(AuthResult.Outcome.NO_CREDENTIALS);
    String t = Jwts.hs256("hs", SECRET, valid());
    AuthResult two =
        a.authenticate(
            AuthRequest.of(
                "GET",
                "/",
                RequestHeaders.of("Authorization", "Bearer " + t, "Authorization", "Bearer " + t)));
    assertThat(two.reason()).isEqualTo("more than one bearer token");
    assertThat(two.wwwAuthenticate().orElseThrow()).contains("error=\"invalid_request\"");
    // Attacker-chosen text (a kid) cannot break out of the quoted error_description.
    AuthResult evil = a.authenticate(bearer(Jwts.hs256("x\\\", evil=\\\"1", SECRET, valid())));
    assertThat(evil.reason()).startsWith("unknown kid");
    assertThat(evil.wwwAuthenticate().orElseThrow())
        .startsWith(
            "Bearer realm=\"orders\", error=\"invalid_token\", error_description=\"unknown kid x?, evil=?1\"");
  }

  @Test
  void jwksKeysVerifyAndRotateAtomically() {
    String jwks =
        "{\"keys\":["
            + Jwts.rsaJwk("r1", (RSAPublicKey) RSA.getPublic())
            + ","
            + Jwts.ecJwk("e1", (ECPublicKey) EC.getPublic())
            + ","
            + Jwts.octJwk("o1", SECRET)
            + ",{\"kty\":\"RSA\",\"kid\":\"enc\",\"use\":\"enc\",\"n\":\"AQAB\",\"e\":\"AQAB\"}"
            + ",{\"kty\":\"OKP\",\"kid\":\"ed\",\"crv\":\"Ed25519\",\"x\":\"AA\"}"
            + "]}";
    JwtKeySet set = JwtKeySet.fromJwks(jwks);
    assertThat(set.kids()).containsExactlyInAnyOrder("r1", "e1", "o1");
    JwtAuthenticator a = jwt(set).build();
    assertThat(a.verify(Jwts.rs256("r1", RSA.getPrivate(), valid())).isAllowed()).isTrue();
    assertThat(a.verify(Jwts.es256("e1", EC.getPrivate(), valid())).isAllowed()).isTrue();
    assertThat(a.verify(Jwts.hs256("o1", SECRET, valid())).isAllowed()).isTrue();

    List<String> now2 = set.replaceWithJwks("{\"keys\":[" + Jwts.octJwk("o2", SECRET2) + "]}");
    assertThat(now2).containsExactly("o2");
    assertThat(a.verify(Jwts.rs256("r1", RSA.getPrivate(), valid())).reason())
        .isEqualTo("unknown kid r1");
    assertThat(a.verify(Jwts.hs256("o2", SECRET2, valid())).isAllowed()).isTrue();

    // A bad document changes nothing.
    assertThatThrownBy(() -> set.replaceWithJwks("{\"keys\":[{\"kty\":\"oct\"}]}"))
        .hasMessageContaining("JWKS key #0: \"kid\" must be a non-empty string");
    assertThat(set.kids()).containsExactly("o2");
  }

  @Test
  void jwksErrorsNameTheKey() {
    String algMismatch =
        "{\"keys\":[" + Jwts.octJwk("o", SECRET).replace("}", ",\"alg\":\"RS256\"}") + "]}";
    assertThatThrownBy(() -> JwtKeySet.fromJwks(algMismatch))
        .hasMessageContaining("kid 'o'")
        .hasMessageContaining("\"alg\" is RS256 but a oct key verifies HS256");
    String offCurve =
        "{\"keys\":[{\"kty\":\"EC\",\"kid\":\"bad\",\"crv\":\"P-256\",\"x\":\""
            + Base64Url.encode(new byte[32])
            + "\",\"y\":\""
            + Base64Url.encode(new byte[32])
            + "\"}]}";
    assertThatThrownBy(() -> JwtKeySet.fromJwks(offCurve)).hasMessageContaining("not on P-256");
    String dup = "{\"keys\":[" + Jwts.octJwk("o", SECRET) + "," + Jwts.octJwk("o", SECRET2) + "]}";
    assertThatThrownBy(() -> JwtKeySet.fromJwks(dup)).hasMessageContaining("duplicate kid");
    assertThatThrownBy(() -> JwtKeySet.fromJwks("{\"nokeys\":1}"))
        .hasMessageContaining("missing \"keys\" array");
    assertThatThrownBy(() -> JwtKeySet.fromJwks("{")).hasMessageContaining("JWKS: invalid JSON");
  }

  @Test
  void keysAreValidatedWhenAdded() throws Exception {
    JwtKeySet set = JwtKeySet.create();
    assertThatThrownBy(() -> set.addHmacSecret("short", new byte[31]))
        .hasMessageContaining("HS256 needs at least 32");
    KeyPairGenerator small = KeyPairGenerator.getInstance("RSA");
    small.initialize(1024, Jwts.seeded(9));
    assertThatThrownBy(() -> set.addPublicKey("rsa1024", small.generateKeyPair().getPublic()))
        .hasMessageContaining("has 1024 bits; RS256 needs at least 2048");
    KeyPairGenerator p384 = KeyPairGenerator.getInstance("EC");
    p384.initialize(new ECGenParameterSpec("secp384r1"), Jwts.seeded(10));
    assertThatThrownBy(() -> set.addPublicKey("p384", p384.generateKeyPair().getPublic()))
        .hasMessageContaining("not on P-256");
    assertThatThrownBy(() -> set.addHmacSecret("", SECRET)).hasMessageContaining("kid must be");
    assertThat(set.size()).isZero();
  }

  @Test
  void pemKeysFromPublicKeyBlocksAndCertificates() {
    String spki = Pem.encode("PUBLIC KEY", RSA.getPublic().getEncoded());
    String certPem =
        SelfSignedCertificates.newAuthority("jwt signer").certificate().certificatePem();
    JwtKeySet set =
        JwtKeySet.create().addPublicKeyPem("rsa", spki).addPublicKeyPem("cert", certPem);
    assertThat(set.algorithmOf("rsa")).contains(JwsAlgorithm.RS256);
    assertThat(set.algorithmOf("cert")).contains(JwsAlgorithm.ES256);
    assertThat(jwt(set).build().verify(Jwts.rs256("rsa", RSA.getPrivate(), valid())).isAllowed())
        .isTrue();
    assertThatThrownBy(() -> set.addPublicKeyPem("x", "nothing"))
        .hasMessageContaining("no '-----BEGIN PUBLIC KEY-----'");
  }

  @Test
  void builderValidation() {
    JwtKeySet set = keys();
    assertThatThrownBy(
            () -> JwtAuthenticator.builder(set).clockSkew(Duration.ofMinutes(11)).build())
        .hasMessageContaining("clockSkew is PT11M; allowed: 0 to 10 minutes");
    assertThatThrownBy(() -> JwtAuthenticator.builder(set).maxTokenLength(10).build())
        .hasMessageContaining("maxTokenLength is 10; allowed: 64 to 65536");
    assertThatThrownBy(() -> JwtAuthenticator.builder(set).realm("a\"b"))
        .hasMessageContaining("realm must be printable ASCII");
    assertThatThrownBy(() -> JwtAuthenticator.builder(set).algorithms())
        .hasMessageContaining("at least one algorithm");
    assertThatThrownBy(() -> JwtAuthenticator.builder(set).maxAge(Duration.ZERO).build())
        .hasMessageContaining("maxAge is PT0S; must be positive");
    assertThatThrownBy(() -> JwtAuthenticator.builder(set).issuers(" "))
        .hasMessageContaining("issuers must be non-blank");
  }
}
