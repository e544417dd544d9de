package io.dsblocks.sharding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ShardedStoreTest {

  private static final class Cluster {
    final Map<String, ConcurrentHashMap<String, String>> maps = new ConcurrentHashMap<>();
    final Map<String, ShardBackend<String, String>> backends = new ConcurrentHashMap<>();

    ShardBackend<String, String> backend(Node n) {
      return backends.computeIfAbsent(
          n.id(), id -> ShardBackend.of(maps.computeIfAbsent(id, x -> new ConcurrentHashMap<>())));
    }

    int total() {
      return maps.values().stream().mapToInt(Map::size).sum();
    }
  }

  @ParameterizedTest
  @EnumSource(Scheme.class)
  void readsStayCorrectBeforeDuringAndAfterAMigration(Scheme scheme) {
    Cluster c = new Cluster();
    ShardRouter<SimpleNode> r = TestNodes.router(scheme, TestNodes.nodes(5));
    ShardedStore<String, String, SimpleNode> store = new ShardedStore<>(r, c::backend);
    for (int i = 0; i < 3_000; i++) {
      store.put("k" + i, "v" + i);
    }
    for (ShardRouter<SimpleNode> target :
        List.of(r.withNode(Node.of("node-5")), r.withoutNode("node-2"))) {
      ShardRouter<SimpleNode> current = store.router();
      if (!target.nodes().equals(current.nodes())) {
        target =
            target.size() > current.size()
                ? current.withNode(Node.of("node-5"))
                : current.withoutNode("node-2");
      }
      RebalancePlan<SimpleNode> plan = store.beginMigration(target);
      int copied = 0;
      for (Move<SimpleNode> m : plan) {
        for (int i = 0; i < 3_000; i += 97) {
          assertThat(store.get("k" + i)).isEqualTo("v" + i);
        }
        copied += store.migrate(m);
      }
      ShardRouter<SimpleNode> done = store.finishMigration();
      assertThat(done).isSameAs(target);
      assertThat(copied).isPositive();
      assertThat(c.total()).isEqualTo(3_000);
      for (int i = 0; i < 3_000; i++) {
        String k = "k" + i;
        assertThat(store.get(k)).isEqualTo("v" + i);
        // Every key now lives exactly on its owner.
        assertThat(c.maps.get(done.route((Object) k).id())).containsEntry(k, "v" + i);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Scheme.class,
      names = {"RING", "JUMP"})
  void concurrentWritesDuringMigrationAreNeitherLostNorResurrected(Scheme scheme) throws Exception {
    Cluster c = new Cluster();
    ShardRouter<SimpleNode> r = TestNodes.router(scheme, TestNodes.nodes(4));
    ShardedStore<String, String, SimpleNode> store = new ShardedStore<>(r, c::backend);
    int keys = 2_000;
    for (int i = 0; i < keys; i++) {
      store.put("k" + i, "0");
    }
    // Each writer owns a disjoint key subset, so the final expected value of every key is known.
    int writers = 4;
    String[][] expected = new String[writers][keys];
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch started = new CountDownLatch(writers);
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int id = w;
      Thread t =
          new Thread(
              () -> {
                SplittableRandom rnd = new SplittableRandom(id);
                int ops = 0;
                try {
                  started.countDown();
                  while ((!stop.get() || ops < 2_000) && ops < 200_000) {
                    int k = rnd.nextInt(keys / writers) * writers + id;
                    if (rnd.nextInt(4) == 0) {
                      store.delete("k" + k);
                      expected[id][k] = null;
                    } else {
                      String v = id + ":" + ops;
                      store.put("k" + k, v);
                      expected[id][k] = v;
                    }
                    ops++;
                  }
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                }
              });
      for (int k = id; k < keys; k += writers) {
        expected[id][k] = "0";
      }
      threads.add(t);
      t.start();
    }
    started.await();
    RebalancePlan<SimpleNode> plan = store.beginMigration(r.withNode(Node.of("node-4")));
    for (Move<SimpleNode> m : plan) {
      store.migrate(m);
    }
    store.finishMigration();
    stop.set(true);
    for (Thread t : threads) {
      t.join(60_000);
      assertThat(t.isAlive()).isFalse();
    }
    assertThat(failure.get()).isNull();
    for (int k = 0; k < keys; k++) {
      assertThat(store.get("k" + k)).as("k%d", k).isEqualTo(expected[k % writers][k]);
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Scheme.class,
      names = {"MAGLEV"})
  void misuseIsReportedClearly(Scheme scheme) {
    Cluster c = new Cluster();
    ShardRouter<SimpleNode> r = TestNodes.router(scheme, TestNodes.nodes(3));
    ShardedStore<String, String, SimpleNode> store = new ShardedStore<>(r, c::backend);
    assertThatThrownBy(store::finishMigration)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no migration in progress");
    RebalancePlan<SimpleNode> plan = store.beginMigration(r.withNode(Node.of("x")));
    assertThatThrownBy(() -> store.beginMigration(r))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already in progress");
    assertThatThrownBy(store::finishMigration)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is not done");
    assertThatThrownBy(() -> store.markMoved(plan.moves().size()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("moveIndex");
    for (Move<SimpleNode> m : plan) {
      store.markMoved(m.index());
      assertThat(store.isMoved(m.index())).isTrue();
    }
    store.finishMigration();
    assertThatThrownBy(() -> store.put("k", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("value");
    assertThatThrownBy(() -> store.get(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("key");
  }
}
