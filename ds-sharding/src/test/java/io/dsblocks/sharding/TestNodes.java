package io.dsblocks.sharding;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Helpers shared by the tests. */
final class TestNodes {
  private TestNodes() {}

  static List<SimpleNode> nodes(int n) {
    List<SimpleNode> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(Node.of("node-" + i));
    }
    return out;
  }

  static List<SimpleNode> zoned(int n, int zones) {
    List<SimpleNode> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(Node.of("node-" + i, 1.0, "zone-" + (i % zones)));
    }
    return out;
  }

  static ShardRouter<SimpleNode> router(Scheme scheme, List<SimpleNode> nodes) {
    return ShardRouters.builder(scheme).build(nodes);
  }

  /** Well-spread deterministic hashes (the routers see hashes, so this isolates the schemes). */
  static long[] hashes(int count, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    long[] out = new long[count];
    for (int i = 0; i < count; i++) {
      out[i] = r.nextLong();
    }
    return out;
  }
}
