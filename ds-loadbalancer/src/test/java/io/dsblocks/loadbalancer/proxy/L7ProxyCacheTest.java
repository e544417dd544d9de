package io.dsblocks.loadbalancer.proxy;

import static io.dsblocks.loadbalancer.proxy.Fixtures.CLIENT;
import static io.dsblocks.loadbalancer.proxy.Fixtures.CLIENT_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dsblocks.cache.edge.EdgeCache;
import io.dsblocks.cache.edge.EdgeCacheConfig;
import io.dsblocks.cache.edge.EdgeCaches;
import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.LoadBalancers;
import io.dsblocks.loadbalancer.Strategies;
import io.dsblocks.loadbalancer.proxy.ScriptedBackend.Answer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Per-route response caching in the L7 proxy through ds-cache's edge cache, over real sockets: the
 * cache's clock is a manual one, so expiry is driven by the test (no sleeps), and the backend
 * counts every request it receives.
 */
@Tag("integration")
@ExtendWith(LeakCheck.class)
class L7ProxyCacheTest {
  private static final int MAX_OBJECT = 64 * 1024;

  /** A clock the test moves. */
  private static final class ManualClock implements InstantSource {
    final AtomicLong millis = new AtomicLong(1_767_225_600_000L);

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }

    void advanceSeconds(long s) {
      millis.addAndGet(s * 1000);
    }
  }

  private final ManualClock clock = new ManualClock();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private ScriptedBackend backend;
  private EdgeCache cache;
  private L7Proxy proxy;
  private Duration routeTimeout;

  @AfterEach
  void stop() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  /**
   * One backend, a caching route over it (after any extra endpoints), and a proxy with {@code
   * ioThreads} loops.
   */
  private void start(
      Function<ScriptedBackend.Seen, Answer> script, int ioThreads, Endpoint... before) {
    backend = ScriptedBackend.start("origin", script);
    toClose.add(backend);
    cache =
        EdgeCaches.create(
            EdgeCacheConfig.builder()
                .name("route-cache")
                .clock(clock)
                .maximumBytes(8L << 20)
                .maxObjectBytes(MAX_OBJECT)
                .build());
    proxy =
        L7Proxy.start(
            ProxyConfig.builder()
                .bind("127.0.0.1", 0)
                .ioThreads(ioThreads)
                .shutdownTimeout(Duration.ofSeconds(5))
                .pool(
                    BackendPool.of(
                        "web",
                        LoadBalancers.builder(Strategies.roundRobin())
                            .name("cache-test")
                            .seed(1)
                            .build(endpoints(before))))
                .route(routeTimeout(Route.builder("cached").toPool("web").cache(cache)).build())
                .build());
    toClose.add(proxy);
  }

  private Route.Builder routeTimeout(Route.Builder b) {
    return routeTimeout == null ? b : b.requestTimeout(routeTimeout).maxRetries(0);
  }

  private List<Endpoint> endpoints(Endpoint... before) {
    List<Endpoint> list = new ArrayList<>(List.of(before));
    list.add(backend.endpoint());
    return list;
  }

  private void start(Function<ScriptedBackend.Seen, Answer> script) {
    start(script, 1);
  }

  private HttpResponse<String> send(String method, String path, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + path))
            .timeout(CLIENT_TIMEOUT)
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      b.headers(headers);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    return send("GET", path, headers);
  }

  private static String xCache(HttpResponse<?> r) {
    return r.headers().firstValue("x-cache").orElse("none");
  }

  @Test
  void aSecondGetIsAHitThatNeverReachesTheBackend() throws Exception {
    start(s -> Answer.of(200, "hello " + s.uri(), "Cache-Control", "max-age=60"));
    HttpResponse<String> first = get("/a?x=1");
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body()).isEqualTo("hello /a?x=1");
    assertThat(xCache(first)).isEqualTo("MISS");

    clock.advanceSeconds(5);
    HttpResponse<String> second = get("/a?x=1");
    assertThat(second.body()).isEqualTo("hello /a?x=1");
    assertThat(xCache(second)).isEqualTo("HIT");
    assertThat(second.headers().firstValue("age")).hasValue("5");
    assertThat(second.headers().firstValue("via"))
        .hasValueSatisfying(v -> assertThat(v).contains("1.1"));
    assertThat(backend.requests()).isEqualTo(1);
    // A different query is a different key.
    assertThat(xCache(get("/a?x=2"))).isEqualTo("MISS");
    assertThat(backend.requests()).isEqualTo(2);
    // Misses go through pooled keep-alive connections like any request.
    assertThat(backend.connections()).isEqualTo(1);
    assertThat(cache.stats().hits()).isEqualTo(1);
  }

  @Test
  void anExpiredEntryIsRevalidatedWithItsEtagAndA304RefreshesIt() throws Exception {
    start(
        s ->
            "\"v1\"".equals(s.headers().get("if-none-match"))
                ? Answer.of(304, "", "ETag", "\"v1\"", "Cache-Control", "max-age=10")
                : Answer.of(200, "version one", "ETag", "\"v1\"", "Cache-Control", "max-age=10"));
    assertThat(xCache(get("/doc"))).isEqualTo("MISS");
    clock.advanceSeconds(11);

    HttpResponse<String> revalidated = get("/doc");
    assertThat(revalidated.statusCode()).isEqualTo(200);
    assertThat(revalidated.body()).isEqualTo("version one");
    assertThat(xCache(revalidated)).isEqualTo("REVALIDATED");
    assertThat(backend.requests()).isEqualTo(2);
    assertThat(backend.last().headers()).containsEntry("if-none-match", "\"v1\"");

    HttpResponse<String> hit = get("/doc");
    assertThat(xCache(hit)).isEqualTo("HIT");
    assertThat(hit.body()).isEqualTo("version one");
    assertThat(backend.requests()).isEqualTo(2);

    // A client's own conditional is answered from the cache with a 304.
    HttpResponse<String> notModified = get("/doc", "If-None-Match", "\"v1\"");
    assertThat(notModified.statusCode()).isEqualTo(304);
    assertThat(notModified.body()).isEmpty();
    assertThat(backend.requests()).isEqualTo(2);
  }

  @Test
  void noStoreSetCookieAndAuthorizedResponsesAreNotCached() throws Exception {
    start(
        s -> {
          if (s.uri().startsWith("/nostore")) {
            return Answer.of(200, "secret", "Cache-Control", "no-store");
          }
          if (s.uri().startsWith("/cookie")) {
            return Answer.of(200, "cookie", "Cache-Control", "max-age=60", "Set-Cookie", "sid=42");
          }
          return Answer.of(
              200, "for " + s.headers().get("authorization"), "Cache-Control", "max-age=60");
        });
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> r = get("/nostore");
      assertThat(r.body()).isEqualTo("secret");
      assertThat(xCache(r)).isEqualTo("PASS");
    }
    assertThat(backend.requests()).isEqualTo(2);

    for (int i = 0; i < 2; i++) {
      HttpResponse<String> r = get("/cookie");
      assertThat(r.body()).isEqualTo("cookie");
      assertThat(xCache(r)).isEqualTo("PASS");
      assertThat(r.headers().firstValue("set-cookie")).hasValue("sid=42");
      // The proxy's own no-store (added so the cache never stores the cookie) is not sent on.
      assertThat(r.headers().allValues("cache-control")).containsExactly("max-age=60");
    }
    assertThat(backend.requests()).isEqualTo(4);

    assertThat(get("/private", "Authorization", "Bearer alice").body())
        .isEqualTo("for Bearer alice");
    HttpResponse<String> bob = get("/private", "Authorization", "Bearer bob");
    assertThat(bob.body()).isEqualTo("for Bearer bob");
    assertThat(xCache(bob)).isEqualTo("PASS");
    assertThat(backend.requests()).isEqualTo(6);
    assertThat(cache.stats().stored()).isZero();
  }

  @Test
  void postBypassesTheCacheEntirely() throws Exception {
    start(s -> Answer.of(200, s.method() + " done", "Cache-Control", "max-age=60"));
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> r =
          CLIENT.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/form"))
                  .timeout(CLIENT_TIMEOUT)
                  .POST(HttpRequest.BodyPublishers.ofString("a=1"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.body()).isEqualTo("POST done");
      assertThat(r.headers().firstValue("x-cache")).isEmpty();
    }
    assertThat(backend.requests()).isEqualTo(2);
    assertThat(cache.stats().originFetches()).isZero();
    assertThat(cache.stats().misses()).isZero();
  }

  @Test
  void fiftyConcurrentMissesForOneKeyMakeOneBackendRequest() throws Exception {
    start(s -> Answer.of(200, "shared body", "Cache-Control", "max-age=60"), 2);
    backend.hold();
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      responses.add(
          CLIENT.sendAsync(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/hot"))
                  .timeout(CLIENT_TIMEOUT)
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    // Every request has reached the cache: one leads the fill, 49 wait for it.
    await().atMost(Duration.ofSeconds(20)).until(() -> cache.stats().coalescedWaits() == 49);
    assertThat(backend.requests()).isEqualTo(1);
    backend.release();
    int misses = 0;
    for (CompletableFuture<HttpResponse<String>> f : responses) {
      HttpResponse<String> r = f.get(20, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("shared body");
      assertThat(xCache(r)).isEqualTo("MISS");
      misses++;
    }
    assertThat(misses).isEqualTo(50);
    assertThat(backend.requests()).isEqualTo(1);
  }

  @Test
  void anOversizedResponseIsDeliveredIntactAndNotCached() throws Exception {
    byte[] big = new byte[MAX_OBJECT * 3 + 123];
    new Random(7).nextBytes(big);
    start(
        s ->
            new Answer(
                200, List.of("Cache-Control", "max-age=60"), big, s.uri().startsWith("/chunked")));
    for (String path : List.of("/sized", "/sized", "/chunked", "/chunked")) {
      HttpResponse<byte[]> r =
          CLIENT.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + path))
                  .timeout(CLIENT_TIMEOUT)
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(Arrays.equals(r.body(), big)).as("body of %s intact", path).isTrue();
      assertThat(xCache(r)).isEqualTo("PASS");
    }
    assertThat(backend.requests()).isEqualTo(4);
    assertThat(cache.stats().stored()).isZero();
    // A small response on the same connection still works and is cached.
    backend.script(s -> Answer.of(200, "small", "Cache-Control", "max-age=60"));
    assertThat(xCache(get("/small"))).isEqualTo("MISS");
    assertThat(xCache(get("/small"))).isEqualTo("HIT");
  }

  @Test
  void headIsPassedThroughOnAMissAndServedFromAStoredGet() throws Exception {
    start(s -> Answer.of(200, "twelve bytes", "Cache-Control", "max-age=60"));
    HttpResponse<String> headMiss = send("HEAD", "/h");
    assertThat(headMiss.statusCode()).isEqualTo(200);
    assertThat(headMiss.body()).isEmpty();
    assertThat(xCache(headMiss)).isEqualTo("PASS");
    assertThat(backend.last().method()).isEqualTo("HEAD");

    assertThat(xCache(get("/h"))).isEqualTo("MISS");
    HttpResponse<String> headHit = send("HEAD", "/h");
    assertThat(xCache(headHit)).isEqualTo("HIT");
    assertThat(headHit.body()).isEmpty();
    assertThat(headHit.headers().firstValue("content-length")).hasValue("12");
    assertThat(backend.requests()).isEqualTo(2);
    // The connection is still usable after the body-less answers.
    assertThat(get("/h").body()).isEqualTo("twelve bytes");
  }

  @Test
  void aDownBackendWithStaleIfErrorServesStale() throws Exception {
    start(
        s ->
            s.uri().startsWith("/sie")
                ? Answer.of(200, "old but fine", "Cache-Control", "max-age=1, stale-if-error=600")
                : Answer.of(200, "no grace", "Cache-Control", "max-age=1", "ETag", "\"x\""));
    assertThat(xCache(get("/sie"))).isEqualTo("MISS");
    assertThat(xCache(get("/strict"))).isEqualTo("MISS");
    clock.advanceSeconds(5);
    backend.kill();

    HttpResponse<String> stale = get("/sie");
    assertThat(stale.statusCode()).isEqualTo(200);
    assertThat(stale.body()).isEqualTo("old but fine");
    assertThat(xCache(stale)).isEqualTo("STALE");
    assertThat(stale.headers().firstValue("age")).hasValue("5");

    HttpResponse<String> failed = get("/strict");
    assertThat(failed.statusCode()).isEqualTo(502);
    assertThat(cache.stats().staleIfError()).isEqualTo(1);
  }

  @Test
  void staleWhileRevalidateAnswersAtOnceAndRefreshesInTheBackground() throws Exception {
    AtomicLong version = new AtomicLong(1);
    start(
        s ->
            Answer.of(
                200, "v" + version.get(), "Cache-Control", "max-age=1, stale-while-revalidate=60"));
    assertThat(get("/swr").body()).isEqualTo("v1");
    clock.advanceSeconds(3);
    version.set(2);
    HttpResponse<String> stale = get("/swr");
    assertThat(xCache(stale)).isEqualTo("STALE");
    assertThat(stale.body()).isEqualTo("v1");
    await().atMost(Duration.ofSeconds(10)).until(() -> cache.stats().stored() == 2);
    assertThat(backend.requests()).isEqualTo(2);
    HttpResponse<String> fresh = get("/swr");
    assertThat(xCache(fresh)).isEqualTo("HIT");
    assertThat(fresh.body()).isEqualTo("v2");
  }

  @Test
  void purgeRemovesAnEntry() throws Exception {
    start(s -> Answer.of(200, "p", "Cache-Control", "max-age=60"));
    assertThat(xCache(get("/p"))).isEqualTo("MISS");
    assertThat(xCache(get("/p"))).isEqualTo("HIT");
    assertThat(cache.purge("/p")).isEqualTo(1);
    assertThat(xCache(get("/p"))).isEqualTo("MISS");
    assertThat(backend.requests()).isEqualTo(2);
  }

  @Test
  void varyKeepsOneVariantPerSelectingHeaderValue() throws Exception {
    start(
        s ->
            Answer.of(
                200,
                "lang=" + s.headers().get("accept-language"),
                "Cache-Control",
                "max-age=60",
                "Vary",
                "Accept-Language"));
    assertThat(get("/v", "Accept-Language", "en").body()).isEqualTo("lang=en");
    assertThat(get("/v", "Accept-Language", "de").body()).isEqualTo("lang=de");
    assertThat(backend.requests()).isEqualTo(2);
    HttpResponse<String> en = get("/v", "Accept-Language", "en");
    HttpResponse<String> de = get("/v", "Accept-Language", "de");
    assertThat(en.body()).isEqualTo("lang=en");
    assertThat(de.body()).isEqualTo("lang=de");
    assertThat(xCache(en)).isEqualTo("HIT");
    assertThat(xCache(de)).isEqualTo("HIT");
    assertThat(backend.requests()).isEqualTo(2);
  }

  @Test
  void aBackendErrorWithoutAnythingStoredIsPassedThrough() throws Exception {
    start(s -> Answer.of(500, "boom"));
    HttpResponse<String> r = get("/err");
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(r.body()).isEqualTo("boom");
    assertThat(xCache(r)).isEqualTo("PASS");
  }

  @Test
  void aMissIsRetriedOnAnotherEndpointLikeAnyRequest() throws Exception {
    ScriptedBackend dead = ScriptedBackend.start("dead", x -> Answer.of(200, "never"));
    Endpoint deadEndpoint = dead.endpoint();
    dead.close(); // its port now refuses connections
    start(s -> Answer.of(200, "from the live one", "Cache-Control", "max-age=60"), 1, deadEndpoint);
    // Round robin picks the dead endpoint first; the fill retries on the live one.
    HttpResponse<String> r = get("/retry");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("from the live one");
    assertThat(xCache(r)).isEqualTo("MISS");
    assertThat(proxy.stats().retries()).isEqualTo(1);
    assertThat(xCache(get("/retry"))).isEqualTo("HIT");
    assertThat(backend.requests()).isEqualTo(1);
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrderFromFillAndCache() throws Exception {
    start(s -> Answer.of(200, "piped " + s.uri(), "Cache-Control", "max-age=60"));
    try (RawHttp raw = new RawHttp(proxy.port())) {
      raw.send(
          "GET /one HTTP/1.1\r\nHost: x\r\n\r\n"
              + "GET /one HTTP/1.1\r\nHost: x\r\n\r\n"
              + "HEAD /one HTTP/1.1\r\nHost: x\r\n\r\n"
              + "GET /two HTTP/1.1\r\nHost: x\r\n\r\n");
      RawHttp.Response first = raw.read();
      RawHttp.Response second = raw.read();
      RawHttp.Response third = raw.read(true);
      RawHttp.Response fourth = raw.read();
      assertThat(first.text()).isEqualTo("piped /one");
      assertThat(first.header("x-cache")).isEqualTo("MISS");
      assertThat(second.text()).isEqualTo("piped /one");
      assertThat(second.header("x-cache")).isEqualTo("HIT");
      assertThat(third.header("x-cache")).isEqualTo("HIT");
      assertThat(third.header("content-length")).isEqualTo("10");
      assertThat(fourth.text()).isEqualTo("piped /two");
      assertThat(fourth.header("x-cache")).isEqualTo("MISS");
    }
    assertThat(backend.requests()).isEqualTo(2);
  }

  @Test
  void aClientLeavingAnOversizedStreamClosesTheBackendConnectionWithoutLeaks() throws Exception {
    byte[] huge = new byte[8 << 20];
    start(s -> new Answer(200, List.of("Cache-Control", "max-age=60"), huge, true));
    try (RawHttp raw = new RawHttp(proxy.port())) {
      raw.send("GET /huge HTTP/1.1\r\nHost: x\r\n\r\n");
      raw.timeout(10_000);
      byte[] start = new byte[4096];
      raw.readSome(start);
      assertThat(new String(start, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200");
    }
    // The proxy stops reading the half-sent body and closes that backend connection.
    await().atMost(Duration.ofSeconds(20)).until(() -> backend.openConnections() == 0);
    assertThat(cache.stats().stored()).isZero();
    backend.script(s -> Answer.of(200, "after", "Cache-Control", "max-age=60"));
    assertThat(get("/after").body()).isEqualTo("after");
  }

  @Test
  void routeCacheIsOptionalAndValidated() {
    assertThat(Route.all("r", "p").cache()).isEmpty();
    EdgeCache c = EdgeCaches.create(EdgeCacheConfig.builder().build());
    assertThat(Route.builder("r").toPool("p").cache(c).build().cache()).containsSame(c);
    assertThatThrownBy(() -> Route.builder("r").cache(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("route 'r' cache");
  }

  @Test
  void aFillThatTimesOutGives504ToTheLeaderAndEveryWaiter() throws Exception {
    routeTimeout = Duration.ofMillis(300);
    start(s -> Answer.of(200, "too late", "Cache-Control", "max-age=60"));
    backend.hold(); // accepts, never answers
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      responses.add(
          CLIENT.sendAsync(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/slow"))
                  .timeout(CLIENT_TIMEOUT)
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> f : responses) {
      assertThat(f.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(504);
    }
    // The waiters shared the leader's fill (or, arriving after it failed, made their own).
    assertThat(backend.requests()).isBetween(1, 3);
    assertThat(cache.stats().originErrors()).isPositive();
  }
}
