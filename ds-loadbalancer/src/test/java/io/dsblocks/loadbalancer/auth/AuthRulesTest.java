package io.dsblocks.loadbalancer.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AuthRulesTest {
  static final String KEY = "ak_rules_0123456789abcdef";
  final ApiKeyAuthenticator keys = ApiKeyAuthenticator.builder().key(KEY, "svc").build();
  final AuthPolicy api = AuthPolicy.builder().anyOf(keys).build();
  final AuthPolicy admin = AuthPolicy.builder().anyOf(keys).requireAnyRole("admin").build();
  final AuthPolicy wildPolicy = AuthPolicy.builder().anyOf(keys).allowMethods("GET").build();

  final AuthRules rules =
      AuthRules.builder()
          .route("/", AuthPolicy.anonymous())
          .route("/api", api)
          .route("/api/admin/", admin)
          .route("admin.example.test", "/", admin)
          .route("*.tenants.example.test", "/", wildPolicy)
          .build();

  @Test
  void longestPrefixOnSegmentBoundaries() {
    assertThat(rules.policyFor(null, "/")).isSameAs(AuthPolicy.anonymous());
    assertThat(rules.policyFor(null, "/api")).isSameAs(api);
    assertThat(rules.policyFor(null, "/api/orders?id=1")).isSameAs(api);
    assertThat(rules.policyFor(null, "/apix"))
        .as("not a segment match")
        .isSameAs(AuthPolicy.anonymous());
    assertThat(rules.policyFor(null, "/api/admin/users")).isSameAs(admin);
    assertThat(rules.policyFor(null, "/api/admin")).as("/api/admin/ needs the slash").isSameAs(api);
  }

  @Test
  void hostRulesWinAndIgnoreCasePortAndTrailingDot() {
    assertThat(rules.policyFor("Admin.Example.Test:8443", "/public")).isSameAs(admin);
    assertThat(rules.policyFor("admin.example.test.", "/")).isSameAs(admin);
    assertThat(rules.policyFor("a.tenants.example.test", "/api")).isSameAs(wildPolicy);
    assertThat(rules.policyFor("a.b.tenants.example.test", "/api")).isSameAs(api);
    assertThat(rules.policyFor("tenants.example.test", "/api")).isSameAs(api);
    assertThat(rules.policyFor("[::1]:443", "/api")).isSameAs(api);
  }

  @Test
  void evaluateAppliesThePolicyAndDefaultsToDeny() {
    AuthRequest open = AuthRequest.of("GET", "/index.html", RequestHeaders.empty());
    assertThat(rules.evaluate(open).isAllowed()).isTrue();
    AuthRequest apiNoKey = AuthRequest.of("GET", "/api/x", RequestHeaders.empty());
    assertThat(rules.evaluate(apiNoKey).status()).isEqualTo(401);
    AuthRequest apiKey = AuthRequest.of("GET", "/api/x", RequestHeaders.of("X-API-Key", KEY));
    assertThat(rules.evaluate(apiKey).isAllowed()).isTrue();
    AuthRules onlyApi = AuthRules.builder().route("/api/", api).build();
    AuthResult unmatched =
        onlyApi.evaluate(AuthRequest.of("GET", "/other", RequestHeaders.empty()));
    assertThat(unmatched.status()).isEqualTo(403);
    assertThat(unmatched.reason()).isEqualTo("route is closed");
  }

  @Test
  void ambiguousPathsAreDeniedRatherThanGuessed() {
    for (String path :
        new String[] {
          "/public/../api/admin/x",
          "/./api",
          "//api/admin/x",
          "/api/%2e%2e/admin",
          "/api%2Fadmin",
          "/api\\admin",
          "relative",
          "/a/b/.."
        }) {
      AuthResult r =
          rules.evaluate(AuthRequest.of("GET", path, RequestHeaders.of("X-API-Key", KEY)));
      assertThat(r.status()).as(path).isEqualTo(403);
      assertThat(r.reason()).as(path).isEqualTo("ambiguous request path");
    }
    assertThat(rules.evaluate(AuthRequest.of("GET", "/a/b/", RequestHeaders.empty())).isAllowed())
        .isTrue();
  }

  @Test
  void rulesAreValidated() {
    assertThatThrownBy(() -> AuthRules.builder().route("api", api))
        .hasMessageContaining("pathPrefix must start with '/'");
    assertThatThrownBy(() -> AuthRules.builder().route("/a/../b", api))
        .hasMessageContaining("pathPrefix");
    assertThatThrownBy(() -> AuthRules.builder().route("h:80", "/", api))
        .hasMessageContaining("host must be a host name");
    assertThatThrownBy(() -> AuthRules.builder().route("/a", api).route("/a", admin))
        .hasMessageContaining("duplicate rule");
  }
}
