package io.dsblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class InvalidationNodeTest {
  private final Map<String, String> database = new ConcurrentHashMap<>();
  private final InProcessInvalidationBus<String> bus = new InProcessInvalidationBus<>();

  private DsCache<String, String> newCache() {
    return Caches.loading(100, database::get);
  }

  @Test
  void aWriteOnOneNodeInvalidatesTheOthers() throws Exception {
    database.put("k", "v1");
    DsCache<String, String> a = newCache();
    DsCache<String, String> b = newCache();
    try (InvalidationNode<String, String> nodeA = new InvalidationNode<>("a", a, bus);
        InvalidationNode<String, String> nodeB = new InvalidationNode<>("b", b, bus)) {
      assertThat(a.get("k")).isEqualTo("v1");
      assertThat(b.get("k")).isEqualTo("v1");
      database.put("k", "v2");
      a.put("k", "v2");
      nodeA.publishChange("k");
      assertThat(a.getIfPresent("k")).isEqualTo("v2"); // own message ignored
      assertThat(b.getIfPresent("k")).isNull();
      assertThat(b.get("k")).isEqualTo("v2");
      nodeB.invalidateAll();
      assertThat(a.estimatedSize()).isZero();
      assertThat(nodeA.applied()).isEqualTo(1);
      assertThat(nodeB.applied()).isEqualTo(1);
    }
    database.put("k", "v3");
    bus.publish(new InvalidationMessage<>("c", 1, "k")); // after close: nobody listens
    assertThat(b.getIfPresent("k")).isNull(); // b was cleared by its own invalidateAll
  }

  @Test
  void aMissedMessageIsDetectedAndClearsTheCache() throws Exception {
    DsCache<String, String> cache = Caches.bounded(100);
    try (InvalidationNode<String, String> node = new InvalidationNode<>("n", cache, bus)) {
      cache.put("x", "1");
      cache.put("y", "2");
      cache.put("z", "3");
      node.receive(new InvalidationMessage<>("other", 1, "x"));
      assertThat(cache.getIfPresent("x")).isNull();
      assertThat(cache.getIfPresent("y")).isEqualTo("2");
      // message 2 (say, for "y") was lost; message 3 invalidates "z"
      node.receive(new InvalidationMessage<>("other", 3, "z"));
      assertThat(node.gapsDetected()).isEqualTo(1);
      assertThat(cache.getIfPresent("y")).as("cleared because of the gap").isNull();
      cache.put("y", "2b");
      node.receive(new InvalidationMessage<>("other", 2, "y")); // late duplicate of the lost one
      assertThat(node.duplicates()).isEqualTo(1);
      assertThat(cache.getIfPresent("y")).isEqualTo("2b");
      node.receive(new InvalidationMessage<>("third", 40, "y")); // first from a source: accepted
      assertThat(node.gapsDetected()).isEqualTo(1);
      assertThat(cache.getIfPresent("y")).isNull();
    }
  }

  @Test
  void messagesAreValidated() {
    assertThatThrownBy(() -> new InvalidationMessage<>("s", 0, "k"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sequence must be at least 1 but was 0");
    assertThatThrownBy(() -> new InvalidationMessage<>("", 1, "k"))
        .hasMessage("source must not be empty");
    assertThatThrownBy(() -> new InvalidationNode<>("", Caches.bounded(1), bus))
        .hasMessage("nodeId must not be empty");
  }
}
