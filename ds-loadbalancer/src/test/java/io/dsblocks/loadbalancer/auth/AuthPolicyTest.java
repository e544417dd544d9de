package io.dsblocks.loadbalancer.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class AuthPolicyTest {
  static final String KEY = "ak_test_0123456789abcdef";
  static final byte[] SECRET = Jwts.secret(11);

  final TestClock clock = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));
  final ApiKeyAuthenticator apiKeys = ApiKeyAuthenticator.builder().key(KEY, "svc", "ops").build();
  final JwtAuthenticator jwt =
      JwtAuthenticator.builder(JwtKeySet.create().addHmacSecret("k", SECRET)).clock(clock).build();

  String token(String extraClaims) {
    return Jwts.hs256(
        "k",
        SECRET,
        "{\"sub\":\"alice\",\"exp\":" + (clock.epochSecond() + 60) + extraClaims + "}");
  }

  static AuthRequest req(String method, String... headers) {
    return AuthRequest.of(method, "/orders", RequestHeaders.of(headers));
  }

  @Test
  void anyOfAcceptsWhicheverCredentialIsValid() {
    AuthPolicy p = AuthPolicy.builder().anyOf(apiKeys, jwt).build();
    assertThat(p.evaluate(req("GET", "X-API-Key", KEY)).principal().orElseThrow().scheme())
        .isEqualTo("api-key");
    assertThat(
            p.evaluate(req("GET", "Authorization", "Bearer " + token("")))
                .principal()
                .orElseThrow()
                .scheme())
        .isEqualTo("jwt");
    // A bad API key next to a good token: any-of still allows.
    assertThat(
            p.evaluate(req("GET", "X-API-Key", KEY + "x", "Authorization", "Bearer " + token("")))
                .isAllowed())
        .isTrue();
  }

  @Test
  void denialsExplainTheBadCredentialOrChallengeForAll() {
    AuthPolicy p = AuthPolicy.builder().anyOf(apiKeys, jwt).build();
    AuthResult bad =
        p.evaluate(req("GET", "Authorization", "Bearer " + token("").replace('.', '!')));
    assertThat(bad.status()).isEqualTo(401);
    assertThat(bad.reason()).contains("three dot-separated parts");
    AuthResult none = p.evaluate(req("GET"));
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.reason()).isEqualTo("no credentials");
    assertThat(none.wwwAuthenticate())
        .contains("ApiKey header=\"X-API-Key\", Bearer realm=\"dsblocks\"");
  }

  @Test
  void scopesAreAllRequiredAndRolesAnyOf() {
    AuthPolicy p =
        AuthPolicy.builder().anyOf(jwt).requireScopes("orders:read", "orders:write").build();
    assertThat(
            p.evaluate(
                    req(
                        "GET",
                        "Authorization",
                        "Bearer " + token(",\"scope\":\"orders:read orders:write x\"")))
                .isAllowed())
        .isTrue();
    assertThat(
            p.evaluate(
                    req(
                        "GET",
                        "Authorization",
                        "Bearer " + token(",\"scp\":[\"orders:read\",\"orders:write\"]")))
                .isAllowed())
        .isTrue();
    AuthResult missing =
        p.evaluate(req("GET", "Authorization", "Bearer " + token(",\"scope\":\"orders:read\"")));
    assertThat(missing.status()).isEqualTo(403);
    assertThat(missing.reason()).isEqualTo("missing scope orders:write");
    assertThat(missing.wwwAuthenticate())
        .contains("Bearer error=\"insufficient_scope\", scope=\"orders:read orders:write\"");

    AuthPolicy roles =
        AuthPolicy.builder().anyOf(apiKeys, jwt).requireAnyRole("admin", "ops").build();
    assertThat(roles.evaluate(req("GET", "X-API-Key", KEY)).isAllowed()).isTrue();
    AuthResult noRole =
        roles.evaluate(req("GET", "Authorization", "Bearer " + token(",\"roles\":[\"viewer\"]")));
    assertThat(noRole.status()).isEqualTo(403);
    assertThat(noRole.wwwAuthenticate()).isEmpty();
    AuthPolicy groups =
        AuthPolicy.builder().anyOf(jwt).requireAnyRole("admin").rolesClaim("groups").build();
    assertThat(
            groups
                .evaluate(
                    req("GET", "Authorization", "Bearer " + token(",\"groups\":\"dev admin\"")))
                .isAllowed())
        .isTrue();
  }

  @Test
  void methodsAreCheckedBeforeCredentials() {
    AuthPolicy p = AuthPolicy.builder().anyOf(apiKeys).allowMethods("get", "HEAD").build();
    assertThat(p.evaluate(req("GET", "X-API-Key", KEY)).isAllowed()).isTrue();
    AuthResult post = p.evaluate(req("POST", "X-API-Key", KEY));
    assertThat(post.status()).isEqualTo(403);
    assertThat(post.reason()).isEqualTo("method POST not allowed on this route");
    AuthPolicy anonGet = AuthPolicy.builder().anonymous().allowMethods("GET").build();
    assertThat(anonGet.evaluate(req("GET")).principal()).contains(AuthPrincipal.ANONYMOUS);
    assertThat(anonGet.evaluate(req("DELETE")).status()).isEqualTo(403);
  }

  @Test
  void anonymousAndDenyAll() {
    assertThat(AuthPolicy.anonymous().evaluate(req("GET")).principal())
        .contains(AuthPrincipal.ANONYMOUS);
    assertThat(AuthPolicy.anonymous().isAnonymous()).isTrue();
    AuthResult closed = AuthPolicy.denyAll().evaluate(req("GET", "X-API-Key", KEY));
    assertThat(closed.status()).isEqualTo(403);
    assertThat(closed.reason()).isEqualTo("route is closed");
  }

  @Test
  void throwingAuthenticatorFailsClosed() {
    Authenticator broken =
        r -> {
          throw new IllegalStateException("boom");
        };
    AuthPolicy p = AuthPolicy.builder().anyOf(broken).build();
    AuthResult r = p.evaluate(req("GET"));
    assertThat(r.isAllowed()).isFalse();
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.reason()).isEqualTo("authenticator failed");
    AuthPolicy nullResult = AuthPolicy.builder().anyOf(req -> null, apiKeys).build();
    assertThat(nullResult.evaluate(req("GET", "X-API-Key", KEY)).isAllowed()).isTrue();
    assertThat(nullResult.evaluate(req("GET")).reason())
        .isEqualTo("authenticator returned no result");
  }

  @Test
  void listenerSeesEveryDecisionAndCannotChangeIt() {
    List<String> seen = new CopyOnWriteArrayList<>();
    AuthPolicy p =
        AuthPolicy.builder()
            .anyOf(apiKeys)
            .listener(
                new AuthListener() {
                  @Override
                  public void onAllowed(AuthRequest request, AuthResult result) {
                    seen.add("allowed " + result.principal().orElseThrow().name());
                    throw new IllegalStateException("listener bug");
                  }

                  @Override
                  public void onDenied(AuthRequest request, AuthResult result) {
                    seen.add("denied " + result.status());
                  }
                })
            .build();
    assertThat(p.evaluate(req("GET", "X-API-Key", KEY)).isAllowed()).isTrue();
    assertThat(p.evaluate(req("GET")).isAllowed()).isFalse();
    assertThat(seen).containsExactly("allowed svc", "denied 401");
  }

  @Test
  void builderValidation() {
    assertThatThrownBy(() -> AuthPolicy.builder().build())
        .hasMessageContaining("anyOf needs at least one authenticator");
    assertThatThrownBy(() -> AuthPolicy.builder().anonymous().anyOf(apiKeys).build())
        .hasMessageContaining("anonymous policy cannot");
    assertThatThrownBy(() -> AuthPolicy.builder().allowMethods("GE T"))
        .hasMessageContaining("'GE T' is not an HTTP method");
    assertThatThrownBy(() -> AuthPolicy.builder().requireScopes("a b"))
        .hasMessageContaining("requireScopes: 'a b'");
    assertThatThrownBy(() -> AuthResult.deny(500, "x", null))
        .hasMessageContaining("status is 500; allowed: 401 or 403");
  }
}
