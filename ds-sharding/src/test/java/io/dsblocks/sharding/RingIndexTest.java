package io.dsblocks.sharding;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.sharding.internal.RingRouter;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The indexed ring must answer exactly like a plain binary search over the same points. */
class RingIndexTest {

  private static SimpleNode reference(
      RingRouter<SimpleNode> ring, long[] pts, int[] owners, long[] flipped, long hash) {
    int idx = Arrays.binarySearch(flipped, hash ^ Long.MIN_VALUE);
    if (idx < 0) {
      idx = -idx - 1;
    } else {
      while (idx > 0 && flipped[idx - 1] == flipped[idx]) {
        idx--;
      }
    }
    if (idx == pts.length) {
      idx = 0;
    }
    return ring.slot(owners[idx]);
  }

  @Test
  void indexedLookupEqualsBinarySearchIncludingEdges() {
    for (int nodes : new int[] {1, 3, 50}) {
      RingRouter<SimpleNode> ring =
          (RingRouter<SimpleNode>)
              ShardRouters.builder(Scheme.RING).pointsPerWeight(37).build(TestNodes.nodes(nodes));
      long[] pts = ring.points();
      int[] owners = ring.pointOwners();
      long[] flipped = new long[pts.length];
      for (int i = 0; i < pts.length; i++) {
        flipped[i] = pts[i] ^ Long.MIN_VALUE;
      }
      for (long h : TestNodes.hashes(50_000, nodes)) {
        assertThat(ring.routeHash(h)).isEqualTo(reference(ring, pts, owners, flipped, h));
      }
      for (long p : pts) {
        for (long h : new long[] {p - 1, p, p + 1}) {
          assertThat(ring.routeHash(h)).isEqualTo(reference(ring, pts, owners, flipped, h));
        }
      }
      for (long h : new long[] {0, -1, Long.MIN_VALUE, Long.MAX_VALUE}) {
        assertThat(ring.routeHash(h)).isEqualTo(reference(ring, pts, owners, flipped, h));
      }
    }
  }

  @Test
  void weightsScaleTheNumberOfPoints() {
    RingRouter<SimpleNode> ring =
        (RingRouter<SimpleNode>)
            ShardRouters.builder(Scheme.RING)
                .pointsPerWeight(100)
                .build(List.of(Node.of("a", 1), Node.of("b", 2.5), Node.of("c", 0.001)));
    assertThat(ring.pointCount()).isEqualTo(100 + 250 + 1);
  }
}
