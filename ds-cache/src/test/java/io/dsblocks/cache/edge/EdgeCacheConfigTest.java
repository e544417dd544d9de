package io.dsblocks.cache.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EdgeCacheConfigTest {

  @Test
  void defaults() {
    EdgeCacheConfig c = EdgeCacheConfig.builder().build();
    assertThat(c.name()).isEqualTo("edge");
    assertThat(c.maximumBytes()).isEqualTo(64L << 20);
    assertThat(c.maxObjectBytes()).isEqualTo(1 << 20);
    assertThat(c.maxVariantsPerKey()).isEqualTo(8);
    assertThat(c.keepStale()).isEqualTo(Duration.ofHours(1));
    assertThat(c.origin()).isNull();
    assertThat(c.tagHeaders()).containsExactly("Surrogate-Key", "Cache-Tag");
    assertThat(c.keyFunction().apply(EdgeRequest.get("/x?y=1"))).isEqualTo("/x?y=1");
  }

  @Test
  void invalidValuesNameFieldValueAndRange() {
    assertThatThrownBy(() -> EdgeCacheConfig.builder().maximumBytes(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maximumBytes")
        .hasMessageContaining("got 0");
    assertThatThrownBy(
            () -> EdgeCacheConfig.builder().maximumBytes(100).maxObjectBytes(101).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxObjectBytes must be in [0, 100]")
        .hasMessageContaining("got 101");
    assertThatThrownBy(() -> EdgeCacheConfig.builder().maxObjectBytes(-1).build())
        .hasMessageContaining("maxObjectBytes");
    assertThatThrownBy(() -> EdgeCacheConfig.builder().maxVariantsPerKey(0).build())
        .hasMessageContaining("maxVariantsPerKey must be in [1, 64], got 0");
    assertThatThrownBy(() -> EdgeCacheConfig.builder().maxVariantsPerKey(65).build())
        .hasMessageContaining("got 65");
    assertThatThrownBy(() -> EdgeCacheConfig.builder().keepStale(Duration.ofSeconds(-1)).build())
        .hasMessageContaining("keepStale")
        .hasMessageContaining("PT-1S");
    assertThatThrownBy(() -> EdgeCacheConfig.builder().keepStale(Duration.ofDays(366)).build())
        .hasMessageContaining("keepStale");
    assertThatThrownBy(() -> EdgeCacheConfig.builder().name(" ").build())
        .hasMessageContaining("name");
    assertThatThrownBy(() -> EdgeCacheConfig.builder().clock(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("clock");
    assertThatThrownBy(() -> EdgeCacheConfig.builder().keyFunction(null).build())
        .hasMessage("keyFunction");
    assertThatThrownBy(() -> EdgeCacheConfig.builder().tagHeaders(Arrays.asList("a", null)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tagHeaders");
  }

  @Test
  void customKeyFunctionAndTagHeaders() {
    EdgeCache cache =
        EdgeCaches.create(
            EdgeCacheConfig.builder()
                .keyFunction(r -> r.headers().first("host") + r.uri())
                .tagHeaders(List.of("X-Tags"))
                .build());
    EdgeRequest a = EdgeRequest.get("/p", EdgeHeaders.of("Host", "a.example"));
    EdgeRequest b = EdgeRequest.get("/p", EdgeHeaders.of("Host", "b.example"));
    cache.publish(a, FakeOrigin.response(200, "a", "X-Tags", "t1 t2"), List.of());
    cache.publish(b, FakeOrigin.response(200, "b", "Surrogate-Key", "t1"), List.of());
    assertThat(cache.purgeTag("t1")).isEqualTo(1);
    assertThat(cache.lookup(a)).isEmpty();
    assertThat(cache.lookup(b)).isPresent();
    assertThat(cache.purgePrefix("b.example/")).isEqualTo(1);
  }
}
