package io.dsblocks.loadbalancer.auth;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a route requires: which methods it accepts, which authenticators may vouch for the caller
 * (any one of them suffices), and which scopes and roles the caller's claims must carry.
 *
 * <pre>{@code
 * AuthPolicy admin = AuthPolicy.builder()
 *     .anyOf(jwt, apiKeys)          // a valid token OR a valid key
 *     .requireScopes("orders:write") // all of these scopes
 *     .requireAnyRole("admin", "ops") // at least one of these roles
 *     .allowMethods("POST", "DELETE")
 *     .build();
 * AuthPolicy open = AuthPolicy.anonymous();
 * }</pre>
 *
 * <p>{@link #evaluate} decides in this order, so cheap checks run before signature checks:
 *
 * <ol>
 *   <li>method not allowed → 403;
 *   <li>anonymous policy → allowed as {@link AuthPrincipal#ANONYMOUS};
 *   <li>authenticators in order: the first that allows wins. If none allows, the first {@link
 *       AuthResult.Outcome#DENIED} result is returned (it says what was wrong with the presented
 *       credentials); if all report no credentials, a 401 with all their challenges joined;
 *   <li>scopes (claim {@code scope} as a space-separated string, or {@code scp} as string or
 *       array): all required → else 403, with {@code Bearer error="insufficient_scope"} for JWTs;
 *   <li>roles (claim {@code roles}): at least one required role → else 403.
 * </ol>
 *
 * <p>An authenticator that throws is treated as denying with 401 (fail closed).
 *
 * <p>Immutable and thread-safe if its authenticators and listener are.
 */
public final class AuthPolicy {
  private static final Pattern METHOD = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Z-]+");
  private static final AuthListener NO_LISTENER = new AuthListener() {};
  private static final AuthPolicy ANONYMOUS = builder().anonymous().build();
  private static final AuthPolicy DENY_ALL = builder().anyOf(r -> closedRoute()).build();

  private final boolean anonymous;
  private final List<Authenticator> authenticators;
  private final Set<String> methods;
  private final Set<String> scopes;
  private final Set<String> roles;
  private final String rolesClaim;
  private final AuthListener listener;

  private AuthPolicy(Builder b) {
    this.anonymous = b.anonymous;
    this.authenticators = List.copyOf(b.authenticators);
    this.methods = Set.copyOf(b.methods);
    // Insertion order is kept so challenges and messages list scopes/roles as configured.
    this.scopes = Collections.unmodifiableSet(new LinkedHashSet<>(b.scopes));
    this.roles = Collections.unmodifiableSet(new LinkedHashSet<>(b.roles));
    this.rolesClaim = b.rolesClaim;
    this.listener = b.listener;
  }

  private static AuthResult closedRoute() {
    return AuthResult.deny(403, "route is closed", null);
  }

  /**
   * A policy that lets every request through as {@link AuthPrincipal#ANONYMOUS}.
   *
   * @return the shared policy
   */
  public static AuthPolicy anonymous() {
    return ANONYMOUS;
  }

  /**
   * A policy that denies every request with 403: the safe default for unmatched routes.
   *
   * @return the shared policy
   */
  public static AuthPolicy denyAll() {
    return DENY_ALL;
  }

  /**
   * A builder.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Decides a request.
   *
   * @param request the request
   * @return allowed with a principal, or denied with status, reason and challenge
   */
  public AuthResult evaluate(AuthRequest request) {
    AuthResult r = decide(request);
    if (listener != NO_LISTENER) {
      try {
        if (r.isAllowed()) {
          listener.onAllowed(request, r);
        } else {
          listener.onDenied(request, r);
        }
      } catch (RuntimeException ignored) {
        // A listener observes; its failure must not change the decision.
      }
    }
    return r;
  }

  private AuthResult decide(AuthRequest request) {
    if (!methods.isEmpty() && !methods.contains(request.method().toUpperCase(Locale.ROOT))) {
      return AuthResult.deny(
          403, "method " + request.method() + " not allowed on this route", null);
    }
    if (anonymous) {
      return AuthResult.allow(AuthPrincipal.ANONYMOUS);
    }
    AuthResult firstDenied = null;
    StringBuilder challenges = null;
    for (Authenticator a : authenticators) {
      AuthResult r;
      try {
        r = a.authenticate(request);
      } catch (RuntimeException e) {
        r = AuthResult.deny(401, "authenticator failed", null);
      }
      if (r == null) {
        r = AuthResult.deny(401, "authenticator returned no result", null);
      }
      if (r.isAllowed()) {
        return authorize(r);
      }
      if (r.outcome() == AuthResult.Outcome.DENIED) {
        if (firstDenied == null) {
          firstDenied = r;
        }
      } else if (r.wwwAuthenticate().isPresent()) {
        if (challenges == null) {
          challenges = new StringBuilder(r.wwwAuthenticate().get());
        } else {
          challenges.append(", ").append(r.wwwAuthenticate().get());
        }
      }
    }
    if (firstDenied != null) {
      return firstDenied;
    }
    return AuthResult.deny(
        401, "no credentials", challenges == null ? null : challenges.toString());
  }

  private AuthResult authorize(AuthResult allowed) {
    AuthPrincipal p = allowed.principal().orElseThrow();
    if (!scopes.isEmpty()) {
      Set<String> granted = new LinkedHashSet<>(p.claimAsSet("scope"));
      granted.addAll(p.claimAsSet("scp"));
      for (String s : scopes) {
        if (!granted.contains(s)) {
          String challenge =
              p.scheme().equals("jwt")
                  ? "Bearer error=\"insufficient_scope\", scope=\""
                      + String.join(" ", scopes)
                      + "\""
                  : null;
          return AuthResult.deny(403, "missing scope " + s, challenge);
        }
      }
    }
    if (!roles.isEmpty()) {
      Set<String> granted = p.claimAsSet(rolesClaim);
      boolean any = false;
      for (String r : roles) {
        if (granted.contains(r)) {
          any = true;
          break;
        }
      }
      if (!any) {
        return AuthResult.deny(403, "none of the required roles " + roles, null);
      }
    }
    return allowed;
  }

  /**
   * Whether the policy lets requests through without credentials.
   *
   * @return true for anonymous policies
   */
  public boolean isAnonymous() {
    return anonymous;
  }

  /** Builds an {@link AuthPolicy}. Not thread-safe. */
  public static final class Builder {
    private boolean anonymous;
    private final List<Authenticator> authenticators = new ArrayList<>();
    private final Set<String> methods = new LinkedHashSet<>();
    private final Set<String> scopes = new LinkedHashSet<>();
    private final Set<String> roles = new LinkedHashSet<>();
    private String rolesClaim = "roles";
    private AuthListener listener = NO_LISTENER;

    private Builder() {}

    /**
     * Lets requests through without credentials (methods are still checked). Excludes
     * authenticators, scopes and roles.
     *
     * @return this builder
     */
    public Builder anonymous() {
      this.anonymous = true;
      return this;
    }

    /**
     * Adds authenticators; any one allowing the request suffices. Tried in order, so put the
     * cheapest (API key lookup, mTLS) before signature checks.
     *
     * @param authenticators one or more
     * @return this builder
     */
    public Builder anyOf(Authenticator... authenticators) {
      for (Authenticator a : authenticators) {
        this.authenticators.add(Objects.requireNonNull(a, "authenticator"));
      }
      return this;
    }

    /**
     * Limits the route to these methods (default: any).
     *
     * @param methods e.g. {@code GET}, {@code POST} (case-insensitive)
     * @return this builder
     */
    public Builder allowMethods(String... methods) {
      for (String m : methods) {
        String u = m == null ? null : m.toUpperCase(Locale.ROOT);
        if (u == null || !METHOD.matcher(u).matches()) {
          throw new IllegalArgumentException("allowMethods: '" + m + "' is not an HTTP method");
        }
        this.methods.add(u);
      }
      return this;
    }

    /**
     * Requires every one of these scopes.
     *
     * @param scopes scope names
     * @return this builder
     */
    public Builder requireScopes(String... scopes) {
      this.scopes.addAll(names("requireScopes", scopes));
      return this;
    }

    /**
     * Requires at least one of these roles.
     *
     * @param roles role names
     * @return this builder
     */
    public Builder requireAnyRole(String... roles) {
      this.roles.addAll(names("requireAnyRole", roles));
      return this;
    }

    /**
     * Sets the claim roles are read from (default {@code roles}), e.g. {@code groups}.
     *
     * @param claim the claim name
     * @return this builder
     */
    public Builder rolesClaim(String claim) {
      this.rolesClaim = names("rolesClaim", claim).get(0);
      return this;
    }

    /**
     * Reports each decision to a listener.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(AuthListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Validates the policy.
     *
     * @return the policy
     * @throws IllegalArgumentException if it is anonymous with authenticators/scopes/roles, or not
     *     anonymous and without authenticators
     */
    public AuthPolicy build() {
      if (anonymous && (!authenticators.isEmpty() || !scopes.isEmpty() || !roles.isEmpty())) {
        throw new IllegalArgumentException(
            "an anonymous policy cannot have authenticators, scopes or roles");
      }
      if (!anonymous && authenticators.isEmpty()) {
        throw new IllegalArgumentException(
            "anyOf needs at least one authenticator (or call anonymous())");
      }
      return new AuthPolicy(this);
    }

    private static List<String> names(String field, String... values) {
      for (String v : values) {
        if (v == null || v.isEmpty() || v.contains(" ")) {
          throw new IllegalArgumentException(
              field + ": '" + v + "' must be non-empty without spaces");
        }
      }
      return List.of(values);
    }
  }
}
