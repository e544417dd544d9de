package io.dsblocks.loadbalancer.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ApiKeyAuthenticatorTest {
  static final String ALICE_KEY = "ak_live_0123456789abcdef";
  static final String BOB_KEY = "ak_live_fedcba9876543210";

  static AuthRequest withHeader(String name, String... values) {
    String[] pairs = new String[values.length * 2];
    for (int i = 0; i < values.length; i++) {
      pairs[2 * i] = name;
      pairs[2 * i + 1] = values[i];
    }
    return AuthRequest.of("GET", "/", RequestHeaders.of(pairs));
  }

  @Test
  void knownKeysMapToTheirPrincipalAndRoles() {
    ApiKeyAuthenticator a =
        ApiKeyAuthenticator.builder()
            .key(ALICE_KEY, "alice", "admin", "ops")
            .keyHash(ApiKeyAuthenticator.hashKey(BOB_KEY), "bob")
            .build();
    AuthResult alice = a.authenticate(withHeader("x-api-key", ALICE_KEY));
    assertThat(alice.isAllowed()).isTrue();
    AuthPrincipal p = alice.principal().orElseThrow();
    assertThat(p.name()).isEqualTo("alice");
    assertThat(p.scheme()).isEqualTo("api-key");
    assertThat(p.claimAsSet("roles")).containsExactly("admin", "ops");
    assertThat(a.authenticate(withHeader("X-API-KEY", " " + BOB_KEY + " ")).principal())
        .get()
        .extracting(AuthPrincipal::name)
        .isEqualTo("bob");
    assertThat(a.size()).isEqualTo(2);
  }

  @Test
  void missesAndMalformedValues() {
    ApiKeyAuthenticator a = ApiKeyAuthenticator.builder().key(ALICE_KEY, "alice").build();
    AuthResult unknown = a.authenticate(withHeader("X-API-Key", ALICE_KEY + "x"));
    assertThat(unknown.outcome()).isEqualTo(AuthResult.Outcome.DENIED);
    assertThat(unknown.status()).isEqualTo(401);
    assertThat(unknown.reason()).isEqualTo("unknown API key").doesNotContain(ALICE_KEY);
    AuthResult none = a.authenticate(AuthRequest.of("GET", "/", RequestHeaders.empty()));
    assertThat(none.outcome()).isEqualTo(AuthResult.Outcome.NO_CREDENTIALS);
    assertThat(none.wwwAuthenticate()).contains("ApiKey header=\"X-API-Key\"");
    assertThat(a.authenticate(withHeader("X-API-Key", ALICE_KEY, ALICE_KEY)).reason())
        .isEqualTo("more than one X-API-Key header");
    assertThat(a.authenticate(withHeader("X-API-Key", "  ")).reason())
        .isEqualTo("malformed API key");
    assertThat(a.authenticate(withHeader("X-API-Key", "k".repeat(2000))).reason())
        .isEqualTo("malformed API key");
  }

  @Test
  void headerNameIsConfigurable() {
    ApiKeyAuthenticator a =
        ApiKeyAuthenticator.builder().headerName("X-Service-Token").key(ALICE_KEY, "svc").build();
    assertThat(a.authenticate(withHeader("x-service-token", ALICE_KEY)).isAllowed()).isTrue();
    assertThat(a.authenticate(withHeader("X-API-Key", ALICE_KEY)).outcome())
        .isEqualTo(AuthResult.Outcome.NO_CREDENTIALS);
  }

  @Test
  void keysRotateAtRuntime() {
    ApiKeyAuthenticator a = ApiKeyAuthenticator.builder().key(ALICE_KEY, "alice").build();
    a.addKey(BOB_KEY, "alice");
    assertThat(a.authenticate(withHeader("X-API-Key", BOB_KEY)).isAllowed()).isTrue();
    assertThat(a.removeKey(ALICE_KEY)).isTrue();
    assertThat(a.removeKey(ALICE_KEY)).isFalse();
    assertThat(a.authenticate(withHeader("X-API-Key", ALICE_KEY)).reason())
        .isEqualTo("unknown API key");
    a.addKeyHash(ApiKeyAuthenticator.hashKey(ALICE_KEY).toUpperCase(), "alice-again");
    assertThat(a.authenticate(withHeader("X-API-Key", ALICE_KEY)).principal().orElseThrow().name())
        .isEqualTo("alice-again");
    // Re-adding an existing key replaces its principal instead of duplicating it.
    a.addKey(ALICE_KEY, "carol");
    assertThat(a.size()).isEqualTo(2);
    assertThat(a.authenticate(withHeader("X-API-Key", ALICE_KEY)).principal().orElseThrow().name())
        .isEqualTo("carol");
    assertThat(a.removeKeyHash(ApiKeyAuthenticator.hashKey(BOB_KEY))).isTrue();
    assertThat(a.size()).isEqualTo(1);
  }

  @Test
  void configurationIsValidatedWithoutEchoingKeys() {
    assertThatThrownBy(() -> ApiKeyAuthenticator.builder().key("short", "a"))
        .hasMessageContaining("API key length is 5; allowed: 16 to 1024")
        .hasMessageNotContaining("short'");
    assertThatThrownBy(() -> ApiKeyAuthenticator.builder().key(" " + ALICE_KEY, "a"))
        .hasMessageContaining("whitespace");
    assertThatThrownBy(() -> ApiKeyAuthenticator.builder().keyHash("abc", "a"))
        .hasMessageContaining("64 hex digits");
    assertThatThrownBy(() -> ApiKeyAuthenticator.builder().key(ALICE_KEY, " "))
        .hasMessageContaining("principal must be non-blank");
    assertThatThrownBy(() -> ApiKeyAuthenticator.builder().headerName("bad header"))
        .hasMessageContaining("headerName must be an HTTP token");
  }

  @Test
  void lookupsStayCorrectWhileKeysChange() throws Exception {
    // Readers must always accept the permanent key and never see a torn index while a writer
    // adds and removes other keys.
    ApiKeyAuthenticator a = ApiKeyAuthenticator.builder().key(ALICE_KEY, "alice").build();
    int readers = 4;
    ExecutorService pool = Executors.newFixedThreadPool(readers + 1);
    CountDownLatch start = new CountDownLatch(1);
    AtomicBoolean stop = new AtomicBoolean();
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int r = 0; r < readers; r++) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  int checks = 0;
                  while (!stop.get() && checks < 200_000) {
                    AuthResult res = a.authenticate(withHeader("X-API-Key", ALICE_KEY));
                    if (!res.isAllowed() || !res.principal().orElseThrow().name().equals("alice")) {
                      throw new AssertionError("permanent key rejected: " + res);
                    }
                    checks++;
                  }
                  return checks;
                }));
      }
      Future<?> writer =
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < 2_000; i++) {
                  String k = "rotating-key-" + String.format("%08d", i);
                  a.addKey(k, "temp" + i);
                  if (!a.authenticate(withHeader("X-API-Key", k)).isAllowed()) {
                    throw new AssertionError("added key not visible to its writer");
                  }
                  a.removeKey(k);
                  if (a.authenticate(withHeader("X-API-Key", k)).isAllowed()) {
                    throw new AssertionError("removed key still accepted");
                  }
                }
                return null;
              });
      start.countDown();
      writer.get(60, TimeUnit.SECONDS);
      stop.set(true);
      for (Future<Integer> f : results) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isPositive();
      }
      assertThat(a.size()).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }
}
