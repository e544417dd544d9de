package io.dsblocks.loadbalancer.internal.auth;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses a JSON Web Key Set (RFC 7517) into verification keys: {@code RSA}, {@code EC} on {@code
 * P-256} and {@code oct} (HMAC) keys. Keys meant for encryption ({@code "use":"enc"}) and key types
 * we cannot verify with ({@code OKP}...) are skipped, as a JWKS published by an identity provider
 * often carries them; every other problem is an error naming the key's index. Stateless and
 * thread-safe.
 */
public final class Jwks {
  private static final ECParameterSpec P256 = loadP256();

  private Jwks() {}

  /**
   * The NIST P-256 curve parameters.
   *
   * @return the parameters
   */
  public static ECParameterSpec p256() {
    return P256;
  }

  private static ECParameterSpec loadP256() {
    try {
      AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
      p.init(new ECGenParameterSpec("secp256r1"));
      return p.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks the P-256 curve", e);
    }
  }

  /**
   * Parses a JWKS document.
   *
   * @param json {@code {"keys":[...]}}
   * @return the usable keys, in document order
   * @throws IllegalArgumentException if the document or a usable-looking key is malformed, or two
   *     keys share a kid
   */
  public static List<VerificationKey> parse(String json) {
    Map<String, Object> doc;
    try {
      doc = Json.parseObject(json);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("JWKS: " + e.getMessage(), e);
    }
    Object keys = doc.get("keys");
    if (!(keys instanceof List)) {
      throw new IllegalArgumentException("JWKS: missing \"keys\" array");
    }
    List<VerificationKey> out = new ArrayList<>();
    Set<String> kids = new HashSet<>();
    int i = 0;
    for (Object o : (List<?>) keys) {
      String where = "JWKS key #" + i++;
      if (!(o instanceof Map)) {
        throw new IllegalArgumentException(where + ": not an object");
      }
      Map<?, ?> jwk = (Map<?, ?>) o;
      if ("enc".equals(jwk.get("use"))) {
        continue;
      }
      String kty = string(jwk, "kty", where);
      if (!kty.equals("RSA") && !kty.equals("EC") && !kty.equals("oct")) {
        continue;
      }
      String kid = string(jwk, "kid", where);
      where += " (kid '" + kid + "')";
      if (!kids.add(kid)) {
        throw new IllegalArgumentException(where + ": duplicate kid");
      }
      VerificationKey key;
      if (kty.equals("oct")) {
        key = VerificationKey.hmac(kid, bytes(jwk, "k", where));
      } else {
        key = VerificationKey.publicKey(kid, publicKey(kty, jwk, where));
      }
      Object alg = jwk.get("alg");
      if (alg != null && !key.algorithm().name().equals(alg)) {
        throw new IllegalArgumentException(
            where + ": \"alg\" is " + alg + " but a " + kty + " key verifies " + key.algorithm());
      }
      out.add(key);
    }
    return out;
  }

  private static PublicKey publicKey(String kty, Map<?, ?> jwk, String where) {
    try {
      if (kty.equals("RSA")) {
        BigInteger n = new BigInteger(1, bytes(jwk, "n", where));
        BigInteger e = new BigInteger(1, bytes(jwk, "e", where));
        return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
      }
      String crv = string(jwk, "crv", where);
      if (!crv.equals("P-256")) {
        throw new IllegalArgumentException(where + ": curve " + crv + " unsupported (P-256 only)");
      }
      byte[] x = bytes(jwk, "x", where);
      byte[] y = bytes(jwk, "y", where);
      if (x.length != 32 || y.length != 32) {
        throw new IllegalArgumentException(where + ": P-256 coordinates must be 32 bytes each");
      }
      ECPoint w = new ECPoint(new BigInteger(1, x), new BigInteger(1, y));
      if (!VerificationKey.onCurve(w, P256)) {
        throw new IllegalArgumentException(where + ": point is not on P-256");
      }
      return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, P256));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(where + ": invalid key: " + e.getMessage(), e);
    }
  }

  private static String string(Map<?, ?> jwk, String name, String where) {
    Object v = jwk.get(name);
    if (!(v instanceof String) || ((String) v).isEmpty()) {
      throw new IllegalArgumentException(where + ": \"" + name + "\" must be a non-empty string");
    }
    return (String) v;
  }

  private static byte[] bytes(Map<?, ?> jwk, String name, String where) {
    String v = string(jwk, name, where);
    try {
      return Base64Url.decode(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": \"" + name + "\": " + e.getMessage(), e);
    }
  }
}
