package io.dsblocks.loadbalancer.internal.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Reads and writes PEM files with the JDK alone (no Bouncy Castle), so TLS termination works on a
 * production classpath without optional dependencies. Every error is an {@link
 * IllegalArgumentException} naming the file and the problem, because these run while a config is
 * being validated.
 */
public final class Pem {
  /**
   * One decoded PEM block: its label ({@code CERTIFICATE}, {@code PRIVATE KEY}...) and DER bytes.
   */
  public record Block(String label, byte[] der) {}

  private static final String BEGIN = "-----BEGIN ";
  private static final String END = "-----END ";
  private static final String DASHES = "-----";

  private Pem() {}

  /**
   * Reads a whole file, turning I/O failures into a message a person can act on.
   *
   * @param file the file
   * @param what what the file is meant to hold, for the message (e.g. "certificate chain")
   * @return the bytes
   */
  public static byte[] read(Path file, String what) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(what + " file " + file + " cannot be read: no such file");
    } catch (AccessDeniedException e) {
      throw new IllegalArgumentException(
          what + " file " + file + " cannot be read: permission denied");
    } catch (IOException e) {
      throw new IllegalArgumentException(what + " file " + file + " cannot be read: " + e, e);
    }
  }

  /**
   * Splits PEM text into blocks. Text outside blocks (comments such as OpenSSL's "Bag Attributes")
   * is ignored, as OpenSSL does.
   *
   * @param pem the file's bytes
   * @param source names the file in messages
   * @return the blocks in file order
   */
  public static List<Block> blocks(byte[] pem, String source) {
    String text = new String(pem, StandardCharsets.US_ASCII);
    List<Block> out = new ArrayList<>();
    int from = 0;
    while (true) {
      int begin = text.indexOf(BEGIN, from);
      if (begin < 0) {
        return out;
      }
      int labelEnd = text.indexOf(DASHES, begin + BEGIN.length());
      if (labelEnd < 0) {
        throw new IllegalArgumentException(source + ": unterminated PEM header");
      }
      String label = text.substring(begin + BEGIN.length(), labelEnd);
      String endMarker = END + label + DASHES;
      int end = text.indexOf(endMarker, labelEnd);
      if (end < 0) {
        throw new IllegalArgumentException(
            source + ": PEM block '" + label + "' has no '" + endMarker + "' line");
      }
      String body = text.substring(labelEnd + DASHES.length(), end);
      if (body.indexOf(':') >= 0) {
        // RFC 1421 headers (Proc-Type/DEK-Info) mean a legacy encrypted key.
        throw new IllegalArgumentException(
            source
                + ": PEM block '"
                + label
                + "' is encrypted (legacy Proc-Type header); decrypt it with"
                + " 'openssl pkcs8 -topk8 -nocrypt' and protect the file with permissions");
      }
      try {
        out.add(new Block(label, Base64.getMimeDecoder().decode(body)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            source + ": PEM block '" + label + "' is not valid base64: " + e.getMessage(), e);
      }
      from = end + endMarker.length();
    }
  }

  /**
   * Parses every {@code CERTIFICATE} block of a file.
   *
   * @param file the file, for messages
   * @param pem its bytes
   * @param what what the file is meant to hold, for messages
   * @return the certificates in file order, never empty
   */
  public static X509Certificate[] certificates(Path file, byte[] pem, String what) {
    String source = what + " file " + file;
    List<Block> blocks = blocks(pem, source);
    List<X509Certificate> certs = new ArrayList<>();
    boolean sawKey = false;
    for (Block b : blocks) {
      if (b.label().equals("CERTIFICATE") || b.label().equals("TRUSTED CERTIFICATE")) {
        certs.add(parseCertificate(b.der(), source + ", certificate #" + (certs.size() + 1)));
      } else if (b.label().endsWith("PRIVATE KEY")) {
        sawKey = true;
      }
    }
    if (certs.isEmpty()) {
      String hint =
          sawKey
              ? " (it holds a private key: are the certificate and key paths swapped?)"
              : " (expected '-----BEGIN CERTIFICATE-----' blocks)";
      throw new IllegalArgumentException(source + " is not a PEM certificate" + hint);
    }
    return certs.toArray(new X509Certificate[0]);
  }

  /**
   * Parses one DER certificate.
   *
   * @param der the encoding
   * @param source names it in messages
   * @return the certificate
   */
  public static X509Certificate parseCertificate(byte[] der, String source) {
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      return (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException e) {
      throw new IllegalArgumentException(
          source + " is not a valid X.509 certificate: " + e.getMessage(), e);
    }
  }

  /**
   * Parses the single unencrypted PKCS#8 private key (RSA or EC) of a file.
   *
   * @param file the file, for messages
   * @param pem its bytes
   * @return the key
   */
  public static PrivateKey privateKey(Path file, byte[] pem) {
    String source = "private key file " + file;
    List<Block> keys = new ArrayList<>();
    boolean sawCert = false;
    for (Block b : blocks(pem, source)) {
      switch (b.label()) {
        case "PRIVATE KEY":
          keys.add(b);
          break;
        case "RSA PRIVATE KEY":
        case "EC PRIVATE KEY":
          // PKCS#1 / SEC1 need an ASN.1 parser the JDK does not expose; converting is one command.
          throw new IllegalArgumentException(
              source
                  + " holds a '"
                  + b.label()
                  + "' (PKCS#1/SEC1) key; only PKCS#8 is supported: convert it with"
                  + " 'openssl pkcs8 -topk8 -nocrypt -in "
                  + file
                  + " -out key.pk8.pem'");
        case "ENCRYPTED PRIVATE KEY":
          throw new IllegalArgumentException(
              source
                  + " holds an encrypted PKCS#8 key, which is not supported: decrypt it with"
                  + " 'openssl pkcs8 -nocrypt' and protect the file with permissions instead");
        case "CERTIFICATE":
          sawCert = true;
          break;
        default:
          break;
      }
    }
    if (keys.isEmpty()) {
      String hint =
          sawCert
              ? " (it holds a certificate: are the certificate and key paths swapped?)"
              : " (expected one '-----BEGIN PRIVATE KEY-----' block)";
      throw new IllegalArgumentException(source + " holds no PKCS#8 private key" + hint);
    }
    if (keys.size() > 1) {
      throw new IllegalArgumentException(
          source + " holds " + keys.size() + " private keys; exactly one is allowed");
    }
    return pkcs8(keys.get(0).der(), source);
  }

  private static PrivateKey pkcs8(byte[] der, String source) {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    // PKCS#8 names its algorithm inside; trying the two TLS key types is simpler than parsing it.
    for (String alg : new String[] {"RSA", "EC"}) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new IllegalArgumentException(
        source + " holds a PKCS#8 key that is neither a valid RSA nor a valid EC key");
  }

  /**
   * Parses a SubjectPublicKeyInfo ({@code PUBLIC KEY}) block or takes the public key of the first
   * {@code CERTIFICATE} block.
   *
   * @param pem PEM text
   * @param source names it in messages
   * @return the RSA or EC public key
   */
  public static PublicKey publicKey(String pem, String source) {
    for (Block b : blocks(pem.getBytes(StandardCharsets.US_ASCII), source)) {
      if (b.label().equals("PUBLIC KEY")) {
        X509EncodedKeySpec spec = new X509EncodedKeySpec(b.der());
        for (String alg : new String[] {"RSA", "EC"}) {
          try {
            return KeyFactory.getInstance(alg).generatePublic(spec);
          } catch (GeneralSecurityException e) {
            // try the next algorithm
          }
        }
        throw new IllegalArgumentException(source + ": PUBLIC KEY is neither RSA nor EC");
      }
      if (b.label().equals("CERTIFICATE")) {
        return parseCertificate(b.der(), source).getPublicKey();
      }
    }
    throw new IllegalArgumentException(
        source + ": no '-----BEGIN PUBLIC KEY-----' or '-----BEGIN CERTIFICATE-----' block");
  }

  /**
   * Encodes DER bytes as one PEM block with 64-character lines (RFC 7468).
   *
   * @param label the block label
   * @param der the bytes
   * @return the PEM text, ending with a newline
   */
  public static String encode(String label, byte[] der) {
    String b64 = Base64.getEncoder().encodeToString(der);
    StringBuilder sb = new StringBuilder(b64.length() + 80);
    sb.append(BEGIN).append(label).append(DASHES).append('\n');
    for (int i = 0; i < b64.length(); i += 64) {
      sb.append(b64, i, Math.min(b64.length(), i + 64)).append('\n');
    }
    sb.append(END).append(label).append(DASHES).append('\n');
    return sb.toString();
  }
}
