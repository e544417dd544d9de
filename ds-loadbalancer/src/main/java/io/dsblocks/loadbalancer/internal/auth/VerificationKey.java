package io.dsblocks.loadbalancer.internal.auth;

import io.dsblocks.loadbalancer.auth.JwsAlgorithm;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One JWT verification key with the single algorithm its type allows. Immutable and thread-safe
 * (JCA engines are created per call: they are not thread-safe, and creating one costs about a
 * microsecond, small next to the signature check itself).
 */
public final class VerificationKey {
  private static final int P256_FIELD_BYTES = 32;

  private final String kid;
  private final JwsAlgorithm algorithm;
  private final Key key;

  private VerificationKey(String kid, JwsAlgorithm algorithm, Key key) {
    this.kid = kid;
    this.algorithm = algorithm;
    this.key = key;
  }

  /**
   * An HS256 key.
   *
   * @param kid the key id
   * @param secret at least 32 bytes
   * @return the key
   */
  public static VerificationKey hmac(String kid, byte[] secret) {
    if (secret.length < 32) {
      throw new IllegalArgumentException(
          "HMAC secret for kid '"
              + kid
              + "' is "
              + secret.length
              + " bytes; HS256 needs at least 32 (RFC 7518 §3.2)");
    }
    return new VerificationKey(kid, JwsAlgorithm.HS256, new SecretKeySpec(secret, "HmacSHA256"));
  }

  /**
   * An RS256 or ES256 key, by key type.
   *
   * @param kid the key id
   * @param key an RSA key of at least 2048 bits or an EC key on P-256
   * @return the key
   */
  public static VerificationKey publicKey(String kid, PublicKey key) {
    if (key instanceof RSAPublicKey) {
      int bits = ((RSAPublicKey) key).getModulus().bitLength();
      if (bits < 2048) {
        throw new IllegalArgumentException(
            "RSA key for kid '" + kid + "' has " + bits + " bits; RS256 needs at least 2048");
      }
      return new VerificationKey(kid, JwsAlgorithm.RS256, key);
    }
    if (key instanceof ECPublicKey) {
      ECPublicKey ec = (ECPublicKey) key;
      if (!isP256(ec.getParams())) {
        throw new IllegalArgumentException(
            "EC key for kid '" + kid + "' is not on P-256; only ES256 is supported");
      }
      if (!onCurve(ec.getW(), ec.getParams())) {
        throw new IllegalArgumentException("EC key for kid '" + kid + "' is not on its curve");
      }
      return new VerificationKey(kid, JwsAlgorithm.ES256, key);
    }
    throw new IllegalArgumentException(
        "key for kid '" + kid + "' is " + key.getAlgorithm() + "; expected RSA or EC P-256");
  }

  private static boolean isP256(ECParameterSpec p) {
    ECParameterSpec ref = Jwks.p256();
    return p.getCurve().equals(ref.getCurve())
        && p.getGenerator().equals(ref.getGenerator())
        && p.getOrder().equals(ref.getOrder());
  }

  /**
   * Whether a point satisfies y² = x³ + ax + b (mod p), so a key made from untrusted coordinates (a
   * JWKS) is a real curve point.
   *
   * @param w the point
   * @param params the curve
   * @return true if on the curve
   */
  static boolean onCurve(ECPoint w, ECParameterSpec params) {
    if (w.equals(ECPoint.POINT_INFINITY)) {
      return false;
    }
    BigInteger p = ((ECFieldFp) params.getCurve().getField()).getP();
    BigInteger x = w.getAffineX();
    BigInteger y = w.getAffineY();
    if (x.signum() < 0 || y.signum() < 0 || x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
      return false;
    }
    BigInteger lhs = y.multiply(y).mod(p);
    BigInteger rhs =
        x.pow(3).add(params.getCurve().getA().multiply(x)).add(params.getCurve().getB()).mod(p);
    return lhs.equals(rhs);
  }

  /**
   * The key id.
   *
   * @return the kid
   */
  public String kid() {
    return kid;
  }

  /**
   * The only algorithm this key verifies.
   *
   * @return the algorithm
   */
  public JwsAlgorithm algorithm() {
    return algorithm;
  }

  /**
   * Verifies a JWS signature.
   *
   * @param signingInput the ASCII bytes of {@code header.payload}
   * @param signature the decoded signature
   * @return whether it is valid
   */
  public boolean verify(byte[] signingInput, byte[] signature) {
    try {
      switch (algorithm) {
        case HS256:
          {
            Mac mac = Mac.getInstance(algorithm.jdkName());
            mac.init(key);
            return MessageDigest.isEqual(mac.doFinal(signingInput), signature);
          }
        case RS256:
          {
            // PKCS#1 v1.5 signatures are exactly the modulus length; reject others before the JDK.
            int len = (((RSAPublicKey) key).getModulus().bitLength() + 7) / 8;
            if (signature.length != len) {
              return false;
            }
            return jdkVerify(signingInput, signature);
          }
        case ES256:
          {
            if (signature.length != 2 * P256_FIELD_BYTES || !rangeOk(signature)) {
              return false;
            }
            return jdkVerify(signingInput, EcdsaSignatures.rawToDer(signature, P256_FIELD_BYTES));
          }
        default:
          return false;
      }
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Requires 0 &lt; r, s &lt; n. The JDK checks this too since CVE-2022-21449 ("psychic
   * signatures": r = s = 0 verified anything on JDK 15-18 before April 2022); checking here keeps
   * an unpatched runtime safe.
   */
  private boolean rangeOk(byte[] raw) {
    BigInteger n = ((ECPublicKey) key).getParams().getOrder();
    BigInteger r = new BigInteger(1, Arrays.copyOfRange(raw, 0, P256_FIELD_BYTES));
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(raw, P256_FIELD_BYTES, raw.length));
    return r.signum() > 0 && s.signum() > 0 && r.compareTo(n) < 0 && s.compareTo(n) < 0;
  }

  private boolean jdkVerify(byte[] signingInput, byte[] signature) throws GeneralSecurityException {
    Signature v = Signature.getInstance(algorithm.jdkName());
    v.initVerify((PublicKey) key);
    v.update(signingInput);
    return v.verify(signature);
  }
}
