package io.dsblocks.sharding;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/** Invariants over arbitrary node sets and keys (jqwik, fixed seed). */
class RouterProperties {

  private static List<SimpleNode> nodes(Set<String> ids) {
    List<SimpleNode> out = new ArrayList<>();
    for (String id : new TreeSet<>(ids)) {
      out.add(Node.of(id, 1.0, "z" + (Math.abs(id.hashCode()) % 3)));
    }
    return out;
  }

  @Property(tries = 150, seed = "20261127")
  void everySchemeRoutesToAMemberAndReplicasAreDistinct(
      @ForAll Scheme scheme,
      @ForAll @Size(min = 1, max = 40) Set<@StringLength(min = 1, max = 12) String> ids,
      @ForAll long hash,
      @ForAll @IntRange(min = 1, max = 40) int r) {
    List<SimpleNode> members = nodes(ids);
    ShardRouter<SimpleNode> router = TestNodes.router(scheme, members);
    SimpleNode owner = router.routeHash(hash);
    assertThat(members).contains(owner);
    int replicas = Math.min(r, members.size());
    List<SimpleNode> reps = router.replicasForHash(hash, replicas);
    assertThat(reps).hasSize(replicas).doesNotHaveDuplicates().startsWith(owner);
    long zones = members.stream().map(Node::zone).distinct().count();
    assertThat(reps.stream().map(Node::zone).distinct().count())
        .isEqualTo(Math.min(replicas, zones));
  }

  @Property(tries = 100, seed = "20261128")
  void plansAgreeWithTheRoutersOnEveryKey(
      @ForAll Scheme scheme,
      @ForAll @Size(min = 2, max = 30) Set<@StringLength(min = 1, max = 8) String> ids,
      @ForAll @Size(min = 1, max = 50) List<Long> hashes,
      @ForAll boolean add) {
    List<SimpleNode> members = nodes(ids);
    ShardRouter<SimpleNode> before = TestNodes.router(scheme, members);
    ShardRouter<SimpleNode> after =
        add ? before.withNode(Node.of("\u0000new")) : before.withoutNode(members.get(0).id());
    RebalancePlan<SimpleNode> plan = RebalancePlan.between(before, after);
    for (long h : hashes) {
      int idx = plan.moveIndexOf(h);
      if (before.routeHash(h).equals(after.routeHash(h))) {
        assertThat(idx).isEqualTo(-1);
      } else {
        Move<SimpleNode> m = plan.moves().get(idx);
        assertThat(m.from()).isEqualTo(before.routeHash(h));
        assertThat(m.to()).isEqualTo(after.routeHash(h));
        assertThat(m.containsHash(h)).isTrue();
      }
    }
  }
}
