package io.dsblocks.sharding;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AnchorHashTest {

  @Test
  void randomAddRemoveSequencesKeepConsistencyAndMinimalDisruption() {
    SplittableRandom rnd = new SplittableRandom(99);
    long[] hashes = TestNodes.hashes(20_000, 1);
    ShardRouter<SimpleNode> r =
        ShardRouters.builder(Scheme.ANCHOR).anchorCapacity(64).build(TestNodes.nodes(20));
    int nextId = 20;
    List<String> live = new ArrayList<>();
    r.nodes().forEach(n -> live.add(n.id()));
    for (int step = 0; step < 120; step++) {
      boolean add = live.size() < 2 || (live.size() < 60 && rnd.nextBoolean());
      ShardRouter<SimpleNode> next;
      String changed;
      if (add) {
        changed = "n" + nextId++;
        next = r.withNode(Node.of(changed));
        live.add(changed);
      } else {
        changed = live.remove(rnd.nextInt(live.size()));
        next = r.withoutNode(changed);
      }
      for (long h : hashes) {
        SimpleNode before = r.routeHash(h);
        SimpleNode after = next.routeHash(h);
        assertThat(next.node(after.id())).isPresent();
        if (!before.equals(after)) {
          if (add) {
            assertThat(after.id())
                .as("step %d: keys only move to the new node", step)
                .isEqualTo(changed);
          } else {
            assertThat(before.id())
                .as("step %d: only the removed node's keys move", step)
                .isEqualTo(changed);
          }
        }
      }
      r = next;
    }
  }

  @Test
  void balanceStaysGoodAfterManyArbitraryRemovals() {
    ShardRouter<SimpleNode> r = ShardRouters.anchor(TestNodes.nodes(100));
    for (int i = 0; i < 100; i += 2) {
      r = r.withoutNode("node-" + i);
    }
    int[] counts = new int[100];
    long[] hashes = TestNodes.hashes(200_000, 2);
    for (long h : hashes) {
      counts[Integer.parseInt(r.routeHash(h).id().substring(5))]++;
    }
    int max = 0;
    for (int c : counts) {
      max = Math.max(max, c);
    }
    double mean = hashes.length / 50.0;
    assertThat(max / mean).isLessThan(1.15);
  }

  @Test
  void growingBeyondCapacityRebuildsWithTwiceTheCapacity() {
    ShardRouter<SimpleNode> r =
        ShardRouters.builder(Scheme.ANCHOR).anchorCapacity(4).build(TestNodes.nodes(4));
    ShardRouter<SimpleNode> bigger = r.withNode(Node.of("e"));
    assertThat(bigger.size()).isEqualTo(5);
    assertThat(((io.dsblocks.sharding.internal.AnchorRouter<SimpleNode>) bigger).capacity())
        .isEqualTo(16);
    for (long h : TestNodes.hashes(1000, 3)) {
      assertThat(bigger.node(bigger.routeHash(h).id())).isPresent();
    }
  }
}
