package io.dsblocks.loadbalancer.tls;

import io.dsblocks.loadbalancer.LoadBalancerException;
import io.dsblocks.loadbalancer.internal.tls.Pem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * A certificate with its private key and issuer chain, as made by {@link SelfSignedCertificates}:
 * ready to be written as PEM files for {@link TlsConfig} or turned into a {@link KeyStore} for a
 * JDK client.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class IssuedCertificate {
  private final X509Certificate certificate;
  private final PrivateKey privateKey;
  private final List<X509Certificate> chain;

  IssuedCertificate(
      X509Certificate certificate, PrivateKey privateKey, List<X509Certificate> chain) {
    this.certificate = Objects.requireNonNull(certificate, "certificate");
    this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
    this.chain = List.copyOf(chain);
  }

  /**
   * The certificate.
   *
   * @return the leaf (or the root, for an authority's own certificate)
   */
  public X509Certificate certificate() {
    return certificate;
  }

  /**
   * The private key of {@link #certificate()}.
   *
   * @return the key
   */
  public PrivateKey privateKey() {
    return privateKey;
  }

  /**
   * The certificate followed by its issuers up to the root.
   *
   * @return an immutable list, leaf first
   */
  public List<X509Certificate> chain() {
    return chain;
  }

  /**
   * The certificate alone as PEM.
   *
   * @return one {@code CERTIFICATE} block
   */
  public String certificatePem() {
    return pem(certificate);
  }

  /**
   * The chain as PEM, leaf first: the content of a server's certificate chain file.
   *
   * @return one {@code CERTIFICATE} block per certificate
   */
  public String chainPem() {
    StringBuilder sb = new StringBuilder();
    for (X509Certificate c : chain) {
      sb.append(pem(c));
    }
    return sb.toString();
  }

  /**
   * The private key as unencrypted PKCS#8 PEM.
   *
   * @return one {@code PRIVATE KEY} block
   */
  public String privateKeyPem() {
    return Pem.encode("PRIVATE KEY", privateKey.getEncoded());
  }

  /**
   * Writes {@link #chainPem()} and {@link #privateKeyPem()} to two files. Each file is written to a
   * temporary sibling and moved into place atomically, so a process watching the files (such as
   * {@link TlsContextProvider#startPolling}) never reads half a file. The key file is made readable
   * by its owner only where the file system supports POSIX permissions.
   *
   * @param chainFile destination of the chain
   * @param keyFile destination of the key
   */
  public void writePem(Path chainFile, Path keyFile) {
    write(chainFile, chainPem(), false);
    write(keyFile, privateKeyPem(), true);
  }

  /**
   * A PKCS#12 key store holding the key and chain under alias {@code key}, e.g. for a JDK {@code
   * KeyManagerFactory} in an mTLS client.
   *
   * @param password protects the entry
   * @return a new in-memory key store
   */
  public KeyStore toKeyStore(char[] password) {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("key", privateKey, password, chain.toArray(new X509Certificate[0]));
      return ks;
    } catch (GeneralSecurityException | IOException e) {
      throw new LoadBalancerException("could not build a PKCS#12 key store", e);
    }
  }

  static void write(Path file, String content, boolean secret) {
    Path dir = file.toAbsolutePath().getParent();
    try {
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
      try {
        if (secret) {
          try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
          } catch (UnsupportedOperationException e) {
            // Not a POSIX file system; rely on the directory's protection.
          }
        }
        Files.writeString(tmp, content, StandardCharsets.US_ASCII);
        try {
          Files.move(
              tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new LoadBalancerException("could not write " + file + ": " + e, e);
    }
  }

  private static String pem(X509Certificate c) {
    try {
      return Pem.encode("CERTIFICATE", c.getEncoded());
    } catch (CertificateEncodingException e) {
      throw new LoadBalancerException(
          "could not encode certificate " + c.getSubjectX500Principal(), e);
    }
  }
}
