package io.dsblocks.loadbalancer.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Route-level auth rules: picks an {@link AuthPolicy} by host and path prefix, for proxies (or
 * configs) that keep auth rules apart from routing. A proxy whose routes already carry a policy can
 * call {@link AuthPolicy#evaluate} directly instead.
 *
 * <pre>{@code
 * AuthRules rules = AuthRules.builder()
 *     .route("/health", AuthPolicy.anonymous())
 *     .route("/api/", apiPolicy)
 *     .route("admin.example.com", "/", adminPolicy)
 *     .build();                       // unmatched requests: denied (403)
 * AuthResult r = rules.evaluate(request);
 * }</pre>
 *
 * <p>Matching: a rule with a host (exact, or {@code *.example.com} for one label) beats one
 * without, an exact host beats a wildcard, then the longest path prefix wins. Prefixes match whole
 * segments: {@code /api} matches {@code /api} and {@code /api/x}, not {@code /apix}; a prefix
 * ending in {@code /} matches everything below it. The query string is ignored. Host comparison
 * ignores case, the port and a trailing dot. Unmatched requests get {@link Builder#defaultPolicy}
 * (default {@link AuthPolicy#denyAll()}: fail closed).
 *
 * <p>Paths must be the ones the proxy routes and forwards. Because a prefix rule is only as good as
 * the path it sees, a path a backend might read differently — with {@code .}/{@code ..} segments,
 * empty segments ({@code //}), backslashes, or percent-encoded {@code /}, {@code \} or {@code .} —
 * is denied with 403 rather than guessed at; normalize paths before evaluating to avoid this.
 *
 * <p>Rules are checked in a linear scan (route tables are small). Immutable and thread-safe if the
 * policies are.
 */
public final class AuthRules {
  private record Rule(String host, boolean wildcard, String prefix, AuthPolicy policy) {}

  private final List<Rule> rules;
  private final AuthPolicy defaultPolicy;

  private AuthRules(Builder b) {
    this.rules = List.copyOf(b.rules);
    this.defaultPolicy = b.defaultPolicy;
  }

  /**
   * A builder with a deny-all default.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Evaluates the policy of the request's route.
   *
   * @param request the request
   * @return the policy's result, or 403 for an ambiguous path
   */
  public AuthResult evaluate(AuthRequest request) {
    String path = stripQuery(request.path());
    if (isAmbiguous(path)) {
      return AuthResult.deny(403, "ambiguous request path", null);
    }
    return match(request.host(), path).evaluate(request);
  }

  /**
   * The policy that applies to a host and path (without the ambiguity check).
   *
   * @param host the Host header value, or {@code null}
   * @param path the request path
   * @return the matching policy, or the default
   */
  public AuthPolicy policyFor(String host, String path) {
    return match(host, stripQuery(path));
  }

  private AuthPolicy match(String rawHost, String path) {
    String host = normalizeHost(rawHost);
    Rule best = null;
    int bestRank = -1;
    for (Rule r : rules) {
      int hostRank;
      if (r.host() == null) {
        hostRank = 0;
      } else if (host == null) {
        continue;
      } else if (r.wildcard()) {
        int dot = host.indexOf('.');
        if (dot <= 0 || !host.substring(dot + 1).equals(r.host())) {
          continue;
        }
        hostRank = 1;
      } else if (r.host().equals(host)) {
        hostRank = 2;
      } else {
        continue;
      }
      if (!prefixMatches(r.prefix(), path)) {
        continue;
      }
      // Host specificity first, then prefix length; 1 << 20 exceeds any prefix length we accept.
      int rank = (hostRank << 20) + r.prefix().length();
      if (rank > bestRank) {
        bestRank = rank;
        best = r;
      }
    }
    return best == null ? defaultPolicy : best.policy();
  }

  private static boolean prefixMatches(String prefix, String path) {
    if (!path.startsWith(prefix)) {
      return false;
    }
    return prefix.endsWith("/")
        || path.length() == prefix.length()
        || path.charAt(prefix.length()) == '/';
  }

  private static String stripQuery(String path) {
    int q = path.indexOf('?');
    int h = path.indexOf('#');
    int end = path.length();
    if (q >= 0) {
      end = q;
    }
    if (h >= 0 && h < end) {
      end = h;
    }
    return path.substring(0, end);
  }

  static boolean isAmbiguous(String path) {
    if (!path.startsWith("/") || path.indexOf('\\') >= 0) {
      return true;
    }
    String lower = path.toLowerCase(Locale.ROOT);
    if (lower.contains("%2f") || lower.contains("%5c") || lower.contains("%2e")) {
      return true;
    }
    int start = 1;
    while (start <= path.length()) {
      int end = path.indexOf('/', start);
      if (end < 0) {
        end = path.length();
      }
      String seg = path.substring(start, end);
      boolean last = end == path.length();
      if (seg.equals(".") || seg.equals("..") || (seg.isEmpty() && !last)) {
        return true;
      }
      start = end + 1;
    }
    return false;
  }

  private static String normalizeHost(String host) {
    if (host == null || host.isEmpty()) {
      return null;
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int close = h.indexOf(']');
      return close < 0 ? h : h.substring(0, close + 1);
    }
    int colon = h.indexOf(':');
    if (colon >= 0) {
      h = h.substring(0, colon);
    }
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    return h;
  }

  /** Builds {@link AuthRules}. Not thread-safe. */
  public static final class Builder {
    private final List<Rule> rules = new ArrayList<>();
    private AuthPolicy defaultPolicy = AuthPolicy.denyAll();

    private Builder() {}

    /**
     * Adds a rule for any host.
     *
     * @param pathPrefix starts with {@code /}
     * @param policy the policy
     * @return this builder
     */
    public Builder route(String pathPrefix, AuthPolicy policy) {
      return add(null, pathPrefix, policy);
    }

    /**
     * Adds a rule for a host.
     *
     * @param host exact host or {@code *.domain}
     * @param pathPrefix starts with {@code /}
     * @param policy the policy
     * @return this builder
     */
    public Builder route(String host, String pathPrefix, AuthPolicy policy) {
      Objects.requireNonNull(host, "host");
      return add(host, pathPrefix, policy);
    }

    /**
     * Sets the policy for requests no rule matches (default {@link AuthPolicy#denyAll()}).
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder defaultPolicy(AuthPolicy policy) {
      this.defaultPolicy = Objects.requireNonNull(policy, "defaultPolicy");
      return this;
    }

    private Builder add(String host, String pathPrefix, AuthPolicy policy) {
      Objects.requireNonNull(policy, "policy");
      if (pathPrefix == null
          || !pathPrefix.startsWith("/")
          || pathPrefix.length() > 4096
          || (pathPrefix.length() > 1 && isAmbiguous(pathPrefix))
          || pathPrefix.indexOf('?') >= 0) {
        throw new IllegalArgumentException(
            "pathPrefix must start with '/', have no query and no '.', '..' or empty segments,"
                + " got '"
                + pathPrefix
                + "'");
      }
      boolean wildcard = false;
      String h = null;
      if (host != null) {
        h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("*.")) {
          wildcard = true;
          h = h.substring(2);
        }
        if (h.isEmpty() || h.contains("*") || h.contains(":") || h.contains("/")) {
          throw new IllegalArgumentException(
              "host must be a host name or '*.' wildcard without port, got '" + host + "'");
        }
      }
      for (Rule r : rules) {
        if (Objects.equals(r.host(), h)
            && r.wildcard() == wildcard
            && r.prefix().equals(pathPrefix)) {
          throw new IllegalArgumentException(
              "duplicate rule for host " + host + " and prefix " + pathPrefix);
        }
      }
      rules.add(new Rule(h, wildcard, pathPrefix, policy));
      return this;
    }

    /**
     * Builds the rules.
     *
     * @return the rules
     */
    public AuthRules build() {
      return new AuthRules(this);
    }
  }
}
