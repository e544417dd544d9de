package io.dsblocks.cache.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dsblocks.cache.Caches;
import io.dsblocks.cache.Codec;
import io.dsblocks.cache.DsCache;
import io.dsblocks.cache.InvalidationMessage;
import io.dsblocks.cache.InvalidationNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@link RedisInvalidationBus} against a real redis-server. */
@Tag("integration")
class RedisInvalidationBusIntegrationTest {
  private static final Duration BOUND = Duration.ofSeconds(5);
  private static RedisServerProcess server;
  private static RedisClient client;

  @BeforeAll
  static void startRedis() throws Exception {
    server = RedisServerProcess.start();
    client = RedisClient.create(server.uri());
  }

  @AfterAll
  static void stopRedis() throws Exception {
    if (client != null) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void messagesWithAwkwardKeysArriveIntactAndInOrder() throws Exception {
    List<String> keys =
        List.of(
            "",
            ":",
            "a:b",
            "line\nbreak",
            "nul\u0000",
            "*?[]\\",
            "\"q\" 'q'",
            "🙂",
            "k".repeat(10_000));
    try (RedisInvalidationBus<String> sender = RedisInvalidationBus.strings(client, "awkward");
        RedisInvalidationBus<String> receiver = RedisInvalidationBus.strings(client, "awkward")) {
      List<InvalidationMessage<String>> got = new CopyOnWriteArrayList<>();
      AutoCloseable subscription = receiver.subscribe(got::add);
      List<InvalidationMessage<String>> sent = new ArrayList<>();
      long seq = 1;
      for (String key : keys) {
        sent.add(new InvalidationMessage<>("node é:1", seq++, key));
      }
      sent.add(new InvalidationMessage<>("node é:1", seq, null)); // every key
      for (InvalidationMessage<String> m : sent) {
        sender.publish(m);
      }
      await().atMost(BOUND).until(() -> got.size() == sent.size());
      assertThat(got).containsExactlyElementsOf(sent);
      assertThat(sender.published()).isEqualTo(sent.size());
      assertThat(receiver.received()).isEqualTo(sent.size());
      assertThat(receiver.malformed()).isZero();

      subscription.close();
      sender.publish(new InvalidationMessage<>("n", 1, "after"));
      await().atMost(BOUND).until(() -> receiver.received() == sent.size() + 1);
      assertThat(got).hasSize(sent.size()); // unsubscribed: not delivered
    }
  }

  @Test
  void aMalformedMessageIsCountedAndTreatedAsALostOne() {
    DsCache<String, String> cache = Caches.bounded(100);
    try (RedisInvalidationBus<String> bus = RedisInvalidationBus.strings(client, "mixed");
        InvalidationNode<String, String> node = new InvalidationNode<>("n", cache, bus);
        StatefulRedisConnection<String, String> raw = client.connect()) {
      cache.put("a", "1");
      cache.put("b", "2");
      raw.sync().publish("mixed", "hello from another application");
      await().atMost(BOUND).until(() -> node.applied() == 1);
      assertThat(bus.malformed()).isEqualTo(1);
      assertThat(cache.estimatedSize()).isZero();
      assertThat(bus.resubscribeSource()).startsWith("\u0000");
    }
  }

  @Test
  void subscribersRunOnTheDeliveryThreadOneAtATime() throws Exception {
    try (RedisInvalidationBus<String> bus = RedisInvalidationBus.strings(client, "threads")) {
      List<String> threads = new CopyOnWriteArrayList<>();
      CountDownLatch done = new CountDownLatch(50);
      bus.subscribe(
          m -> {
            threads.add(Thread.currentThread().getName());
            done.countDown();
          });
      for (int i = 1; i <= 50; i++) {
        bus.publish(new InvalidationMessage<>("s", i, "k" + i));
      }
      assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(threads).containsOnly("dsblocks-redis-bus-threads");
    }
  }

  @Test
  void aBrokenSubscriberDoesNotHideMessagesFromTheOthers() {
    try (RedisInvalidationBus<String> bus = RedisInvalidationBus.strings(client, "broken")) {
      List<String> got = new CopyOnWriteArrayList<>();
      bus.subscribe(
          m -> {
            throw new IllegalStateException("boom");
          });
      bus.subscribe(m -> got.add(m.key()));
      bus.publish(new InvalidationMessage<>("s", 1, "k"));
      await().atMost(BOUND).until(() -> got.contains("k"));
    }
  }

  @Test
  void aClosedBusRefusesToPublishAndLeavesTheCallersClientOpen() throws Exception {
    RedisInvalidationBus<String> bus = RedisInvalidationBus.strings(client, "closing");
    assertThat(bus.connected()).isTrue();
    bus.close();
    bus.close(); // idempotent
    assertThat(bus.connected()).isFalse();
    assertThatThrownBy(() -> bus.publish(new InvalidationMessage<>("s", 1, "k")))
        .isInstanceOf(InvalidationPublishException.class)
        .hasMessageContaining("closed");
    assertThat(bus.publishFailures()).isEqualTo(1);
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      assertThat(c.sync().ping()).isEqualTo("PONG");
    }
  }

  @Test
  void aBusOwningItsClientConnectsFromAUri() {
    try (RedisInvalidationBus<String> a =
            RedisInvalidationBus.<String>builder()
                .uri(server.uri())
                .channel("owned")
                .keyCodec(Codec.utf8())
                .build();
        RedisInvalidationBus<String> b = RedisInvalidationBus.strings(client, "owned")) {
      List<InvalidationMessage<String>> got = new CopyOnWriteArrayList<>();
      b.subscribe(got::add);
      a.publish(new InvalidationMessage<>("a", 1, "k"));
      await().atMost(BOUND).until(() -> got.size() == 1);
      assertThat(a.channel()).isEqualTo("owned");
    }
  }
}
