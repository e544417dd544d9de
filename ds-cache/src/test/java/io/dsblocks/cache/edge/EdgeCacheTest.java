package io.dsblocks.cache.edge;

import static io.dsblocks.cache.edge.FakeOrigin.response;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class EdgeCacheTest {

  private final ManualClock clock = new ManualClock();
  private final List<String> events = new ArrayList<>();

  private EdgeCache cache(FakeOrigin origin) {
    return EdgeCaches.create(
        EdgeCacheConfig.builder()
            .origin(origin)
            .clock(clock)
            .maximumBytes(1 << 20)
            .maxObjectBytes(1024)
            .listener((e, k) -> events.add(e + ":" + k))
            .build());
  }

  private static EdgeResult get(EdgeCache cache, EdgeRequest request) {
    return cache.get(request).toCompletableFuture().join();
  }

  private static EdgeResult get(EdgeCache cache, String uri) {
    return get(cache, EdgeRequest.get(uri));
  }

  private static String body(EdgeResult r) {
    return new String(r.response().bodyBytes(), StandardCharsets.UTF_8);
  }

  private static String httpDate(long epochMillis) {
    return DateTimeFormatter.RFC_1123_DATE_TIME.format(
        Instant.ofEpochMilli(epochMillis).atOffset(ZoneOffset.UTC));
  }

  @Test
  void missThenFreshHitWithAgeThenStaleRefetch() {
    FakeOrigin origin =
        FakeOrigin.answering(200, "v1", "Cache-Control", "max-age=60", "ETag", "\"1\"");
    EdgeCache cache = cache(origin);

    EdgeResult first = get(cache, "/a");
    assertThat(first.status()).isEqualTo(EdgeResult.Status.MISS);
    assertThat(body(first)).isEqualTo("v1");
    assertThat(first.response().headers().first("age")).isEqualTo("0");

    clock.advanceSeconds(59);
    EdgeResult hit = get(cache, "/a");
    assertThat(hit.status()).isEqualTo(EdgeResult.Status.HIT);
    assertThat(hit.response().headers().first("Age")).isEqualTo("59");
    assertThat(origin.calls).hasValue(1);

    clock.advanceSeconds(1); // age 60 == max-age: stale
    origin.respond(200, "v2", "Cache-Control", "max-age=60");
    EdgeResult refetched = get(cache, "/a");
    assertThat(refetched.status()).isEqualTo(EdgeResult.Status.REVALIDATED);
    assertThat(body(refetched)).isEqualTo("v2");
    assertThat(origin.calls).hasValue(2);
    assertThat(cache.stats().hits()).isEqualTo(1);
    assertThat(cache.stats().revalidatedModified()).isEqualTo(1);
    assertThat(origin.last().headers().first("if-none-match")).isEqualTo("\"1\"");

    // Without a validator or stale window a stale entry is useless: dropped, plain miss.
    clock.advanceSeconds(60);
    assertThat(get(cache, "/a").status()).isEqualTo(EdgeResult.Status.MISS);
  }

  @Test
  void sMaxAgeWinsOverMaxAgeForASharedCache() {
    FakeOrigin origin = FakeOrigin.answering(200, "x", "Cache-Control", "max-age=10, s-maxage=100");
    EdgeCache cache = cache(origin);
    get(cache, "/s");
    clock.advanceSeconds(50);
    assertThat(get(cache, "/s").status()).isEqualTo(EdgeResult.Status.HIT);
    clock.advanceSeconds(50);
    assertThat(get(cache, "/s").status()).isNotEqualTo(EdgeResult.Status.HIT);
  }

  @Test
  void noStoreAndPrivateAreNeverStored() {
    FakeOrigin origin = FakeOrigin.answering(200, "x", "Cache-Control", "no-store, max-age=60");
    EdgeCache cache = cache(origin);
    assertThat(get(cache, "/n").status()).isEqualTo(EdgeResult.Status.PASS);
    assertThat(get(cache, "/n").status()).isEqualTo(EdgeResult.Status.PASS);
    origin.respond(200, "x", "Cache-Control", "private, max-age=60");
    assertThat(get(cache, "/p").status()).isEqualTo(EdgeResult.Status.PASS);
    assertThat(get(cache, "/p").status()).isEqualTo(EdgeResult.Status.PASS);
    assertThat(origin.calls).hasValue(4);
    assertThat(cache.stats().entries()).isZero();
  }

  @Test
  void requestWithAuthorizationIsStoredOnlyWhenExplicitlyShareable() {
    FakeOrigin origin = FakeOrigin.answering(200, "x", "Cache-Control", "max-age=60");
    EdgeCache cache = cache(origin);
    EdgeRequest auth = EdgeRequest.get("/me", EdgeHeaders.of("Authorization", "Bearer t"));
    get(cache, auth);
    get(cache, auth);
    assertThat(origin.calls).hasValue(2);
    origin.respond(200, "x", "Cache-Control", "public, max-age=60");
    get(cache, auth.withHeaders(EdgeHeaders.of("Authorization", "Bearer t")));
    assertThat(get(cache, "/me").status()).isEqualTo(EdgeResult.Status.HIT);
  }

  @Test
  void noCacheIsStoredButRevalidatedOnEveryUseWith304ReusingTheBody() {
    FakeOrigin origin =
        FakeOrigin.answering(200, "body", "Cache-Control", "no-cache", "ETag", "\"e1\"");
    EdgeCache cache = cache(origin);
    get(cache, "/nc");
    origin.respond(304, "", "ETag", "\"e1\"", "X-Fresh", "yes");
    EdgeResult r = get(cache, "/nc");
    assertThat(r.status()).isEqualTo(EdgeResult.Status.REVALIDATED);
    assertThat(body(r)).isEqualTo("body");
    assertThat(r.response().status()).isEqualTo(200);
    assertThat(r.response().headers().first("x-fresh")).isEqualTo("yes");
    assertThat(origin.last().headers().first("If-None-Match")).isEqualTo("\"e1\"");
    get(cache, "/nc");
    assertThat(origin.calls).hasValue(3);
    assertThat(cache.stats().revalidatedNotModified()).isEqualTo(2);
  }

  @Test
  void revalidationWithLastModifiedRefreshesFreshnessFrom304() {
    String lm = httpDate(ManualClock.START - 86_400_000L);
    FakeOrigin origin =
        FakeOrigin.answering(200, "doc", "Cache-Control", "max-age=10", "Last-Modified", lm);
    EdgeCache cache = cache(origin);
    get(cache, "/lm");
    clock.advanceSeconds(11);
    origin.respond(304, "", "Cache-Control", "max-age=100");
    EdgeResult r = get(cache, "/lm");
    assertThat(r.status()).isEqualTo(EdgeResult.Status.REVALIDATED);
    assertThat(body(r)).isEqualTo("doc");
    assertThat(origin.last().headers().first("if-modified-since")).isEqualTo(lm);
    assertThat(origin.last().headers().contains("if-none-match")).isFalse();
    // The 304's max-age=100 now governs the stored entry.
    clock.advanceSeconds(90);
    assertThat(get(cache, "/lm").status()).isEqualTo(EdgeResult.Status.HIT);
    assertThat(r.response().headers().first("cache-control")).isEqualTo("max-age=100");
    assertThat(origin.calls).hasValue(2);
  }

  @Test
  void expiresAndDateFallbackAndOriginAgeAreHonoured() {
    long date = ManualClock.START;
    FakeOrigin origin =
        FakeOrigin.answering(
            200, "e", "Date", httpDate(date), "Expires", httpDate(date + 30_000), "ETag", "\"x\"");
    EdgeCache cache = cache(origin);
    get(cache, "/exp");
    clock.advanceSeconds(29);
    assertThat(get(cache, "/exp").status()).isEqualTo(EdgeResult.Status.HIT);
    clock.advanceSeconds(1);
    origin.respond(304, "");
    assertThat(get(cache, "/exp").status()).isEqualTo(EdgeResult.Status.REVALIDATED);

    // Age from upstream counts: max-age=60 with Age: 50 leaves 10 seconds.
    origin.respond(200, "aged", "Cache-Control", "max-age=60", "Age", "50");
    EdgeResult first = get(cache, "/aged");
    assertThat(first.response().headers().first("age")).isEqualTo("50");
    clock.advanceSeconds(9);
    assertThat(get(cache, "/aged").response().headers().first("age")).isEqualTo("59");
    clock.advanceSeconds(1);
    assertThat(get(cache, "/aged").status()).isNotEqualTo(EdgeResult.Status.HIT);
  }

  @Test
  void invalidExpiresMeansAlreadyStale() {
    FakeOrigin origin = FakeOrigin.answering(200, "x", "Expires", "0", "ETag", "\"1\"");
    EdgeCache cache = cache(origin);
    get(cache, "/e0");
    origin.respond(304, "");
    assertThat(get(cache, "/e0").status()).isEqualTo(EdgeResult.Status.REVALIDATED);
  }

  @Test
  void responseWithoutFreshnessOrValidatorIsNotStored() {
    FakeOrigin origin = FakeOrigin.answering(200, "x");
    EdgeCache cache = cache(origin);
    assertThat(get(cache, "/h").status()).isEqualTo(EdgeResult.Status.PASS);
    assertThat(cache.stats().entries()).isZero();
  }

  @Test
  void statusCodesNotCacheableByDefaultNeedExplicitFreshness() {
    FakeOrigin origin = FakeOrigin.answering(302, "", "Location", "/x", "ETag", "\"1\"");
    EdgeCache cache = cache(origin);
    assertThat(get(cache, "/r").status()).isEqualTo(EdgeResult.Status.PASS);
    origin.respond(302, "", "Location", "/x", "Cache-Control", "max-age=60");
    get(cache, "/r2");
    assertThat(get(cache, "/r2").status()).isEqualTo(EdgeResult.Status.HIT);
    origin.respond(404, "", "Cache-Control", "max-age=60");
    get(cache, "/missing");
    assertThat(get(cache, "/missing").response().status()).isEqualTo(404);
    assertThat(origin.calls).hasValue(3);
  }

  @Test
  void staleWhileRevalidateServesStaleAndRevalidatesOnceInTheBackground() {
    FakeOrigin origin =
        FakeOrigin.answering(
            200, "old", "Cache-Control", "max-age=10, stale-while-revalidate=30", "ETag", "\"1\"");
    EdgeCache cache = cache(origin);
    get(cache, "/swr");
    clock.advanceSeconds(15);
    origin.hold();
    origin.respond(200, "new", "Cache-Control", "max-age=10, stale-while-revalidate=30");
    for (int i = 0; i < 5; i++) {
      EdgeResult r = get(cache, "/swr");
      assertThat(r.status()).isEqualTo(EdgeResult.Status.STALE);
      assertThat(body(r)).isEqualTo("old");
      assertThat(r.response().headers().first("age")).isEqualTo("15");
    }
    assertThat(origin.calls).hasValue(2); // one background revalidation for five stale hits
    assertThat(origin.last().headers().first("if-none-match")).isEqualTo("\"1\"");
    origin.release();
    EdgeResult after = get(cache, "/swr");
    assertThat(after.status()).isEqualTo(EdgeResult.Status.HIT);
    assertThat(body(after)).isEqualTo("new");
    assertThat(cache.stats().staleWhileRevalidate()).isEqualTo(5);
    assertThat(cache.stats().coalescedWaits()).isEqualTo(4);
  }

  @Test
  void beyondTheStaleWhileRevalidateWindowTheRequestWaits() {
    FakeOrigin origin =
        FakeOrigin.answering(
            200, "old", "Cache-Control", "max-age=10, stale-while-revalidate=5", "ETag", "\"1\"");
    EdgeCache cache = cache(origin);
    get(cache, "/w");
    clock.advanceSeconds(16);
    origin.respond(304, "");
    assertThat(get(cache, "/w").status()).isEqualTo(EdgeResult.Status.REVALIDATED);
  }

  @Test
  void staleIfErrorServesStaleOnExceptionAnd5xxWithinTheWindowOnly() {
    FakeOrigin origin =
        FakeOrigin.answering(200, "good", "Cache-Control", "max-age=10, stale-if-error=60");
    EdgeCache cache = cache(origin);
    get(cache, "/sie");
    clock.advanceSeconds(20);
    origin.fail(new IllegalStateException("connection refused"));
    EdgeResult r = get(cache, "/sie");
    assertThat(r.status()).isEqualTo(EdgeResult.Status.STALE);
    assertThat(body(r)).isEqualTo("good");

    origin.respond(503, "down");
    EdgeResult r503 = get(cache, "/sie");
    assertThat(r503.status()).isEqualTo(EdgeResult.Status.STALE);
    assertThat(body(r503)).isEqualTo("good");
    assertThat(cache.stats().staleIfError()).isEqualTo(2);

    clock.advanceSeconds(51); // 71 s stale > 60
    EdgeResult passed = get(cache, "/sie");
    assertThat(passed.response().status()).isEqualTo(503);
    origin.fail(new IllegalStateException("connection refused"));
    assertThatThrownBy(() -> get(cache, "/sie"))
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(OriginException.class)
        .hasRootCauseMessage("connection refused");
  }

  @Test
  void mustRevalidateAndProxyRevalidateForbidStaleServing() {
    for (String directive : List.of("must-revalidate", "proxy-revalidate")) {
      FakeOrigin origin =
          FakeOrigin.answering(
              200,
              "x",
              "Cache-Control",
              "max-age=10, stale-while-revalidate=60, stale-if-error=60, " + directive);
      EdgeCache cache = cache(origin);
      get(cache, "/m");
      clock.advanceSeconds(11);
      origin.fail(new IllegalStateException("down"));
      assertThatThrownBy(() -> get(cache, "/m")).hasCauseInstanceOf(OriginException.class);
      assertThat(cache.stats().staleWhileRevalidate()).isZero();
      assertThat(cache.stats().staleIfError()).isZero();
    }
  }

  @Test
  void originThatThrowsSynchronouslyOrReturnsNullIsAFailure() {
    EdgeCache throwing =
        cache(
            new FakeOrigin(
                r -> {
                  throw new IllegalArgumentException("boom");
                }));
    assertThatThrownBy(() -> get(throwing, "/t")).hasRootCauseMessage("boom");
    EdgeCache nulls =
        EdgeCaches.create(EdgeCacheConfig.builder().origin(r -> null).clock(clock).build());
    assertThatThrownBy(() -> get(nulls, "/n")).hasCauseInstanceOf(OriginException.class);
  }

  @Test
  void varyKeepsOneVariantPerSelectingHeaderValue() {
    FakeOrigin origin =
        new FakeOrigin(
            r ->
                response(
                    200,
                    "enc=" + r.headers().first("accept-encoding"),
                    "Cache-Control",
                    "max-age=60",
                    "Vary",
                    "Accept-Encoding"));
    EdgeCache cache = cache(origin);
    EdgeRequest gzip = EdgeRequest.get("/v", EdgeHeaders.of("Accept-Encoding", "gzip"));
    EdgeRequest br = EdgeRequest.get("/v", EdgeHeaders.of("Accept-Encoding", "br"));
    assertThat(body(get(cache, gzip))).isEqualTo("enc=gzip");
    assertThat(body(get(cache, br))).isEqualTo("enc=br");
    assertThat(get(cache, gzip).status()).isEqualTo(EdgeResult.Status.HIT);
    assertThat(body(get(cache, gzip))).isEqualTo("enc=gzip");
    assertThat(body(get(cache, br))).isEqualTo("enc=br");
    assertThat(get(cache, EdgeRequest.get("/v")).status()).isEqualTo(EdgeResult.Status.MISS);
    assertThat(origin.calls).hasValue(3);
    assertThat(cache.stats().entries()).isEqualTo(1); // one key, three variants
    // Whitespace around list elements is normalised.
    assertThat(
            get(cache, EdgeRequest.get("/w", EdgeHeaders.of("Accept-Encoding", "gzip,br")))
                .status())
        .isEqualTo(EdgeResult.Status.MISS);
    assertThat(
            get(cache, EdgeRequest.get("/w", EdgeHeaders.of("Accept-Encoding", "gzip , br")))
                .status())
        .isEqualTo(EdgeResult.Status.HIT);
  }

  @Test
  void variantsPerKeyAreBoundedDroppingTheOldest() {
    FakeOrigin origin =
        new FakeOrigin(
            r ->
                response(
                    200,
                    r.headers().first("accept"),
                    "Cache-Control",
                    "max-age=60",
                    "Vary",
                    "Accept"));
    EdgeCache cache =
        EdgeCaches.create(
            EdgeCacheConfig.builder().origin(origin).clock(clock).maxVariantsPerKey(2).build());
    for (String accept : List.of("a", "b", "c")) {
      get(cache, EdgeRequest.get("/v", EdgeHeaders.of("Accept", accept)));
    }
    assertThat(get(cache, EdgeRequest.get("/v", EdgeHeaders.of("Accept", "c"))).status())
        .isEqualTo(EdgeResult.Status.HIT);
    assertThat(get(cache, EdgeRequest.get("/v", EdgeHeaders.of("Accept", "b"))).status())
        .isEqualTo(EdgeResult.Status.HIT);
    assertThat(get(cache, EdgeRequest.get("/v", EdgeHeaders.of("Accept", "a"))).status())
        .isEqualTo(EdgeResult.Status.MISS);
  }

  @Test
  void staleEntriesWithValidatorsAreKeptForKeepStaleThenDropped() {
    FakeOrigin origin =
        FakeOrigin.answering(200, "k", "Cache-Control", "max-age=10", "ETag", "\"k\"");
    EdgeCache cache =
        EdgeCaches.create(
            EdgeCacheConfig.builder()
                .origin(origin)
                .clock(clock)
                .keepStale(Duration.ofSeconds(100))
                .build());
    get(cache, "/k");
    get(cache, "/k2");
    clock.advanceSeconds(109);
    origin.respond(304, "");
    assertThat(get(cache, "/k").status()).isEqualTo(EdgeResult.Status.REVALIDATED);
    clock.advanceSeconds(1); // /k2: 110 s old = max-age + keepStale: dropped
    origin.respond(200, "k2", "Cache-Control", "max-age=10");
    assertThat(get(cache, "/k2").status()).isEqualTo(EdgeResult.Status.MISS);
    assertThat(origin.last().headers().contains("if-none-match")).isFalse();
  }

  @Test
  void varyStarIsNotCacheable() {
    FakeOrigin origin = FakeOrigin.answering(200, "x", "Cache-Control", "max-age=60", "Vary", "*");
    EdgeCache cache = cache(origin);
    get(cache, "/star");
    assertThat(get(cache, "/star").status()).isEqualTo(EdgeResult.Status.PASS);
  }

  @Test
  void clientConditionalsAreAnsweredFromCache() {
    String lm = httpDate(ManualClock.START - 1000);
    FakeOrigin origin =
        FakeOrigin.answering(
            200, "x", "Cache-Control", "max-age=60", "ETag", "W/\"7\"", "Last-Modified", lm);
    EdgeCache cache = cache(origin);
    get(cache, "/c");
    EdgeResult inm =
        get(cache, EdgeRequest.get("/c", EdgeHeaders.of("If-None-Match", "\"1\", \"7\"")));
    assertThat(inm.response().status()).isEqualTo(304);
    assertThat(inm.response().bodyLength()).isZero();
    assertThat(inm.response().headers().first("etag")).isEqualTo("W/\"7\"");
    EdgeResult other = get(cache, EdgeRequest.get("/c", EdgeHeaders.of("If-None-Match", "\"8\"")));
    assertThat(other.response().status()).isEqualTo(200);
    EdgeResult ims = get(cache, EdgeRequest.get("/c", EdgeHeaders.of("If-Modified-Since", lm)));
    assertThat(ims.response().status()).isEqualTo(304);
    EdgeResult older =
        get(
            cache,
            EdgeRequest.get(
                "/c", EdgeHeaders.of("If-Modified-Since", httpDate(ManualClock.START - 5000))));
    assertThat(older.response().status()).isEqualTo(200);
    // The client's conditional is never forwarded on a fill.
    get(cache, EdgeRequest.get("/d", EdgeHeaders.of("If-None-Match", "\"7\"")));
    assertThat(origin.last().headers().contains("if-none-match")).isFalse();
  }

  @Test
  void headIsServedFromAStoredGetWithoutBody() {
    FakeOrigin origin = FakeOrigin.answering(200, "payload", "Cache-Control", "max-age=60");
    EdgeCache cache = cache(origin);
    EdgeRequest head = new EdgeRequest("head", "/h", EdgeHeaders.empty());
    assertThat(get(cache, head).status()).isEqualTo(EdgeResult.Status.PASS);
    get(cache, "/h");
    EdgeResult r = get(cache, head);
    assertThat(r.status()).isEqualTo(EdgeResult.Status.HIT);
    assertThat(r.response().bodyLength()).isZero();
    assertThat(origin.calls).hasValue(2);
  }

  @Test
  void successfulUnsafeMethodInvalidatesTheKey() {
    FakeOrigin origin = FakeOrigin.answering(200, "x", "Cache-Control", "max-age=60");
    EdgeCache cache = cache(origin);
    get(cache, "/u");
    EdgeRequest post = new EdgeRequest("POST", "/u", EdgeHeaders.empty());
    origin.respond(500, "err");
    get(cache, post);
    assertThat(get(cache, "/u").status()).isEqualTo(EdgeResult.Status.HIT);
    origin.respond(204, "");
    assertThat(get(cache, post).status()).isEqualTo(EdgeResult.Status.PASS);
    origin.respond(200, "y", "Cache-Control", "max-age=60");
    assertThat(get(cache, "/u").status()).isEqualTo(EdgeResult.Status.MISS);
  }

  @Test
  void bodiesOverTheObjectLimitArePassedThrough() {
    FakeOrigin origin = FakeOrigin.answering(200, "x".repeat(1025), "Cache-Control", "max-age=60");
    EdgeCache cache = cache(origin);
    assertThat(get(cache, "/big").status()).isEqualTo(EdgeResult.Status.PASS);
    assertThat(get(cache, "/big").response().bodyLength()).isEqualTo(1025);
    assertThat(cache.stats().entries()).isZero();
    assertThat(cache.stats().passes()).isEqualTo(2);
  }

  @Test
  void totalBytesAreBoundedByEviction() {
    FakeOrigin origin = FakeOrigin.answering(200, "x".repeat(1000), "Cache-Control", "max-age=600");
    EdgeCache cache =
        EdgeCaches.create(
            EdgeCacheConfig.builder()
                .origin(origin)
                .clock(clock)
                .maximumBytes(20_000)
                .maxObjectBytes(2000)
                .build());
    for (int i = 0; i < 200; i++) {
      get(cache, "/obj/" + i);
    }
    EdgeCacheStats s = cache.stats();
    assertThat(s.weightedBytes()).isLessThanOrEqualTo(20_000);
    assertThat(s.entries()).isBetween(5L, 20L);
    assertThat(s.evicted()).isEqualTo(200 - s.entries());
  }

  @Test
  void aPurgeDuringAnOriginFetchPreventsStoringThatResponse() {
    FakeOrigin origin = FakeOrigin.answering(200, "before", "Cache-Control", "max-age=60");
    EdgeCache cache = cache(origin);
    origin.hold();
    CompletionStage<EdgeResult> inFlight = cache.get(EdgeRequest.get("/race"));
    cache.purge("/race");
    origin.release();
    assertThat(body(inFlight.toCompletableFuture().join())).isEqualTo("before");
    assertThat(cache.stats().entries()).isZero();
    assertThat(get(cache, "/race").status()).isEqualTo(EdgeResult.Status.MISS);
  }

  @Test
  void a304ForAnEntryPurgedMeanwhileDoesNotResurrectIt() {
    FakeOrigin origin =
        FakeOrigin.answering(200, "v", "Cache-Control", "max-age=1", "ETag", "\"1\"");
    EdgeCache cache = cache(origin);
    get(cache, "/p");
    clock.advanceSeconds(2);
    origin.hold();
    origin.respond(304, "");
    CompletionStage<EdgeResult> reval = cache.get(EdgeRequest.get("/p"));
    assertThat(cache.purge("/p")).isEqualTo(1);
    origin.release();
    EdgeResult served = reval.toCompletableFuture().join();
    assertThat(served.status()).isEqualTo(EdgeResult.Status.REVALIDATED);
    assertThat(body(served)).isEqualTo("v");
    assertThat(cache.stats().entries()).isZero();
  }

  @Test
  void listenerSeesEventsWithKeysAndAFaultyListenerIsIgnored() {
    FakeOrigin origin = FakeOrigin.answering(200, "x", "Cache-Control", "max-age=60");
    EdgeCache cache = cache(origin);
    get(cache, "/l");
    get(cache, "/l");
    assertThat(events).containsExactly("MISS:/l", "ORIGIN_FETCH:/l", "STORED:/l", "HIT:/l");
    EdgeCache faulty =
        EdgeCaches.create(
            EdgeCacheConfig.builder()
                .origin(origin)
                .clock(clock)
                .listener(
                    (e, k) -> {
                      throw new IllegalStateException("listener bug");
                    })
                .build());
    assertThat(get(faulty, "/l").status()).isEqualTo(EdgeResult.Status.MISS);
    assertThat(faulty.stats().misses()).isEqualTo(1);
  }

  @Test
  void pushOnlyCacheRejectsGetAndServesLookups() {
    EdgeCache push = EdgeCaches.create(EdgeCacheConfig.builder().clock(clock).build());
    assertThatThrownBy(() -> push.get(EdgeRequest.get("/x")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("push-only");
    assertThat(push.lookup(EdgeRequest.get("/x"))).isEmpty();
    assertThat(push.publish(EdgeRequest.get("/x"), response(200, "pushed"), Set.of())).isTrue();
    clock.advance(Duration.ofDays(30));
    EdgeResult r = push.lookup(EdgeRequest.get("/x")).orElseThrow();
    assertThat(body(r)).isEqualTo("pushed");
    assertThat(r.response().headers().first("age")).isEqualTo(Long.toString(30L * 86_400));
  }

  @Test
  void publishHonoursExplicitFreshnessAndRefusesUnstorableResponses() {
    EdgeCache push = EdgeCaches.create(EdgeCacheConfig.builder().clock(clock).build());
    push.publish(
        EdgeRequest.get("/f"), response(200, "f", "Cache-Control", "max-age=5"), List.of());
    clock.advanceSeconds(5);
    assertThat(push.lookup(EdgeRequest.get("/f"))).isEmpty();
    assertThat(
            push.publish(
                EdgeRequest.get("/ns"), response(200, "x", "Cache-Control", "no-store"), Set.of()))
        .isFalse();
    assertThat(
            push.publish(
                EdgeRequest.get("/pv"), response(200, "x", "Cache-Control", "private"), Set.of()))
        .isFalse();
    assertThat(push.publish(EdgeRequest.get("/vs"), response(200, "x", "Vary", "*"), Set.of()))
        .isFalse();
    assertThat(
            push.publish(
                EdgeRequest.get("/big"), response(200, "x".repeat(2 * 1024 * 1024)), Set.of()))
        .isFalse();
    // The stale /f entry (no validator, no stale window) was dropped by the lookup.
    assertThat(push.stats().entries()).isZero();
  }

  @Test
  void purgeByKeyPrefixAndTag() {
    EdgeCache push = EdgeCaches.create(EdgeCacheConfig.builder().clock(clock).build());
    push.publish(EdgeRequest.get("/img/a.png"), response(200, "a"), Set.of("images"));
    push.publish(EdgeRequest.get("/img/b.png"), response(200, "b"), Set.of("images", "b"));
    push.publish(
        EdgeRequest.get("/imgx"),
        response(200, "c", "Surrogate-Key", "product-1  product-2"),
        Set.of());
    push.publish(
        EdgeRequest.get("/api/1"), response(200, "d", "Cache-Tag", "product-1,api"), Set.of());
    push.publish(EdgeRequest.get("/api/2"), response(200, "e"), Set.of());

    assertThat(push.purgeTag("product-1")).isEqualTo(2);
    assertThat(push.lookup(EdgeRequest.get("/imgx"))).isEmpty();
    assertThat(push.lookup(EdgeRequest.get("/api/1"))).isEmpty();
    assertThat(push.purgeTag("product-1")).isZero();

    assertThat(push.purgePrefix("/img/")).isEqualTo(2);
    assertThat(push.lookup(EdgeRequest.get("/img/a.png"))).isEmpty();
    assertThat(push.purge("/api/2")).isEqualTo(1);
    assertThat(push.purge("/api/2")).isZero();
    assertThat(push.stats().entries()).isZero();
    assertThat(push.stats().purged()).isEqualTo(5);
    assertThat(push.purgePrefix("")).isZero();
  }

  @Test
  void badArgumentsAreRejectedClearly() {
    EdgeCache push = EdgeCaches.push(64L << 20);
    assertThatThrownBy(() -> push.publish(null, response(200, ""), Set.of()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("request");
    assertThatThrownBy(() -> push.purgeTag(null)).hasMessage("tag");
    assertThatThrownBy(() -> push.purgePrefix(null)).hasMessage("prefix");
    assertThatThrownBy(() -> EdgeRequest.get(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("uri");
    assertThatThrownBy(() -> EdgeResponse.of(99, EdgeHeaders.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[100, 599], got 99");
    assertThatThrownBy(() -> EdgeHeaders.of("a"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("odd");
    assertThatThrownBy(() -> EdgeCaches.pull(null, 1))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("origin");
  }
}
