package io.dsblocks.cache.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EdgeCacheCoalescingTest {

  private static final int THREADS = 16;
  private final ManualClock clock = new ManualClock();
  private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

  @AfterEach
  void shutdown() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  private EdgeCache cache(FakeOrigin origin) {
    return EdgeCaches.create(EdgeCacheConfig.builder().origin(origin).clock(clock).build());
  }

  /** Starts THREADS concurrent gets (released together by a latch) and returns their stages. */
  private List<CompletableFuture<EdgeResult>> concurrentGets(
      EdgeCache cache, List<EdgeRequest> requests) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    List<Future<CompletableFuture<EdgeResult>>> submitted = new ArrayList<>();
    for (EdgeRequest r : requests) {
      submitted.add(
          pool.submit(
              () -> {
                start.await();
                return cache.get(r).toCompletableFuture();
              }));
    }
    start.countDown();
    List<CompletableFuture<EdgeResult>> stages = new ArrayList<>();
    for (Future<CompletableFuture<EdgeResult>> f : submitted) {
      stages.add(f.get(10, TimeUnit.SECONDS));
    }
    return stages;
  }

  private static List<EdgeRequest> same(String uri) {
    List<EdgeRequest> list = new ArrayList<>();
    for (int i = 0; i < THREADS; i++) {
      list.add(EdgeRequest.get(uri));
    }
    return list;
  }

  private static String body(EdgeResult r) {
    return new String(r.response().bodyBytes(), StandardCharsets.UTF_8);
  }

  @Test
  void concurrentMissesForOneKeyCauseExactlyOneOriginFetch() throws Exception {
    FakeOrigin origin = FakeOrigin.answering(200, "once", "Cache-Control", "max-age=60");
    origin.hold();
    EdgeCache cache = cache(origin);
    List<CompletableFuture<EdgeResult>> stages = concurrentGets(cache, same("/hot"));
    // Every get() has returned; none can complete before the origin answers.
    assertThat(stages).noneMatch(CompletableFuture::isDone);
    assertThat(origin.calls).hasValue(1);
    origin.release();
    for (CompletableFuture<EdgeResult> s : stages) {
      EdgeResult r = s.get(10, TimeUnit.SECONDS);
      assertThat(body(r)).isEqualTo("once");
      assertThat(r.status()).isEqualTo(EdgeResult.Status.MISS);
    }
    assertThat(origin.calls).hasValue(1);
    assertThat(cache.stats().coalescedWaits()).isEqualTo(THREADS - 1);
    assertThat(cache.stats().misses()).isEqualTo(THREADS);
  }

  @Test
  void aMissThatRacesTheEndOfAFetchDoesNotFetchAgain() {
    // Deterministic interleaving on one thread: the second request has read the cache (miss)
    // when its MISS event fires; the listener then lets the first fetch finish (store + leave
    // the in-flight map) before the second request registers its own fetch.
    FakeOrigin origin = FakeOrigin.answering(200, "once", "Cache-Control", "max-age=60");
    origin.hold();
    java.util.concurrent.atomic.AtomicInteger misses =
        new java.util.concurrent.atomic.AtomicInteger();
    EdgeCache cache =
        EdgeCaches.create(
            EdgeCacheConfig.builder()
                .origin(origin)
                .clock(clock)
                .listener(
                    (e, k) -> {
                      if (e == EdgeCacheEvent.MISS && misses.incrementAndGet() == 2) {
                        origin.release();
                      }
                    })
                .build());
    CompletableFuture<EdgeResult> first = cache.get(EdgeRequest.get("/x")).toCompletableFuture();
    CompletableFuture<EdgeResult> second = cache.get(EdgeRequest.get("/x")).toCompletableFuture();
    assertThat(body(first.join())).isEqualTo("once");
    assertThat(body(second.join())).isEqualTo("once");
    assertThat(origin.calls).hasValue(1);
    assertThat(cache.stats().coalescedWaits()).isZero();
  }

  @Test
  void concurrentRevalidationsOfAStaleEntryCauseOneConditionalFetch() throws Exception {
    FakeOrigin origin =
        FakeOrigin.answering(200, "body", "Cache-Control", "max-age=1", "ETag", "\"e\"");
    EdgeCache cache = cache(origin);
    cache.get(EdgeRequest.get("/r")).toCompletableFuture().join();
    clock.advanceSeconds(5);
    origin.respond(304, "", "Cache-Control", "max-age=60");
    origin.hold();
    List<CompletableFuture<EdgeResult>> stages = concurrentGets(cache, same("/r"));
    assertThat(origin.calls).hasValue(2);
    origin.release();
    for (CompletableFuture<EdgeResult> s : stages) {
      EdgeResult r = s.get(10, TimeUnit.SECONDS);
      assertThat(r.status()).isEqualTo(EdgeResult.Status.REVALIDATED);
      assertThat(body(r)).isEqualTo("body");
    }
    assertThat(origin.last().headers().first("if-none-match")).isEqualTo("\"e\"");
    assertThat(cache.stats().revalidatedNotModified()).isEqualTo(1);
  }

  @Test
  void aFailedFetchIsSharedByAllWaiters() throws Exception {
    FakeOrigin origin = FakeOrigin.answering(200, "x");
    origin.fail(new IllegalStateException("origin down"));
    origin.hold();
    EdgeCache cache = cache(origin);
    List<CompletableFuture<EdgeResult>> stages = concurrentGets(cache, same("/f"));
    origin.release();
    for (CompletableFuture<EdgeResult> s : stages) {
      assertThat(s)
          .failsWithin(10, TimeUnit.SECONDS)
          .withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .withCauseInstanceOf(OriginException.class);
    }
    assertThat(origin.calls).hasValue(1);
  }

  @Test
  void waitersDoNotShareAPrivateResponse() throws Exception {
    FakeOrigin origin =
        new FakeOrigin(
            r ->
                FakeOrigin.response(
                    200, "for " + r.headers().first("cookie"), "Cache-Control", "private"));
    origin.hold();
    EdgeCache cache = cache(origin);
    List<EdgeRequest> requests = new ArrayList<>();
    for (int i = 0; i < THREADS; i++) {
      requests.add(EdgeRequest.get("/me", EdgeHeaders.of("Cookie", "user" + i)));
    }
    List<CompletableFuture<EdgeResult>> stages = concurrentGets(cache, requests);
    origin.release();
    for (int i = 0; i < THREADS; i++) {
      EdgeResult r = stages.get(i).get(10, TimeUnit.SECONDS);
      assertThat(body(r)).isEqualTo("for user" + i);
      assertThat(r.status()).isEqualTo(EdgeResult.Status.PASS);
    }
    assertThat(origin.calls).hasValue(THREADS);
  }

  @Test
  void aWaiterWithADifferentVariantFetchesItsOwn() throws Exception {
    FakeOrigin origin =
        new FakeOrigin(
            r ->
                FakeOrigin.response(
                    200,
                    r.headers().first("accept-language"),
                    "Cache-Control",
                    "max-age=60",
                    "Vary",
                    "Accept-Language"));
    origin.hold();
    EdgeCache cache = cache(origin);
    CompletableFuture<EdgeResult> en =
        cache
            .get(EdgeRequest.get("/i18n", EdgeHeaders.of("Accept-Language", "en")))
            .toCompletableFuture();
    CompletableFuture<EdgeResult> fr =
        cache
            .get(EdgeRequest.get("/i18n", EdgeHeaders.of("Accept-Language", "fr")))
            .toCompletableFuture();
    assertThat(origin.calls).hasValue(1);
    origin.release();
    assertThat(body(en.join())).isEqualTo("en");
    assertThat(body(fr.join())).isEqualTo("fr");
    assertThat(origin.calls).hasValue(2);
  }

  @Test
  void stressManyKeysManyThreadsOneFetchPerKey() throws Exception {
    FakeOrigin origin =
        new FakeOrigin(r -> FakeOrigin.response(200, r.uri(), "Cache-Control", "max-age=600"));
    EdgeCache cache = cache(origin);
    int keys = 50;
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Integer>> done = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      final int seed = t;
      done.add(
          pool.submit(
              () -> {
                start.await();
                java.util.Random rnd = new java.util.Random(seed);
                int ok = 0;
                for (int i = 0; i < 500; i++) {
                  String uri = "/k" + rnd.nextInt(keys);
                  EdgeResult r = cache.get(EdgeRequest.get(uri)).toCompletableFuture().join();
                  if (body(r).equals(uri)) {
                    ok++;
                  }
                }
                return ok;
              }));
    }
    start.countDown();
    for (Future<Integer> f : done) {
      assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(500);
    }
    // A key is fetched exactly once: a request that missed either joins the fetch in flight or,
    // if that fetch already finished, finds its stored response on the double-check.
    assertThat(origin.calls.get()).isEqualTo(keys);
    EdgeCacheStats s = cache.stats();
    assertThat(s.hits() + s.misses()).isEqualTo(THREADS * 500L);
    assertThat(s.misses()).isGreaterThanOrEqualTo(keys + s.coalescedWaits());
  }
}
