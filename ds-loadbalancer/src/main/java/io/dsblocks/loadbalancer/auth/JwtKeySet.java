package io.dsblocks.loadbalancer.auth;

import io.dsblocks.loadbalancer.internal.auth.Jwks;
import io.dsblocks.loadbalancer.internal.auth.VerificationKey;
import io.dsblocks.loadbalancer.internal.tls.Pem;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The keys a {@link JwtAuthenticator} verifies tokens with, by key id ({@code kid}), changeable at
 * runtime for key rotation: publish a new key, let issuers sign with it, then {@link #remove} the
 * old one, after which tokens signed with it are rejected. A refreshed JWKS document can replace
 * the whole set in one step ({@link #replaceWithJwks}).
 *
 * <p>Each key's type fixes its algorithm ({@link JwsAlgorithm}): HMAC secrets (at least 32 bytes)
 * verify HS256, RSA keys (at least 2048 bits) RS256, P-256 EC keys ES256. Keys come from JDK
 * objects, PEM ({@code PUBLIC KEY} or {@code CERTIFICATE}) or JWKS JSON ({@code RSA}, {@code EC},
 * {@code oct} keys).
 *
 * <p>Thread-safe: verification reads an immutable snapshot without locking; updates replace the
 * snapshot under a lock, so a verification sees the set either before or after an update.
 */
public final class JwtKeySet {
  private final Object lock = new Object();
  private volatile Map<String, VerificationKey> keys = Map.of();

  private JwtKeySet() {}

  /**
   * An empty key set.
   *
   * @return a new set
   */
  public static JwtKeySet create() {
    return new JwtKeySet();
  }

  /**
   * A key set holding the usable keys of a JWKS document.
   *
   * @param json a JSON Web Key Set
   * @return a new set
   * @throws IllegalArgumentException if the document is malformed
   */
  public static JwtKeySet fromJwks(String json) {
    JwtKeySet set = new JwtKeySet();
    set.addJwks(json);
    return set;
  }

  /**
   * Adds or replaces an HS256 secret.
   *
   * @param kid the key id
   * @param secret at least 32 bytes (copied)
   * @return this set
   */
  public JwtKeySet addHmacSecret(String kid, byte[] secret) {
    Objects.requireNonNull(secret, "secret");
    put(List.of(VerificationKey.hmac(checkKid(kid), secret.clone())));
    return this;
  }

  /**
   * Adds or replaces an RSA (RS256) or P-256 EC (ES256) public key.
   *
   * @param kid the key id
   * @param key the public key
   * @return this set
   */
  public JwtKeySet addPublicKey(String kid, PublicKey key) {
    Objects.requireNonNull(key, "key");
    put(List.of(VerificationKey.publicKey(checkKid(kid), key)));
    return this;
  }

  /**
   * Adds or replaces a public key from PEM: a {@code PUBLIC KEY} block or a {@code CERTIFICATE}
   * (its key is used; its validity is not checked, as JWT verification does not involve it).
   *
   * @param kid the key id
   * @param pem the PEM text
   * @return this set
   */
  public JwtKeySet addPublicKeyPem(String kid, String pem) {
    Objects.requireNonNull(pem, "pem");
    return addPublicKey(kid, Pem.publicKey(pem, "public key for kid '" + kid + "'"));
  }

  /**
   * Adds (or replaces, by kid) the usable keys of a JWKS document; keys for encryption and
   * unsupported key types are skipped.
   *
   * @param json a JSON Web Key Set
   * @return the kids added
   */
  public List<String> addJwks(String json) {
    Objects.requireNonNull(json, "json");
    List<VerificationKey> parsed = Jwks.parse(json);
    put(parsed);
    List<String> kids = new ArrayList<>();
    for (VerificationKey k : parsed) {
      kids.add(k.kid());
    }
    return kids;
  }

  /**
   * Replaces the whole set with a JWKS document's keys, atomically: keys absent from the document
   * stop verifying at once.
   *
   * @param json a JSON Web Key Set
   * @return the kids now in the set
   */
  public List<String> replaceWithJwks(String json) {
    Objects.requireNonNull(json, "json");
    List<VerificationKey> parsed = Jwks.parse(json); // parse first: a bad document changes nothing
    Map<String, VerificationKey> next = new LinkedHashMap<>();
    for (VerificationKey k : parsed) {
      next.put(k.kid(), k);
    }
    synchronized (lock) {
      keys = Collections.unmodifiableMap(next);
    }
    return List.copyOf(next.keySet());
  }

  /**
   * Removes a key; tokens that name it are rejected from now on.
   *
   * @param kid the key id
   * @return whether it was present
   */
  public boolean remove(String kid) {
    synchronized (lock) {
      if (!keys.containsKey(kid)) {
        return false;
      }
      Map<String, VerificationKey> next = new LinkedHashMap<>(keys);
      next.remove(kid);
      keys = Collections.unmodifiableMap(next);
      return true;
    }
  }

  /**
   * The key ids in the set.
   *
   * @return an immutable snapshot
   */
  public Set<String> kids() {
    return Set.copyOf(keys.keySet());
  }

  /**
   * The algorithm of a key.
   *
   * @param kid the key id
   * @return its algorithm, or empty if absent
   */
  public Optional<JwsAlgorithm> algorithmOf(String kid) {
    VerificationKey k = keys.get(kid);
    return k == null ? Optional.empty() : Optional.of(k.algorithm());
  }

  /**
   * How many keys the set holds.
   *
   * @return the count
   */
  public int size() {
    return keys.size();
  }

  // Package-private: the verifier's view of the current snapshot.
  Map<String, VerificationKey> snapshot() {
    return keys;
  }

  private void put(List<VerificationKey> add) {
    synchronized (lock) {
      Map<String, VerificationKey> next = new LinkedHashMap<>(keys);
      for (VerificationKey k : add) {
        next.put(k.kid(), k);
      }
      keys = Collections.unmodifiableMap(next);
    }
  }

  private static String checkKid(String kid) {
    if (kid == null || kid.isEmpty() || kid.length() > 256) {
      throw new IllegalArgumentException("kid must be 1 to 256 characters, got '" + kid + "'");
    }
    return kid;
  }
}
