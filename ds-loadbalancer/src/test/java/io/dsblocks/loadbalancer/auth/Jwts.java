package io.dsblocks.loadbalancer.auth;

import io.dsblocks.loadbalancer.internal.auth.Base64Url;
import io.dsblocks.loadbalancer.internal.auth.EcdsaSignatures;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Creates JWS tokens with the JDK, the way an issuer would, for tests. */
final class Jwts {
  private Jwts() {}

  /** Deterministic randomness for key generation (SHA1PRNG seeded explicitly is repeatable). */
  static SecureRandom seeded(long seed) {
    try {
      SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
      r.setSeed(seed);
      return r;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static KeyPair rsa(long seed) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048, seeded(seed));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static KeyPair ec(long seed) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), seeded(seed));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] secret(int seed) {
    byte[] s = new byte[32];
    seeded(seed).nextBytes(s);
    return s;
  }

  static String b64(String json) {
    return Base64Url.encode(json.getBytes(StandardCharsets.UTF_8));
  }

  static String header(String alg, String kid) {
    return kid == null
        ? "{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}"
        : "{\"alg\":\"" + alg + "\",\"typ\":\"JWT\",\"kid\":\"" + kid + "\"}";
  }

  static String hs256(String kid, byte[] secret, String claims) {
    return hmac(header("HS256", kid), claims, secret);
  }

  static String hmac(String headerJson, String claims, byte[] secret) {
    String input = b64(headerJson) + "." + b64(claims);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return input + "." + Base64Url.encode(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String rs256(String kid, PrivateKey key, String claims) {
    return signed(header("RS256", kid), claims, key, "SHA256withRSA", false);
  }

  static String es256(String kid, PrivateKey key, String claims) {
    return signed(header("ES256", kid), claims, key, "SHA256withECDSA", true);
  }

  static String signed(String headerJson, String claims, PrivateKey key, String alg, boolean ec) {
    String input = b64(headerJson) + "." + b64(claims);
    try {
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(input.getBytes(StandardCharsets.US_ASCII));
      byte[] sig = s.sign();
      if (ec) {
        sig = EcdsaSignatures.derToRaw(sig, 32); // JWS wants raw R||S, the JDK makes DER
      }
      return input + "." + Base64Url.encode(sig);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String claims(String sub, long exp) {
    return "{\"sub\":\"" + sub + "\",\"exp\":" + exp + "}";
  }

  static String unsigned(BigInteger v) {
    byte[] b = v.toByteArray();
    if (b.length > 1 && b[0] == 0) {
      byte[] t = new byte[b.length - 1];
      System.arraycopy(b, 1, t, 0, t.length);
      b = t;
    }
    return Base64Url.encode(b);
  }

  static String rsaJwk(String kid, RSAPublicKey k) {
    return "{\"kty\":\"RSA\",\"kid\":\""
        + kid
        + "\",\"use\":\"sig\",\"alg\":\"RS256\",\"n\":\""
        + unsigned(k.getModulus())
        + "\",\"e\":\""
        + unsigned(k.getPublicExponent())
        + "\"}";
  }

  static String ecJwk(String kid, ECPublicKey k) {
    return "{\"kty\":\"EC\",\"kid\":\""
        + kid
        + "\",\"crv\":\"P-256\",\"x\":\""
        + Base64Url.encode(fixed32(k.getW().getAffineX()))
        + "\",\"y\":\""
        + Base64Url.encode(fixed32(k.getW().getAffineY()))
        + "\"}";
  }

  static String octJwk(String kid, byte[] secret) {
    return "{\"kty\":\"oct\",\"kid\":\"" + kid + "\",\"k\":\"" + Base64Url.encode(secret) + "\"}";
  }

  static byte[] fixed32(BigInteger v) {
    byte[] b = v.toByteArray();
    byte[] out = new byte[32];
    int n = Math.min(b.length, 32);
    System.arraycopy(b, b.length - n, out, 32 - n, n);
    return out;
  }
}
