package io.dsblocks.loadbalancer.internal.tls;

import io.dsblocks.loadbalancer.tls.TlsConfig;
import io.dsblocks.loadbalancer.tls.TlsConfig.CertificateFiles;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Reads a {@link TlsConfig}'s files (once per load, so the bytes fingerprinted are the bytes
 * parsed) and validates them into keys and chains.
 */
public final class TlsMaterial {
  private TlsMaterial() {}

  /**
   * The raw bytes of every file, in a fixed order, and a digest of them all.
   *
   * @param files the bytes, in {@link #read} order
   * @param fingerprint SHA-256 over all files, length-prefixed
   */
  public record Raw(List<byte[]> files, byte[] fingerprint) {}

  /**
   * A validated certificate and key.
   *
   * @param serverName SNI name, or {@code null} for the default
   * @param chainFile the chain's file
   * @param keyFile the key's file
   * @param key the private key
   * @param chain leaf first
   */
  public record Entry(
      String serverName,
      Path chainFile,
      Path keyFile,
      PrivateKey key,
      List<X509Certificate> chain) {
    /**
     * The chain as an array, as Netty wants it.
     *
     * @return a fresh array
     */
    public X509Certificate[] chainArray() {
      return chain.toArray(new X509Certificate[0]);
    }
  }

  /**
   * Everything a set of SSL contexts is built from.
   *
   * @param defaultEntry served without or for unknown SNI
   * @param sniEntries per server name
   * @param trusted CA certificates for client authentication (may be empty)
   * @param fingerprint of the raw files
   */
  public record Parsed(
      Entry defaultEntry,
      List<Entry> sniEntries,
      List<X509Certificate> trusted,
      byte[] fingerprint) {}

  /**
   * Reads every file of the config.
   *
   * @param config the config
   * @return the bytes and their fingerprint
   * @throws IllegalArgumentException if a file cannot be read
   */
  public static Raw read(TlsConfig config) {
    List<byte[]> files = new ArrayList<>();
    MessageDigest sha = sha256();
    for (CertificateFiles c : all(config)) {
      add(files, sha, Pem.read(c.certificateChain(), "certificate chain" + forName(c)));
      add(files, sha, Pem.read(c.privateKey(), "private key" + forName(c)));
    }
    for (Path ca : config.trustedClientCertificates()) {
      add(files, sha, Pem.read(ca, "trusted client CA"));
    }
    return new Raw(Collections.unmodifiableList(files), sha.digest());
  }

  private static void add(List<byte[]> files, MessageDigest sha, byte[] bytes) {
    // Length-prefix each file so moving bytes from one file to the next changes the fingerprint.
    int n = bytes.length;
    sha.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
    sha.update(bytes);
    files.add(bytes);
  }

  /**
   * Parses and checks the bytes returned by {@link #read}.
   *
   * @param config the config the bytes were read for
   * @param raw the bytes
   * @param now the time certificate validity is checked at
   * @return the validated material
   * @throws IllegalArgumentException naming the file and the problem
   */
  public static Parsed parse(TlsConfig config, Raw raw, Instant now) {
    List<CertificateFiles> all = all(config);
    int i = 0;
    List<Entry> entries = new ArrayList<>(all.size());
    for (CertificateFiles c : all) {
      byte[] chainBytes = raw.files().get(i++);
      byte[] keyBytes = raw.files().get(i++);
      X509Certificate[] chain =
          Pem.certificates(c.certificateChain(), chainBytes, "certificate chain" + forName(c));
      PrivateKey key = Pem.privateKey(c.privateKey(), keyBytes);
      CertificateChecks.requireOrdered(chain, c.certificateChain());
      CertificateChecks.requireKeyMatches(key, chain[0], c.certificateChain(), c.privateKey());
      CertificateChecks.requireCurrentlyValid(chain, now, c.certificateChain());
      entries.add(
          new Entry(c.serverName(), c.certificateChain(), c.privateKey(), key, List.of(chain)));
    }
    List<X509Certificate> trusted = new ArrayList<>();
    for (Path ca : config.trustedClientCertificates()) {
      trusted.addAll(List.of(Pem.certificates(ca, raw.files().get(i++), "trusted client CA")));
    }
    return new Parsed(
        entries.get(0),
        List.copyOf(entries.subList(1, entries.size())),
        List.copyOf(trusted),
        raw.fingerprint());
  }

  private static List<CertificateFiles> all(TlsConfig config) {
    List<CertificateFiles> all = new ArrayList<>(1 + config.sniCertificates().size());
    all.add(config.defaultCertificate());
    all.addAll(config.sniCertificates());
    return all;
  }

  private static String forName(CertificateFiles c) {
    return c.serverName() == null ? " (default)" : " (server name " + c.serverName() + ")";
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }
}
