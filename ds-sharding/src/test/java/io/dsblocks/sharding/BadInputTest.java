package io.dsblocks.sharding;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Bad input fails fast with an exception that names the problem. */
class BadInputTest {

  @ParameterizedTest
  @EnumSource(Scheme.class)
  void nullKeysAreRejected(Scheme scheme) {
    ShardRouter<SimpleNode> r = TestNodes.router(scheme, TestNodes.nodes(3));
    assertThatThrownBy(() -> r.route((Object) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("key must not be null");
    assertThatThrownBy(() -> r.route((byte[]) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("key must not be null");
    assertThatThrownBy(() -> r.route((CharSequence) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("key must not be null");
    assertThatThrownBy(() -> r.replicas((Object) null, 1))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("key must not be null");
  }

  @ParameterizedTest
  @EnumSource(Scheme.class)
  void emptyAndNullNodeSetsAreRejected(Scheme scheme) {
    assertThatThrownBy(() -> TestNodes.router(scheme, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("node set must not be empty");
    assertThatThrownBy(() -> ShardRouters.builder(scheme).build(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("nodes must not be null");
    List<SimpleNode> withNull = new ArrayList<>(TestNodes.nodes(2));
    withNull.add(null);
    assertThatThrownBy(() -> TestNodes.router(scheme, withNull))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("must not contain null");
  }

  @ParameterizedTest
  @EnumSource(Scheme.class)
  void duplicateIdsAreRejected(Scheme scheme) {
    assertThatThrownBy(
            () -> TestNodes.router(scheme, List.of(Node.of("a"), Node.of("b"), Node.of("a"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duplicate node id 'a'");
    ShardRouter<SimpleNode> r = TestNodes.router(scheme, List.of(Node.of("a"), Node.of("b")));
    assertThatThrownBy(() -> r.withNode(Node.of("b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duplicate node id 'b'");
  }

  @Test
  void nonPositiveOrNonFiniteWeightsAreRejected() {
    for (double w : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThatThrownBy(() -> Node.of("a", w))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("weight of node 'a'")
          .hasMessageContaining(String.valueOf(w));
    }
    // A user-implemented Node bypasses SimpleNode's check; the router still validates.
    Node bad =
        new Node() {
          @Override
          public String id() {
            return "custom";
          }

          @Override
          public double weight() {
            return -2;
          }
        };
    assertThatThrownBy(() -> ShardRouters.rendezvous(List.of(bad)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("weight of node 'custom' must be finite and > 0, was -2.0");
  }

  @Test
  void emptyOrNullIdsAreRejected() {
    assertThatThrownBy(() -> Node.of(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("node id must not be empty");
    assertThatThrownBy(() -> Node.of(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("node id must not be null");
  }

  @ParameterizedTest
  @EnumSource(
      value = Scheme.class,
      names = {"JUMP", "MULTI_PROBE", "ANCHOR"})
  void weightsAreRejectedBySchemesThatCannotHonourThem(Scheme scheme) {
    assertThatThrownBy(() -> TestNodes.router(scheme, List.of(Node.of("a"), Node.of("b", 2))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(scheme + " does not support weights")
        .hasMessageContaining("'b' has weight 2.0");
  }

  @ParameterizedTest
  @EnumSource(Scheme.class)
  void replicaCountOutOfRangeIsRejected(Scheme scheme) {
    ShardRouter<SimpleNode> r = TestNodes.router(scheme, TestNodes.nodes(3));
    assertThatThrownBy(() -> r.replicas(1L, 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("replica count r must be in [1, 3]")
        .hasMessageContaining("was 4");
    assertThatThrownBy(() -> r.replicas(1L, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was 0");
  }

  @Test
  void nonPrimeOrTooSmallMaglevTablesAreRejected() {
    for (int size : new int[] {65536, 100, 1, 0, -7}) {
      assertThatThrownBy(
              () ->
                  ShardRouters.builder(Scheme.MAGLEV)
                      .maglevTableSize(size)
                      .build(TestNodes.nodes(3)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("maglevTableSize")
          .hasMessageContaining(String.valueOf(size));
    }
    assertThatThrownBy(
            () -> ShardRouters.builder(Scheme.MAGLEV).maglevTableSize(7).build(TestNodes.nodes(10)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("smaller than the node count 10");
  }

  @Test
  void otherSettingsOutOfRangeAreRejected() {
    assertThatThrownBy(
            () -> ShardRouters.builder(Scheme.RING).pointsPerWeight(0).build(TestNodes.nodes(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pointsPerWeight must be in [1, 100000], was 0");
    assertThatThrownBy(
            () -> ShardRouters.builder(Scheme.MULTI_PROBE).probes(0).build(TestNodes.nodes(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("probes must be in [1, 1024], was 0");
    assertThatThrownBy(
            () -> ShardRouters.builder(Scheme.ANCHOR).anchorCapacity(2).build(TestNodes.nodes(3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("anchorCapacity 2 is smaller than the node count 3");
    assertThatThrownBy(() -> ShardRouters.builder(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("scheme");
    assertThatThrownBy(() -> BoundedLoadRouter.create(TestNodes.nodes(2), 0.9))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("capacityFactor must be in [1.0, 100.0], was 0.9");
    assertThatThrownBy(() -> BoundedLoadRouter.create(TestNodes.nodes(2), Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("capacityFactor");
    assertThatThrownBy(
            () ->
                BoundedLoadRouter.create(
                    ShardRouters.builder(Scheme.JUMP), TestNodes.nodes(2), 1.25))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be RING, was JUMP");
    assertThatThrownBy(() -> HotKeyTracker.builder().capacity(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("capacity must be in [1, 1000000], was 0");
    assertThatThrownBy(() -> HotKeyTracker.builder().window(Duration.ofNanos(10)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("window must be at least 1 ms per bucket");
  }

  @ParameterizedTest
  @EnumSource(Scheme.class)
  void removingUnknownOrLastNodesIsRejected(Scheme scheme) {
    ShardRouter<SimpleNode> r = TestNodes.router(scheme, List.of(Node.of("only")));
    assertThatThrownBy(() -> r.withoutNode("ghost"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no node with id 'ghost'");
    assertThatThrownBy(() -> r.withoutNode("only"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("last node");
  }

  @Test
  void hugeRingsAreRejectedInsteadOfExhaustingMemory() {
    SimpleNode[] heavy = {Node.of("a", 1e6)};
    assertThatThrownBy(
            () ->
                ShardRouters.builder(Scheme.RING)
                    .pointsPerWeight(100_000)
                    .build(Arrays.asList(heavy)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("points");
  }

  @Test
  void extremeWeightRatiosStillTerminateForMaglev() {
    ShardRouter<SimpleNode> r =
        ShardRouters.builder(Scheme.MAGLEV)
            .maglevTableSize(1009)
            .build(List.of(Node.of("big", 1e9), Node.of("tiny", 1e-9)));
    // The tiny node cannot claim a turn before the table is full; it simply gets nothing.
    for (long h : TestNodes.hashes(1000, 1)) {
      r.routeHash(h);
    }
    org.assertj.core.api.Assertions.assertThat(r.routeHash(5).id()).isEqualTo("big");
  }
}
