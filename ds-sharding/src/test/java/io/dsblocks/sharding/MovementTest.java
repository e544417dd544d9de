package io.dsblocks.sharding;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Which keys move on a membership change: the minimal-disruption property of each scheme. */
class MovementTest {
  private static final long[] HASHES = TestNodes.hashes(100_000, 42);

  @ParameterizedTest
  @EnumSource(
      value = Scheme.class,
      names = {"RING", "RENDEZVOUS", "MULTI_PROBE", "ANCHOR", "JUMP"})
  void addingANodeOnlyMovesKeysToTheNewNode(Scheme scheme) {
    ShardRouter<SimpleNode> r = TestNodes.router(scheme, TestNodes.nodes(50));
    ShardRouter<SimpleNode> bigger = r.withNode(Node.of("new"));
    int moved = 0;
    for (long h : HASHES) {
      SimpleNode a = r.routeHash(h);
      SimpleNode b = bigger.routeHash(h);
      if (!a.equals(b)) {
        assertThat(b.id()).isEqualTo("new");
        moved++;
      }
    }
    // Ideal is 1/51 of keys (~1961); every scheme here stays within 1.5x of it on 100k keys.
    assertThat(moved).isBetween(1961 / 2, 1961 * 3 / 2);
  }

  @ParameterizedTest
  @EnumSource(
      value = Scheme.class,
      names = {"RING", "RENDEZVOUS", "MULTI_PROBE", "ANCHOR"})
  void removingAnyNodeOnlyMovesThatNodesKeys(Scheme scheme) {
    ShardRouter<SimpleNode> r = TestNodes.router(scheme, TestNodes.nodes(50));
    for (String victim : List.of("node-0", "node-17", "node-49")) {
      ShardRouter<SimpleNode> smaller = r.withoutNode(victim);
      for (long h : HASHES) {
        SimpleNode a = r.routeHash(h);
        if (!a.id().equals(victim)) {
          assertThat(smaller.routeHash(h)).isEqualTo(a);
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Scheme.class,
      names = {"JUMP"})
  void jumpRemovalMovesTheVictimsKeysAndTheLastSlotsKeys(Scheme scheme) {
    // Initial slots are in id order: "node-9" sits in the last slot of nodes(10) (ids sort
    // lexicographically: node-0, node-1, ..., node-9).
    ShardRouter<SimpleNode> r = TestNodes.router(scheme, TestNodes.nodes(10));
    String last = "node-9";
    ShardRouter<SimpleNode> withoutLast = r.withoutNode(last);
    ShardRouter<SimpleNode> withoutMiddle = r.withoutNode("node-4");
    int movedMiddle = 0;
    for (long h : HASHES) {
      SimpleNode a = r.routeHash(h);
      if (!a.id().equals(last)) {
        assertThat(withoutLast.routeHash(h)).isEqualTo(a);
      }
      SimpleNode b = withoutMiddle.routeHash(h);
      if (!a.equals(b)) {
        movedMiddle++;
        assertThat(a.id()).isIn("node-4", last);
      }
      if (a.id().equals("node-4")) {
        assertThat(b.id()).as("the last node takes over the removed slot").isEqualTo(last);
      }
    }
    // Documented cost: about 2/n instead of 1/n.
    assertThat(movedMiddle / (double) HASHES.length).isBetween(0.17, 0.23);
  }

  @ParameterizedTest
  @EnumSource(
      value = Scheme.class,
      names = {"MAGLEV"})
  void maglevMovesLittleMoreThanTheIdeal(Scheme scheme) {
    ShardRouter<SimpleNode> r = TestNodes.router(scheme, TestNodes.nodes(50));
    ShardRouter<SimpleNode> smaller = r.withoutNode("node-17");
    int moved = 0;
    for (long h : HASHES) {
      SimpleNode a = r.routeHash(h);
      SimpleNode b = smaller.routeHash(h);
      if (a.id().equals("node-17")) {
        assertThat(b.id()).isNotEqualTo("node-17");
      }
      if (!a.equals(b)) {
        moved++;
      }
    }
    // Ideal 1/50 = 2%; Maglev disturbs a few extra entries when refilling.
    assertThat(moved / (double) HASHES.length).isBetween(0.015, 0.03);
  }
}
