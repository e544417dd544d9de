package io.dsblocks.sharding;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Behaviour every scheme must share. */
class RouterContractTest {

  @ParameterizedTest
  @EnumSource(Scheme.class)
  void placementDependsOnTheNodeSetNotOnTheOrderNodesWereGiven(Scheme scheme) {
    List<SimpleNode> nodes = TestNodes.nodes(40);
    List<SimpleNode> shuffled = new ArrayList<>(nodes);
    Collections.shuffle(shuffled, new Random(7));
    ShardRouter<SimpleNode> a = TestNodes.router(scheme, nodes);
    ShardRouter<SimpleNode> b = TestNodes.router(scheme, shuffled);
    for (long h : TestNodes.hashes(20_000, 3)) {
      assertThat(b.routeHash(h)).isEqualTo(a.routeHash(h));
    }
    assertThat(b.nodes()).isEqualTo(a.nodes());
  }

  @ParameterizedTest
  @EnumSource(Scheme.class)
  void everyKeyOverloadRoutesTheKeysHash(Scheme scheme) {
    ShardRouter<SimpleNode> r = TestNodes.router(scheme, TestNodes.nodes(25));
    KeyHasher h = r.hasher();
    for (int i = 0; i < 2_000; i++) {
      String s = "key-" + i;
      byte[] bytes = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      assertThat(r.route(s)).isEqualTo(r.routeHash(h.hashChars(s)));
      assertThat(r.route((Object) s)).isEqualTo(r.route(s));
      assertThat(r.route(bytes)).isEqualTo(r.routeHash(h.hashBytes(bytes)));
      assertThat(r.route((long) i)).isEqualTo(r.routeHash(h.hashLong(i)));
      assertThat(r.route((Object) (long) i)).isEqualTo(r.route((long) i));
    }
  }

  @ParameterizedTest
  @EnumSource(Scheme.class)
  void everyNodeReceivesKeysAndOnlyMembersAreReturned(Scheme scheme) {
    ShardRouter<SimpleNode> r = TestNodes.router(scheme, TestNodes.nodes(20));
    Set<SimpleNode> seen = new HashSet<>();
    for (long h : TestNodes.hashes(20_000, 5)) {
      SimpleNode n = r.routeHash(h);
      assertThat(r.node(n.id())).contains(n);
      seen.add(n);
    }
    assertThat(seen).containsExactlyInAnyOrderElementsOf(r.nodes());
  }

  @ParameterizedTest
  @EnumSource(Scheme.class)
  void replicasAreDistinctStartWithTheOwnerAndAreStable(Scheme scheme) {
    ShardRouter<SimpleNode> r = TestNodes.router(scheme, TestNodes.nodes(12));
    for (long h : TestNodes.hashes(2_000, 9)) {
      List<SimpleNode> reps = r.replicasForHash(h, 3);
      assertThat(reps).hasSize(3).doesNotHaveDuplicates();
      assertThat(reps.get(0)).isEqualTo(r.routeHash(h));
      assertThat(r.replicasForHash(h, 3)).isEqualTo(reps);
      assertThat(r.replicasForHash(h, 12))
          .hasSize(12)
          .containsExactlyInAnyOrderElementsOf(r.nodes());
      assertThat(r.replicasForHash(h, 5).subList(0, 3))
          .as("a longer preference list extends the shorter one")
          .isEqualTo(reps);
    }
  }

  @ParameterizedTest
  @EnumSource(Scheme.class)
  void replicasNeverShareAZoneWhileEnoughZonesExist(Scheme scheme) {
    ShardRouter<SimpleNode> r = TestNodes.router(scheme, TestNodes.zoned(30, 3));
    for (long h : TestNodes.hashes(3_000, 11)) {
      List<SimpleNode> three = r.replicasForHash(h, 3);
      assertThat(three.stream().map(Node::zone).distinct().count()).isEqualTo(3);
      assertThat(three.get(0)).isEqualTo(r.routeHash(h));
      // Five replicas over three zones: every zone used, none more than twice.
      List<SimpleNode> five = r.replicasForHash(h, 5);
      assertThat(five).doesNotHaveDuplicates();
      assertThat(five.stream().map(Node::zone).distinct().count()).isEqualTo(3);
      assertThat(five.subList(0, 3)).isEqualTo(three);
    }
  }

  @ParameterizedTest
  @EnumSource(Scheme.class)
  void membershipChangesReturnNewRoutersAndLeaveTheOldOneIntact(Scheme scheme) {
    ShardRouter<SimpleNode> r = TestNodes.router(scheme, TestNodes.nodes(10));
    long[] hashes = TestNodes.hashes(5_000, 13);
    List<SimpleNode> before = new ArrayList<>();
    for (long h : hashes) {
      before.add(r.routeHash(h));
    }
    ShardRouter<SimpleNode> bigger = r.withNode(Node.of("extra"));
    ShardRouter<SimpleNode> smaller = r.withoutNode("node-3");
    assertThat(bigger.size()).isEqualTo(11);
    assertThat(bigger.node("extra")).isPresent();
    assertThat(smaller.size()).isEqualTo(9);
    assertThat(smaller.node("node-3")).isEmpty();
    for (int i = 0; i < hashes.length; i++) {
      assertThat(r.routeHash(hashes[i])).isEqualTo(before.get(i));
      assertThat(smaller.routeHash(hashes[i]).id()).isNotEqualTo("node-3");
    }
    assertThat(bigger.withoutNode("extra").nodes()).isEqualTo(r.nodes());
    assertThat(bigger.scheme()).isEqualTo(scheme);
    assertThat(bigger.hasher()).isEqualTo(r.hasher());
  }

  @ParameterizedTest
  @EnumSource(Scheme.class)
  void primitiveLookupsDoNotAllocate(Scheme scheme) {
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    ShardRouter<SimpleNode> r = TestNodes.router(scheme, TestNodes.nodes(100));
    byte[] key = new byte[16];
    long sink = 0;
    // Warm up so the JIT has compiled (and escape-analysed) the path.
    for (int i = 0; i < 200_000; i++) {
      sink += r.route((long) i).id().length();
      key[0] = (byte) i;
      sink += r.route(key).id().length();
    }
    long t = Thread.currentThread().getId();
    long before = mx.getThreadAllocatedBytes(t);
    for (int i = 0; i < 100_000; i++) {
      sink += r.route((long) i).id().length();
      key[1] = (byte) i;
      sink += r.route(key).id().length();
    }
    long allocated = mx.getThreadAllocatedBytes(t) - before;
    assertThat(sink).isPositive();
    // 200k lookups; a single allocation per lookup would be >= 3.2 MB.
    assertThat(allocated).as("bytes allocated by 200k lookups").isLessThan(64 * 1024);
  }
}
