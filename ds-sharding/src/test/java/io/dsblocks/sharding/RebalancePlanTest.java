package io.dsblocks.sharding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RebalancePlanTest {
  private static final long[] HASHES = TestNodes.hashes(200_000, 77);

  @ParameterizedTest
  @EnumSource(
      value = Scheme.class,
      names = {"RING", "MAGLEV"})
  void rangePlansAreExactForAddAndRemove(Scheme scheme) {
    ShardRouter<SimpleNode> r = TestNodes.router(scheme, TestNodes.nodes(20));
    for (ShardRouter<SimpleNode> next :
        List.of(r.withNode(Node.of("new")), r.withoutNode("node-7"))) {
      RebalancePlan<SimpleNode> plan = RebalancePlan.between(r, next);
      assertThat(plan.isExact()).isTrue();
      int moved = 0;
      for (long h : HASHES) {
        int idx = plan.moveIndexOf(h);
        SimpleNode a = r.routeHash(h);
        SimpleNode b = next.routeHash(h);
        if (a.equals(b)) {
          assertThat(idx).isEqualTo(-1);
        } else {
          moved++;
          Move<SimpleNode> m = plan.moves().get(idx);
          assertThat(m.containsHash(h)).isTrue();
          assertThat(m.from()).isEqualTo(a);
          assertThat(m.to()).isEqualTo(b);
        }
      }
      // Exact fraction vs. what 200k random keys see (binomial noise, ~4 sigma).
      double observed = moved / (double) HASHES.length;
      double sigma = Math.sqrt(plan.fractionMoved() * (1 - plan.fractionMoved()) / HASHES.length);
      assertThat(observed)
          .isCloseTo(plan.fractionMoved(), org.assertj.core.data.Offset.offset(5 * sigma));
      double sum = plan.moves().stream().mapToDouble(Move::fraction).sum();
      assertThat(sum).isCloseTo(plan.fractionMoved(), org.assertj.core.data.Offset.offset(1e-12));
      // Ranges are sorted and disjoint.
      for (int i = 1; i < plan.moves().size(); i++) {
        assertThat(
                Long.compareUnsigned(
                    plan.moves().get(i - 1).endHash(), plan.moves().get(i).startHash()))
            .isNegative();
      }
    }
  }

  @Test
  void ringPlanForOneNewNodeMovesItsShareIntoIt() {
    ShardRouter<SimpleNode> r = ShardRouters.ring(TestNodes.nodes(10));
    RebalancePlan<SimpleNode> plan = RebalancePlan.between(r, r.withNode(Node.of("new")));
    assertThat(plan.moves()).allSatisfy(m -> assertThat(m.to().id()).isEqualTo("new"));
    assertThat(plan.moves()).hasSizeLessThanOrEqualTo(100); // at most one range per new point
    assertThat(plan.fractionMoved()).isBetween(1 / 11.0 * 0.7, 1 / 11.0 * 1.3);
    assertThat(RebalancePlan.between(r, r).moves()).isEmpty();
    assertThat(RebalancePlan.between(r, r).fractionMoved()).isZero();
  }

  @ParameterizedTest
  @EnumSource(
      value = Scheme.class,
      names = {"JUMP", "RENDEZVOUS", "MULTI_PROBE", "ANCHOR"})
  void pairPlansCoverEveryMovingKey(Scheme scheme) {
    ShardRouter<SimpleNode> r = TestNodes.router(scheme, TestNodes.nodes(20));
    for (ShardRouter<SimpleNode> next :
        List.of(r.withNode(Node.of("new")), r.withoutNode("node-3"), r.withoutNode("node-9"))) {
      RebalancePlan<SimpleNode> plan = RebalancePlan.between(r, next);
      assertThat(plan.isExact()).isFalse();
      int moved = 0;
      for (long h : HASHES) {
        SimpleNode a = r.routeHash(h);
        SimpleNode b = next.routeHash(h);
        int idx = plan.moveIndexOf(h);
        assertThat(plan.isMoving(h)).isEqualTo(!a.equals(b));
        if (a.equals(b)) {
          assertThat(idx).isEqualTo(-1);
        } else {
          moved++;
          assertThat(plan.moves().get(idx).from()).isEqualTo(a);
          assertThat(plan.moves().get(idx).to()).isEqualTo(b);
        }
      }
      assertThat(plan.fractionMoved())
          .as("estimated fraction")
          .isCloseTo(moved / (double) HASHES.length, org.assertj.core.data.Offset.offset(0.01));
    }
  }

  @Test
  void switchingSchemesListsEveryPair() {
    ShardRouter<SimpleNode> a = ShardRouters.jump(TestNodes.nodes(5));
    ShardRouter<SimpleNode> b = ShardRouters.rendezvous(TestNodes.nodes(5));
    RebalancePlan<SimpleNode> plan = RebalancePlan.between(a, b);
    assertThat(plan.moves()).hasSize(20);
    for (long h : HASHES) {
      plan.moveIndexOf(h); // never throws: every pair is listed
    }
  }

  @Test
  void routersWithDifferentHashersCannotBePlanned() {
    ShardRouter<SimpleNode> a = ShardRouters.ring(TestNodes.nodes(3));
    ShardRouter<SimpleNode> b =
        ShardRouters.builder(Scheme.RING).hasher(KeyHasher.xxh3(9)).build(TestNodes.nodes(3));
    assertThatThrownBy(() -> RebalancePlan.between(a, b))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hash keys differently");
  }
}
