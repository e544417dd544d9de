package io.dsblocks.sharding;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WeightsTest {

  @ParameterizedTest
  @EnumSource(
      value = Scheme.class,
      names = {"RING", "RENDEZVOUS", "MAGLEV"})
  void keysSplitInProportionToWeight(Scheme scheme) {
    List<SimpleNode> nodes =
        List.of(Node.of("a", 1), Node.of("b", 2), Node.of("c", 3), Node.of("d", 4));
    ShardRouter<SimpleNode> r = ShardRouters.builder(scheme).pointsPerWeight(1000).build(nodes);
    Map<String, Integer> counts = new HashMap<>();
    long[] hashes = TestNodes.hashes(200_000, 8);
    for (long h : hashes) {
      counts.merge(r.routeHash(h).id(), 1, Integer::sum);
    }
    // Rendezvous and Maglev are exact in expectation; the ring within its point variance.
    double tolerance = scheme == Scheme.RING ? 0.02 : 0.006;
    for (SimpleNode n : nodes) {
      assertThat(counts.get(n.id()) / (double) hashes.length)
          .as("share of %s", n.id())
          .isCloseTo(n.weight() / 10.0, Offset.offset(tolerance));
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Scheme.class,
      names = {"RING", "RENDEZVOUS", "MAGLEV"})
  void equalWeightsOtherThanOneBehaveLikeUnitWeights(Scheme scheme) {
    List<SimpleNode> twos = List.of(Node.of("a", 2), Node.of("b", 2), Node.of("c", 2));
    List<SimpleNode> ones = List.of(Node.of("a"), Node.of("b"), Node.of("c"));
    ShardRouter<SimpleNode> r2 = ShardRouters.builder(scheme).pointsPerWeight(50).build(twos);
    ShardRouter<SimpleNode> r1 = ShardRouters.builder(scheme).pointsPerWeight(100).build(ones);
    for (long h : TestNodes.hashes(20_000, 4)) {
      assertThat(r2.routeHash(h).id()).isEqualTo(r1.routeHash(h).id());
      assertThat(r2.replicasForHash(h, 3).get(0).id()).isEqualTo(r2.routeHash(h).id());
    }
  }
}
