package io.dsblocks.loadbalancer.internal.config;

import io.dsblocks.loadbalancer.auth.ApiKeyAuthenticator;
import io.dsblocks.loadbalancer.auth.AuthPolicy;
import io.dsblocks.loadbalancer.auth.AuthRules;
import io.dsblocks.loadbalancer.auth.Authenticator;
import io.dsblocks.loadbalancer.auth.JwsAlgorithm;
import io.dsblocks.loadbalancer.auth.JwtAuthenticator;
import io.dsblocks.loadbalancer.auth.JwtKeySet;
import io.dsblocks.loadbalancer.auth.MtlsAuthenticator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the {@code auth:} section (named authenticators, proxy-wide rules) and route-level {@code
 * auth:} policies. Secrets come from environment variables or files, never from the configuration
 * text itself (API keys may also be given as SHA-256 digests). Not thread-safe (one per read).
 */
final class AuthReader {
  static final List<String> KEYS = List.of("authenticators", "rules", "defaultPolicy");
  static final List<String> API_KEY_KEYS = List.of("type", "header", "keys");
  static final List<String> API_KEY_ENTRY_KEYS =
      List.of("principal", "roles", "env", "file", "sha256");
  static final List<String> JWT_KEYS =
      List.of(
          "type",
          "keys",
          "jwks",
          "issuers",
          "audiences",
          "algorithms",
          "requireClaims",
          "clockSkew",
          "maxAge",
          "requireExpiration",
          "principalClaim",
          "realm",
          "maxTokenLength");
  static final List<String> JWT_KEY_ENTRY_KEYS = List.of("kid", "secret", "publicKey");
  static final List<String> SECRET_KEYS = List.of("env", "file");
  static final List<String> MTLS_KEYS =
      List.of("type", "principalFrom", "allowSubjects", "allowIssuers", "roles");
  static final List<String> POLICY_KEYS =
      List.of("anyOf", "requireScopes", "requireAnyRole", "allowMethods", "rolesClaim");
  static final List<String> RULE_KEYS = List.of("host", "pathPrefix", "policy");

  private static final Map<String, String> TYPES = new LinkedHashMap<>();
  private static final Map<String, JwsAlgorithm> ALGORITHMS = new LinkedHashMap<>();
  private static final Map<String, MtlsAuthenticator.PrincipalSource> PRINCIPAL_SOURCES =
      new LinkedHashMap<>();

  static {
    TYPES.put("apiKey", "apiKey");
    TYPES.put("jwt", "jwt");
    TYPES.put("mtls", "mtls");
    for (JwsAlgorithm a : JwsAlgorithm.values()) {
      ALGORITHMS.put(a.name(), a);
    }
    PRINCIPAL_SOURCES.put("subjectCn", MtlsAuthenticator.PrincipalSource.SUBJECT_CN);
    PRINCIPAL_SOURCES.put("subjectDn", MtlsAuthenticator.PrincipalSource.SUBJECT_DN);
    PRINCIPAL_SOURCES.put("sanDns", MtlsAuthenticator.PrincipalSource.SAN_DNS);
    PRINCIPAL_SOURCES.put("sanUri", MtlsAuthenticator.PrincipalSource.SAN_URI);
    PRINCIPAL_SOURCES.put("sanEmail", MtlsAuthenticator.PrincipalSource.SAN_EMAIL);
  }

  private final Map<String, Authenticator> authenticators = new LinkedHashMap<>();
  private AuthRules rules;

  /**
   * Reads the top-level section (may be absent: then routes may only use {@code anonymous} and
   * {@code deny}).
   */
  void readSection(ConfigNode n) {
    ConfigNode.Mapping m = n.map(KEYS);
    m.get("authenticators")
        .ifPresent(
            a -> {
              for (Map.Entry<String, ConfigNode> e :
                  a.freeMap("a mapping of authenticator names to authenticators")
                      .entries()
                      .entrySet()) {
                authenticators.put(e.getKey(), authenticator(e.getValue()));
              }
            });
    if (m.has("rules")) {
      AuthRules.Builder b = AuthRules.builder();
      for (ConfigNode r : m.required("rules").list()) {
        ConfigNode.Mapping rm = r.map(RULE_KEYS);
        ConfigNode prefix = rm.required("pathPrefix");
        AuthPolicy policy = policy(rm.required("policy"));
        if (rm.has("host")) {
          ConfigNode host = rm.required("host");
          r.run(() -> b.route(host.string(), prefix.string(), policy));
        } else {
          r.run(() -> b.route(prefix.string(), policy));
        }
      }
      m.get("defaultPolicy").ifPresent(d -> b.defaultPolicy(policy(d)));
      rules = n.apply(b::build);
    } else if (m.has("defaultPolicy")) {
      throw m.keyError("defaultPolicy", "defaultPolicy applies to rules; add rules or remove it");
    }
  }

  AuthRules rules() {
    return rules;
  }

  /**
   * A policy: {@code anonymous}, {@code deny}, an authenticator's name, or a mapping.
   *
   * @param n the node
   * @return the policy
   */
  AuthPolicy policy(ConfigNode n) {
    if (n.isScalar()) {
      String v = n.string();
      if (v.equals("anonymous")) {
        return AuthPolicy.anonymous();
      }
      if (v.equals("deny")) {
        return AuthPolicy.denyAll();
      }
      Authenticator a = authenticator(n, v);
      return n.apply(() -> AuthPolicy.builder().anyOf(a).build());
    }
    ConfigNode.Mapping m = n.map(POLICY_KEYS);
    AuthPolicy.Builder b = AuthPolicy.builder();
    List<Authenticator> anyOf = new ArrayList<>();
    for (ConfigNode name : m.required("anyOf").listOrOne()) {
      anyOf.add(authenticator(name, name.string()));
    }
    b.anyOf(anyOf.toArray(new Authenticator[0]));
    m.get("requireScopes")
        .ifPresent(v -> v.run(() -> b.requireScopes(v.strings().toArray(new String[0]))));
    m.get("requireAnyRole")
        .ifPresent(v -> v.run(() -> b.requireAnyRole(v.strings().toArray(new String[0]))));
    m.get("allowMethods")
        .ifPresent(v -> v.run(() -> b.allowMethods(v.strings().toArray(new String[0]))));
    m.get("rolesClaim").ifPresent(v -> v.run(() -> b.rolesClaim(v.string())));
    return n.apply(b::build);
  }

  private Authenticator authenticator(ConfigNode n, String name) {
    Authenticator a = authenticators.get(name);
    if (a == null) {
      List<String> choices = new ArrayList<>(authenticators.keySet());
      throw n.error(
          "unknown authenticator '"
              + name
              + "'"
              + Suggestions.didYouMean(name, choices)
              + (choices.isEmpty()
                  ? "; define it under auth.authenticators (or use anonymous or deny)"
                  : "; authenticators are " + choices + " (or anonymous, deny)"));
    }
    return a;
  }

  private Authenticator authenticator(ConfigNode n) {
    ConfigNode.Mapping probe = n.freeMap("an authenticator (a mapping with a type)");
    if (!probe.has("type")) {
      // Report a misspelt key (e.g. "tpye") before the missing type it causes.
      Set<String> any = new LinkedHashSet<>(API_KEY_KEYS);
      any.addAll(JWT_KEYS);
      any.addAll(MTLS_KEYS);
      n.map(any);
    }
    String type = probe.required("type").oneOf("authenticator type", TYPES);
    switch (type) {
      case "apiKey":
        return apiKey(n.map(API_KEY_KEYS));
      case "jwt":
        return jwt(n.map(JWT_KEYS));
      default:
        return mtls(n.map(MTLS_KEYS));
    }
  }

  private ApiKeyAuthenticator apiKey(ConfigNode.Mapping m) {
    ApiKeyAuthenticator.Builder b = ApiKeyAuthenticator.builder();
    m.get("header").ifPresent(h -> h.run(() -> b.headerName(h.string())));
    ConfigNode keys = m.required("keys");
    List<ConfigNode> entries = keys.list();
    if (entries.isEmpty()) {
      throw keys.error("must not be empty: an apiKey authenticator needs at least one key");
    }
    for (ConfigNode e : entries) {
      ConfigNode.Mapping k = e.map(API_KEY_ENTRY_KEYS);
      String principal = k.required("principal").string();
      String[] roles =
          k.get("roles").map(ConfigNode::strings).orElse(List.of()).toArray(new String[0]);
      int sources = (k.has("env") ? 1 : 0) + (k.has("file") ? 1 : 0) + (k.has("sha256") ? 1 : 0);
      if (sources != 1) {
        throw e.error("give exactly one of env, file or sha256 (the key's SHA-256 digest in hex)");
      }
      if (k.has("sha256")) {
        ConfigNode h = k.required("sha256");
        h.run(() -> b.keyHash(h.string(), principal, roles));
      } else {
        String key = new String(secret(k), StandardCharsets.UTF_8);
        e.run(() -> b.key(key, principal, roles));
      }
    }
    return m.node().apply(b::build);
  }

  private JwtAuthenticator jwt(ConfigNode.Mapping m) {
    JwtKeySet keys = JwtKeySet.create();
    if (!m.has("keys") && !m.has("jwks")) {
      throw m.node()
          .error("missing required key 'keys' (or 'jwks'): a jwt authenticator needs keys");
    }
    m.get("keys")
        .ifPresent(
            list -> {
              for (ConfigNode e : list.list()) {
                ConfigNode.Mapping k = e.map(JWT_KEY_ENTRY_KEYS);
                String kid = k.required("kid").string();
                if (k.has("secret") == k.has("publicKey")) {
                  throw e.error(
                      "give exactly one of secret (HS256: {env: NAME} or {file: path}) or publicKey"
                          + " (RS256/ES256: a PEM file)");
                }
                if (k.has("secret")) {
                  ConfigNode s = k.required("secret");
                  byte[] secret = secret(s.map(SECRET_KEYS));
                  s.run(() -> keys.addHmacSecret(kid, secret));
                } else {
                  ConfigNode p = k.required("publicKey");
                  String pem =
                      new String(ConfigFiles.read(p, "public key"), StandardCharsets.UTF_8);
                  p.run(() -> keys.addPublicKeyPem(kid, pem));
                }
              }
            });
    m.get("jwks")
        .ifPresent(
            j -> {
              String json = new String(ConfigFiles.read(j, "JWKS"), StandardCharsets.UTF_8);
              j.run(() -> keys.addJwks(json));
            });
    JwtAuthenticator.Builder b = JwtAuthenticator.builder(keys);
    m.get("issuers").ifPresent(v -> v.run(() -> b.issuers(v.strings().toArray(new String[0]))));
    m.get("audiences").ifPresent(v -> v.run(() -> b.audiences(v.strings().toArray(new String[0]))));
    m.get("algorithms")
        .ifPresent(
            v -> {
              List<JwsAlgorithm> algs = new ArrayList<>();
              for (ConfigNode a : v.listOrOne()) {
                algs.add(a.oneOf("algorithm", ALGORITHMS));
              }
              v.run(() -> b.algorithms(algs.toArray(new JwsAlgorithm[0])));
            });
    m.get("requireClaims")
        .ifPresent(v -> v.run(() -> b.requireClaims(v.strings().toArray(new String[0]))));
    m.get("clockSkew").ifPresent(v -> v.run(() -> b.clockSkew(v.duration())));
    m.get("maxAge").ifPresent(v -> v.run(() -> b.maxAge(v.duration())));
    m.get("requireExpiration").ifPresent(v -> b.requireExpiration(v.bool()));
    m.get("principalClaim").ifPresent(v -> v.run(() -> b.principalClaim(v.string())));
    m.get("realm").ifPresent(v -> v.run(() -> b.realm(v.string())));
    m.get("maxTokenLength")
        .ifPresent(v -> v.run(() -> b.maxTokenLength(v.integer(1, Integer.MAX_VALUE))));
    return m.node().apply(b::build);
  }

  private MtlsAuthenticator mtls(ConfigNode.Mapping m) {
    MtlsAuthenticator.Builder b = MtlsAuthenticator.builder();
    m.get("principalFrom")
        .ifPresent(v -> b.principalFrom(v.oneOf("principalFrom", PRINCIPAL_SOURCES)));
    m.get("allowSubjects")
        .ifPresent(v -> v.run(() -> b.allowSubjects(v.strings().toArray(new String[0]))));
    m.get("allowIssuers")
        .ifPresent(v -> v.run(() -> b.allowIssuers(v.strings().toArray(new String[0]))));
    m.get("roles")
        .ifPresent(
            v -> {
              for (Map.Entry<String, ConfigNode> e :
                  v.freeMap("a mapping of principals to role lists").entries().entrySet()) {
                String[] roles = e.getValue().strings().toArray(new String[0]);
                e.getValue().run(() -> b.roles(e.getKey(), roles));
              }
            });
    return m.node().apply(b::build);
  }

  /** Reads {@code env: NAME} or {@code file: path} from a mapping that has exactly one. */
  private static byte[] secret(ConfigNode.Mapping m) {
    if (m.has("env") == m.has("file")) {
      throw m.node().error("give exactly one of env (a variable name) or file (a path)");
    }
    if (m.has("env")) {
      ConfigNode v = m.required("env");
      String name = v.string();
      String value = v.source().environment().apply(name);
      if (value == null || value.isEmpty()) {
        throw v.error("environment variable '" + name + "' is not set");
      }
      return value.getBytes(StandardCharsets.UTF_8);
    }
    ConfigNode f = m.required("file");
    byte[] content = ConfigFiles.read(f, "secret");
    // "echo secret > file" leaves a newline that is not part of the secret.
    int end = content.length;
    if (end > 0 && content[end - 1] == '\n') {
      end--;
      if (end > 0 && content[end - 1] == '\r') {
        end--;
      }
    }
    if (end == 0) {
      throw f.error("secret file is empty");
    }
    return java.util.Arrays.copyOf(content, end);
  }
}
