package io.dsblocks.cache.internal.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.cache.edge.EdgeCacheConfig;
import io.dsblocks.cache.edge.EdgeHeaders;
import io.dsblocks.cache.edge.EdgeRequest;
import io.dsblocks.cache.edge.EdgeResponse;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The purge indexes mirror the stored entries exactly, whatever the sequence of operations. */
class EdgeIndexPropertiesTest {

  record Op(int kind, int key, List<Integer> tags, int size) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Op> op =
        Combinators.combine(
                Arbitraries.integers().between(0, 5),
                Arbitraries.integers().between(0, 30),
                Arbitraries.integers().between(0, 6).list().ofMaxSize(3),
                Arbitraries.integers().between(0, 900))
            .as(Op::new);
    return op.list().ofMinSize(1).ofMaxSize(120);
  }

  @Property(tries = 200, seed = "7")
  void indexesHaveNoOrphansAndPurgeByTagLeavesNoTaggedEntry(@ForAll("ops") List<Op> ops) {
    InstantSource clock = InstantSource.fixed(Instant.ofEpochMilli(1_767_225_600_000L));
    DefaultEdgeCache cache =
        new DefaultEdgeCache(
            EdgeCacheConfig.builder()
                .clock(clock)
                .maximumBytes(8_000) // small: publishes evict each other
                .maxObjectBytes(1_000)
                .build());
    for (Op op : ops) {
      String key = "/k/" + (op.key() % 5) + "/" + op.key();
      switch (op.kind()) {
        case 0, 1, 2 -> {
          List<String> tags = op.tags().stream().map(t -> "t" + t).toList();
          EdgeResponse r =
              EdgeResponse.of(
                  200, EdgeHeaders.of("Surrogate-Key", "s" + (op.size() % 3)), new byte[op.size()]);
          cache.publish(EdgeRequest.get(key), r, tags);
        }
        case 3 -> {
          String tag = "t" + (op.tags().isEmpty() ? 0 : op.tags().get(0));
          cache.purgeTag(tag);
          assertThat(cache.storedTags().values()).noneMatch(tags -> tags.contains(tag));
        }
        case 4 -> {
          String prefix = "/k/" + (op.key() % 5) + "/";
          cache.purgePrefix(prefix);
          assertThat(cache.storedTags().keySet()).noneMatch(k -> k.startsWith(prefix));
        }
        default -> cache.purge(key);
      }
      assertIndexesMirrorContents(cache);
    }
    assertThat(cache.stats().weightedBytes()).isLessThanOrEqualTo(8_000);
  }

  static void assertIndexesMirrorContents(DefaultEdgeCache cache) {
    Map<String, Set<String>> stored = cache.storedTags();
    assertThat(cache.indexedKeys()).isEqualTo(stored.keySet());
    Map<String, Set<String>> expected = new HashMap<>();
    stored.forEach(
        (k, tags) -> tags.forEach(t -> expected.computeIfAbsent(t, x -> new HashSet<>()).add(k)));
    assertThat(cache.indexedTags()).isEqualTo(expected);
  }
}
