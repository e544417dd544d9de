package io.dsblocks.loadbalancer.auth;

import java.security.Principal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Who a request was authenticated as: a name, the scheme that established it ({@code jwt}, {@code
 * api-key}, {@code mtls}, {@code anonymous}) and claims (JWT claims, or what an API key or client
 * certificate was configured with). Route rules read roles and scopes from the claims.
 *
 * <p>Instances are immutable and thread-safe (claims are copied into unmodifiable maps; nested JSON
 * values from JWTs are unmodifiable too).
 */
public final class AuthPrincipal implements Principal {
  /** The principal of requests on routes that need no authentication. */
  public static final AuthPrincipal ANONYMOUS =
      new AuthPrincipal("anonymous", "anonymous", Map.of());

  private final String name;
  private final String scheme;
  private final Map<String, Object> claims;

  private AuthPrincipal(String name, String scheme, Map<String, Object> claims) {
    this.name = name;
    this.scheme = scheme;
    this.claims = claims;
  }

  /**
   * Creates a principal.
   *
   * @param name the identity, e.g. a JWT {@code sub}
   * @param scheme how it was established
   * @param claims attributes; values are strings, numbers, booleans, lists and maps
   * @return the principal
   */
  public static AuthPrincipal of(String name, String scheme, Map<String, ?> claims) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(claims, "claims");
    return new AuthPrincipal(
        name, scheme, Collections.unmodifiableMap(new LinkedHashMap<>(claims)));
  }

  /**
   * The identity.
   *
   * @return the name
   */
  @Override
  public String getName() {
    return name;
  }

  /**
   * The identity (same as {@link #getName()}).
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * How the identity was established.
   *
   * @return e.g. {@code jwt}, {@code api-key}, {@code mtls}, {@code anonymous}
   */
  public String scheme() {
    return scheme;
  }

  /**
   * All claims.
   *
   * @return an unmodifiable map
   */
  public Map<String, Object> claims() {
    return claims;
  }

  /**
   * One claim.
   *
   * @param name the claim name
   * @return its value, or {@code null}
   */
  public Object claim(String name) {
    return claims.get(name);
  }

  /**
   * A claim read as a set of strings: a JSON array of strings, or a space-separated string (as
   * OAuth's {@code scope} is). Anything else reads as empty.
   *
   * @param name the claim name, e.g. {@code roles} or {@code scope}
   * @return an unmodifiable set
   */
  public Set<String> claimAsSet(String name) {
    Object v = claims.get(name);
    Set<String> out = new LinkedHashSet<>();
    if (v instanceof String) {
      for (String s : ((String) v).split(" ")) {
        if (!s.isEmpty()) {
          out.add(s);
        }
      }
    } else if (v instanceof List) {
      for (Object o : (List<?>) v) {
        if (o instanceof String) {
          out.add((String) o);
        }
      }
    }
    return Collections.unmodifiableSet(out);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof AuthPrincipal)) {
      return false;
    }
    AuthPrincipal p = (AuthPrincipal) o;
    return name.equals(p.name) && scheme.equals(p.scheme) && claims.equals(p.claims);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, scheme, claims);
  }

  @Override
  public String toString() {
    return scheme + ":" + name;
  }
}
