package io.dsblocks.loadbalancer.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Authenticates requests by an API key in a header ({@code X-API-Key} by default).
 *
 * <p>Keys are never stored: only their SHA-256 digests are, so a heap dump or a config file leaks
 * no usable key, and configs can hold digests ({@link Builder#keyHash}) produced with e.g. {@code
 * printf %s "$KEY" | sha256sum}. Lookup indexes the first 8 digest bytes and confirms the full
 * digest with {@link MessageDigest#isEqual} (constant time): any timing difference depends on the
 * digest of the presented key, which tells an attacker nothing about a valid key.
 *
 * <p>Keys can be added and removed at runtime (rotation: add the new key, move clients, remove the
 * old one). Outcomes: no header → {@link AuthResult.Outcome#NO_CREDENTIALS}; unknown key, several
 * values or an oversized value → 401; known key → allowed as {@code api-key:<principal>} with claim
 * {@code roles}.
 *
 * <p>Thread-safe: lookups read an immutable snapshot without locking; updates copy it under a lock.
 */
public final class ApiKeyAuthenticator implements Authenticator {
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");
  private static final int MIN_KEY_LENGTH = 16;
  private static final int MAX_KEY_LENGTH = 1024;

  private record KeyEntry(byte[] digest, AuthPrincipal principal) {}

  private final String headerName;
  private final String challenge;
  private final Object lock = new Object();
  private volatile Map<Long, KeyEntry[]> index;

  private ApiKeyAuthenticator(Builder b) {
    this.headerName = b.headerName;
    this.challenge = "ApiKey header=\"" + headerName + "\"";
    this.index = Map.of();
    for (KeyEntry e : b.entries) {
      put(e);
    }
  }

  /**
   * A builder; the header defaults to {@code X-API-Key}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public AuthResult authenticate(AuthRequest request) {
    List<String> values = request.headers().all(headerName);
    if (values.isEmpty()) {
      return AuthResult.noCredentials("no " + headerName + " header", challenge);
    }
    if (values.size() > 1) {
      return AuthResult.deny(401, "more than one " + headerName + " header", challenge);
    }
    String key = values.get(0).trim();
    if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
      return AuthResult.deny(401, "malformed API key", challenge);
    }
    byte[] digest = sha256(key);
    KeyEntry[] candidates = index.get(prefix(digest));
    if (candidates != null) {
      for (KeyEntry e : candidates) {
        if (MessageDigest.isEqual(digest, e.digest())) {
          return AuthResult.allow(e.principal());
        }
      }
    }
    return AuthResult.deny(401, "unknown API key", challenge);
  }

  /**
   * Adds a key at runtime (replacing the principal of an identical key).
   *
   * @param key the raw key, at least 16 characters
   * @param principal who presents it
   * @param roles roles granted (claim {@code roles})
   */
  public void addKey(String key, String principal, String... roles) {
    put(entry(digestOfKey(key), principal, roles));
  }

  /**
   * Adds a key by its SHA-256 digest at runtime.
   *
   * @param sha256Hex 64 hex digits: SHA-256 of the key's UTF-8 bytes
   * @param principal who presents it
   * @param roles roles granted
   */
  public void addKeyHash(String sha256Hex, String principal, String... roles) {
    put(entry(digestOfHex(sha256Hex), principal, roles));
  }

  /**
   * Removes a key; requests presenting it are rejected from now on.
   *
   * @param key the raw key
   * @return whether it was present
   */
  public boolean removeKey(String key) {
    Objects.requireNonNull(key, "key");
    return remove(sha256(key));
  }

  /**
   * Removes a key by its digest.
   *
   * @param sha256Hex 64 hex digits
   * @return whether it was present
   */
  public boolean removeKeyHash(String sha256Hex) {
    return remove(digestOfHex(sha256Hex));
  }

  /**
   * How many keys are configured.
   *
   * @return the count
   */
  public int size() {
    int n = 0;
    for (KeyEntry[] es : index.values()) {
      n += es.length;
    }
    return n;
  }

  /**
   * The header the key is read from.
   *
   * @return the header name
   */
  public String headerName() {
    return headerName;
  }

  private void put(KeyEntry e) {
    synchronized (lock) {
      Map<Long, KeyEntry[]> next = new HashMap<>(index);
      long p = prefix(e.digest());
      List<KeyEntry> list = new ArrayList<>();
      for (KeyEntry old : next.getOrDefault(p, new KeyEntry[0])) {
        if (!MessageDigest.isEqual(old.digest(), e.digest())) {
          list.add(old);
        }
      }
      list.add(e);
      next.put(p, list.toArray(new KeyEntry[0]));
      index = Map.copyOf(next);
    }
  }

  private boolean remove(byte[] digest) {
    synchronized (lock) {
      long p = prefix(digest);
      KeyEntry[] es = index.get(p);
      if (es == null) {
        return false;
      }
      List<KeyEntry> list = new ArrayList<>();
      for (KeyEntry old : es) {
        if (!MessageDigest.isEqual(old.digest(), digest)) {
          list.add(old);
        }
      }
      if (list.size() == es.length) {
        return false;
      }
      Map<Long, KeyEntry[]> next = new HashMap<>(index);
      if (list.isEmpty()) {
        next.remove(p);
      } else {
        next.put(p, list.toArray(new KeyEntry[0]));
      }
      index = Map.copyOf(next);
      return true;
    }
  }

  private static KeyEntry entry(byte[] digest, String principal, String... roles) {
    if (principal == null || principal.isBlank()) {
      throw new IllegalArgumentException("principal must be non-blank, got '" + principal + "'");
    }
    List<String> roleList = List.of(roles);
    Map<String, Object> claims = roleList.isEmpty() ? Map.of() : Map.of("roles", roleList);
    return new KeyEntry(digest, AuthPrincipal.of(principal, "api-key", claims));
  }

  private static byte[] digestOfKey(String key) {
    Objects.requireNonNull(key, "key");
    if (key.length() < MIN_KEY_LENGTH || key.length() > MAX_KEY_LENGTH) {
      // Never echo the key itself: the message may end up in a log.
      throw new IllegalArgumentException(
          "API key length is "
              + key.length()
              + "; allowed: "
              + MIN_KEY_LENGTH
              + " to "
              + MAX_KEY_LENGTH
              + " characters (short keys are guessable)");
    }
    if (!key.equals(key.trim())) {
      throw new IllegalArgumentException(
          "API key has leading or trailing whitespace, which requests can never carry");
    }
    return sha256(key);
  }

  private static byte[] digestOfHex(String hex) {
    if (hex == null || !SHA256_HEX.matcher(hex).matches()) {
      throw new IllegalArgumentException(
          "key hash must be 64 hex digits (SHA-256 of the key), got '" + hex + "'");
    }
    return HexFormat.of().parseHex(hex);
  }

  private static long prefix(byte[] digest) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (digest[i] & 0xff);
    }
    return v;
  }

  private static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  /**
   * Computes the digest {@link Builder#keyHash} and {@link #addKeyHash} expect.
   *
   * @param key the raw key
   * @return 64 lowercase hex digits
   */
  public static String hashKey(String key) {
    return HexFormat.of().formatHex(sha256(Objects.requireNonNull(key, "key")));
  }

  /** Builds an {@link ApiKeyAuthenticator}. Not thread-safe. */
  public static final class Builder {
    private String headerName = "X-API-Key";
    private final List<KeyEntry> entries = new ArrayList<>();

    private Builder() {}

    /**
     * Sets the header that carries the key.
     *
     * @param headerName an HTTP header name
     * @return this builder
     */
    public Builder headerName(String headerName) {
      if (headerName == null || !TOKEN.matcher(headerName).matches()) {
        throw new IllegalArgumentException(
            "headerName must be an HTTP token (letters, digits, -), got '" + headerName + "'");
      }
      this.headerName = headerName;
      return this;
    }

    /**
     * Adds a key.
     *
     * @param key the raw key, 16 to 1024 characters
     * @param principal who presents it
     * @param roles roles granted
     * @return this builder
     */
    public Builder key(String key, String principal, String... roles) {
      entries.add(entry(digestOfKey(key), principal, roles));
      return this;
    }

    /**
     * Adds a key by its SHA-256 digest (see {@link ApiKeyAuthenticator#hashKey}).
     *
     * @param sha256Hex 64 hex digits
     * @param principal who presents it
     * @param roles roles granted
     * @return this builder
     */
    public Builder keyHash(String sha256Hex, String principal, String... roles) {
      entries.add(entry(digestOfHex(sha256Hex), principal, roles));
      return this;
    }

    /**
     * Builds the authenticator (keys can still be added and removed later).
     *
     * @return the authenticator
     */
    public ApiKeyAuthenticator build() {
      return new ApiKeyAuthenticator(this);
    }
  }
}
