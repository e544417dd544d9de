package io.dsblocks.loadbalancer.internal.tls;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECParameterSpec;
import java.time.Instant;

/**
 * Checks a server's key and chain before they are handed to an SSL engine, because engines report
 * these mistakes late (at the first handshake) and vaguely ("no cipher suites in common").
 */
public final class CertificateChecks {
  private CertificateChecks() {}

  /**
   * Fails unless the private key belongs to the leaf certificate.
   *
   * @param key the private key
   * @param leaf the leaf certificate
   * @param certFile names the certificate file in the message
   * @param keyFile names the key file in the message
   */
  public static void requireKeyMatches(
      PrivateKey key, X509Certificate leaf, Path certFile, Path keyFile) {
    PublicKey pub = leaf.getPublicKey();
    String mismatch =
        "private key file "
            + keyFile
            + " does not match the certificate in "
            + certFile
            + " (subject "
            + leaf.getSubjectX500Principal().getName()
            + "): ";
    if (key instanceof RSAPrivateKey) {
      if (!(pub instanceof RSAPublicKey)) {
        throw new IllegalArgumentException(
            mismatch + "the key is RSA but the certificate's key is " + pub.getAlgorithm());
      }
      // The modulus identifies an RSA key pair; comparing it is exact and needs no signing.
      if (!((RSAPrivateKey) key).getModulus().equals(((RSAPublicKey) pub).getModulus())) {
        throw new IllegalArgumentException(mismatch + "the RSA moduli differ");
      }
      return;
    }
    if (key instanceof ECKey) {
      if (!(pub instanceof ECPublicKey)) {
        throw new IllegalArgumentException(
            mismatch + "the key is EC but the certificate's key is " + pub.getAlgorithm());
      }
      if (!sameCurve(((ECKey) key).getParams(), ((ECPublicKey) pub).getParams())) {
        throw new IllegalArgumentException(mismatch + "the keys are on different curves");
      }
      // PKCS#8 may omit an EC key's public point, so prove possession instead: sign, then verify
      // with the certificate's key.
      if (!signsFor(key, pub, "SHA256withECDSA")) {
        throw new IllegalArgumentException(mismatch + "the EC public keys differ");
      }
      return;
    }
    throw new IllegalArgumentException(
        "private key file " + keyFile + ": unsupported key algorithm " + key.getAlgorithm());
  }

  private static boolean sameCurve(ECParameterSpec a, ECParameterSpec b) {
    return a.getCurve().equals(b.getCurve())
        && a.getGenerator().equals(b.getGenerator())
        && a.getOrder().equals(b.getOrder());
  }

  private static boolean signsFor(PrivateKey key, PublicKey pub, String algorithm) {
    byte[] challenge = "dsblocks key/certificate match".getBytes(StandardCharsets.US_ASCII);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] sig = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(pub);
      verifier.update(challenge);
      return verifier.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /**
   * Fails if any certificate of the chain is expired or not yet valid at {@code now}. Rejecting
   * (rather than warning) is deliberate: clients refuse such a chain anyway, so serving it only
   * moves the failure to every handshake, and on reload it keeps the working old certificate.
   *
   * @param chain leaf first
   * @param now the current time
   * @param file names the file in the message
   */
  public static void requireCurrentlyValid(X509Certificate[] chain, Instant now, Path file) {
    for (int i = 0; i < chain.length; i++) {
      X509Certificate c = chain[i];
      String which =
          (i == 0 ? "certificate" : "chain certificate #" + (i + 1))
              + " in "
              + file
              + " (subject "
              + c.getSubjectX500Principal().getName()
              + ")";
      if (now.isAfter(c.getNotAfter().toInstant())) {
        throw new IllegalArgumentException(
            which + " expired at " + c.getNotAfter().toInstant() + " (now " + now + ")");
      }
      if (now.isBefore(c.getNotBefore().toInstant())) {
        throw new IllegalArgumentException(
            which + " is not valid before " + c.getNotBefore().toInstant() + " (now " + now + ")");
      }
    }
  }

  /**
   * Fails unless each certificate was issued by the next one (leaf first), because a chain in the
   * wrong order is a common copy-and-paste mistake that only some clients tolerate.
   *
   * @param chain the chain
   * @param file names the file in the message
   */
  public static void requireOrdered(X509Certificate[] chain, Path file) {
    for (int i = 0; i + 1 < chain.length; i++) {
      if (!chain[i].getIssuerX500Principal().equals(chain[i + 1].getSubjectX500Principal())) {
        throw new IllegalArgumentException(
            "certificate chain file "
                + file
                + " is out of order: certificate #"
                + (i + 1)
                + " was issued by '"
                + chain[i].getIssuerX500Principal().getName()
                + "' but certificate #"
                + (i + 2)
                + " is '"
                + chain[i + 1].getSubjectX500Principal().getName()
                + "' (put the leaf first, then each issuer)");
      }
    }
  }
}
