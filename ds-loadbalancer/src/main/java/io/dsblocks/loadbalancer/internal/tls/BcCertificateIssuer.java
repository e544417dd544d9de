package io.dsblocks.loadbalancer.internal.tls;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The only class that touches Bouncy Castle (an optional dependency): it builds and signs X.509 v3
 * certificates. Signing and conversion use the JDK's own providers; Bouncy Castle only encodes.
 */
public final class BcCertificateIssuer {
  private BcCertificateIssuer() {}

  /**
   * What to put in a certificate.
   *
   * @param subject the subject DN
   * @param subjectKey the subject's public key
   * @param issuer the issuer's DN (the subject for a self-signed root)
   * @param issuerKey the key that signs
   * @param issuerPublicKey the issuer's public key, for the authority key identifier
   * @param serial the serial number
   * @param notBefore start of validity
   * @param notAfter end of validity
   * @param ca whether the subject is a CA
   * @param serverAuth add the TLS server extended key usage
   * @param clientAuth add the TLS client extended key usage
   * @param dnsNames DNS subject alternative names
   * @param ipAddresses IP subject alternative names
   * @param uris URI subject alternative names
   * @param emails e-mail (rfc822Name) subject alternative names
   */
  public record Spec(
      X500Principal subject,
      PublicKey subjectKey,
      X500Principal issuer,
      PrivateKey issuerKey,
      PublicKey issuerPublicKey,
      BigInteger serial,
      Instant notBefore,
      Instant notAfter,
      boolean ca,
      boolean serverAuth,
      boolean clientAuth,
      List<String> dnsNames,
      List<String> ipAddresses,
      List<String> uris,
      List<String> emails) {}

  /**
   * Builds and signs a certificate.
   *
   * @param spec its content
   * @return the certificate
   */
  public static X509Certificate issue(Spec spec) {
    try {
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              spec.issuer(),
              spec.serial(),
              Date.from(spec.notBefore()),
              Date.from(spec.notAfter()),
              spec.subject(),
              spec.subjectKey());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(
          Extension.basicConstraints,
          true,
          spec.ca() ? new BasicConstraints(0) : new BasicConstraints(false));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(spec.subjectKey()));
      b.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          ext.createAuthorityKeyIdentifier(spec.issuerPublicKey()));
      if (spec.ca()) {
        b.addExtension(
            Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      } else {
        // keyEncipherment matters only to RSA key exchange (TLS 1.2 without ECDHE); harmless on EC.
        int usage = KeyUsage.digitalSignature;
        if ("RSA".equals(spec.subjectKey().getAlgorithm())) {
          usage |= KeyUsage.keyEncipherment;
        }
        b.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
        List<KeyPurposeId> purposes = new ArrayList<>();
        if (spec.serverAuth()) {
          purposes.add(KeyPurposeId.id_kp_serverAuth);
        }
        if (spec.clientAuth()) {
          purposes.add(KeyPurposeId.id_kp_clientAuth);
        }
        if (!purposes.isEmpty()) {
          b.addExtension(
              Extension.extendedKeyUsage,
              false,
              new ExtendedKeyUsage(purposes.toArray(new KeyPurposeId[0])));
        }
      }
      List<GeneralName> sans = new ArrayList<>();
      for (String dns : spec.dnsNames()) {
        sans.add(new GeneralName(GeneralName.dNSName, dns));
      }
      for (String ip : spec.ipAddresses()) {
        sans.add(new GeneralName(GeneralName.iPAddress, ip));
      }
      for (String uri : spec.uris()) {
        sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
      }
      for (String email : spec.emails()) {
        sans.add(new GeneralName(GeneralName.rfc822Name, email));
      }
      if (!sans.isEmpty()) {
        b.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(sans.toArray(new GeneralName[0])));
      }
      String alg =
          "RSA".equals(spec.issuerKey().getAlgorithm()) ? "SHA256withRSA" : "SHA256withECDSA";
      ContentSigner signer = new JcaContentSignerBuilder(alg).build(spec.issuerKey());
      return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    } catch (CertIOException | OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException("could not issue certificate for " + spec.subject(), e);
    }
  }
}
