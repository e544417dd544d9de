package io.dsblocks.cache.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link EdgeCache#get(EdgeRequest, Origin)}: the origin given per call, as a proxy uses it. */
class EdgeCachePerCallOriginTest {
  private final ManualClock clock = new ManualClock();

  /** A cache built without an origin (what a proxy route holds). */
  private EdgeCache cache() {
    return EdgeCaches.create(EdgeCacheConfig.builder().clock(clock).maxObjectBytes(1234).build());
  }

  @Test
  void aCacheWithoutOriginServesPullRequestsThroughThePerCallOrigin() throws Exception {
    EdgeCache cache = cache();
    FakeOrigin origin = FakeOrigin.answering(200, "body", "Cache-Control", "max-age=60");
    EdgeResult first = cache.get(EdgeRequest.get("/a"), origin).toCompletableFuture().get();
    EdgeResult second = cache.get(EdgeRequest.get("/a"), origin).toCompletableFuture().get();
    assertThat(first.status()).isEqualTo(EdgeResult.Status.MISS);
    assertThat(second.status()).isEqualTo(EdgeResult.Status.HIT);
    assertThat(origin.calls).hasValue(1);
    // The configured-origin form still refuses, naming the cache.
    assertThatThrownBy(() -> cache.get(EdgeRequest.get("/a")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no origin");
  }

  @Test
  void missesCoalesceAcrossDifferentPerCallOrigins() throws Exception {
    EdgeCache cache = cache();
    FakeOrigin leader = FakeOrigin.answering(200, "shared", "Cache-Control", "max-age=60");
    FakeOrigin other = FakeOrigin.answering(200, "never", "Cache-Control", "max-age=60");
    leader.hold();
    CompletableFuture<EdgeResult> a =
        cache.get(EdgeRequest.get("/k"), leader).toCompletableFuture();
    CompletableFuture<EdgeResult> b = cache.get(EdgeRequest.get("/k"), other).toCompletableFuture();
    leader.release();
    assertThat(new String(a.get(5, TimeUnit.SECONDS).response().bodyBytes())).isEqualTo("shared");
    assertThat(new String(b.get(5, TimeUnit.SECONDS).response().bodyBytes())).isEqualTo("shared");
    assertThat(leader.calls).hasValue(1);
    assertThat(other.calls).hasValue(0);
  }

  @Test
  void aWaiterThatMustFetchItselfUsesItsOwnOrigin() throws Exception {
    EdgeCache cache = cache();
    FakeOrigin leader = FakeOrigin.answering(200, "mine", "Cache-Control", "private");
    FakeOrigin other = FakeOrigin.answering(200, "yours", "Cache-Control", "private");
    leader.hold();
    CompletableFuture<EdgeResult> a =
        cache.get(EdgeRequest.get("/p"), leader).toCompletableFuture();
    CompletableFuture<EdgeResult> b = cache.get(EdgeRequest.get("/p"), other).toCompletableFuture();
    leader.release();
    assertThat(new String(a.get(5, TimeUnit.SECONDS).response().bodyBytes())).isEqualTo("mine");
    assertThat(new String(b.get(5, TimeUnit.SECONDS).response().bodyBytes())).isEqualTo("yours");
    assertThat(other.calls).hasValue(1);
  }

  @Test
  void exposesItsConfiguration() {
    assertThat(cache().config().maxObjectBytes()).isEqualTo(1234);
  }
}
