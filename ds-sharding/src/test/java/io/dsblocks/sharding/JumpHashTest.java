package io.dsblocks.sharding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.hash.Hashing;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class JumpHashTest {

  @Test
  void bitForBitIdenticalToGuavasLampingVeachImplementation() {
    SplittableRandom r = new SplittableRandom(20261127);
    int[] bucketCounts = {1, 2, 3, 7, 10, 100, 1000, 4096, 65_537, 1_000_000, Integer.MAX_VALUE};
    for (int buckets : bucketCounts) {
      for (int i = 0; i < 20_000; i++) {
        long key = r.nextLong();
        assertThat(ShardRouters.jumpConsistentHash(key, buckets))
            .as("key %d, %d buckets", key, buckets)
            .isEqualTo(Hashing.consistentHash(key, buckets));
      }
    }
    // Small and edge keys too.
    for (long key = -1000; key <= 1000; key++) {
      assertThat(ShardRouters.jumpConsistentHash(key, 17))
          .isEqualTo(Hashing.consistentHash(key, 17));
    }
    assertThat(ShardRouters.jumpConsistentHash(Long.MIN_VALUE, 99))
        .isEqualTo(Hashing.consistentHash(Long.MIN_VALUE, 99));
    assertThat(ShardRouters.jumpConsistentHash(Long.MAX_VALUE, 99))
        .isEqualTo(Hashing.consistentHash(Long.MAX_VALUE, 99));
  }

  @Test
  void growingByOneBucketOnlyMovesKeysIntoTheNewBucket() {
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < 50_000; i++) {
      long key = r.nextLong();
      int before = ShardRouters.jumpConsistentHash(key, 50);
      int after = ShardRouters.jumpConsistentHash(key, 51);
      assertThat(after == before || after == 50).isTrue();
    }
  }

  @Test
  void jumpRouterUsesTheReferenceFunctionOnTheKeyHash() {
    ShardRouter<SimpleNode> router = ShardRouters.jump(TestNodes.nodes(37));
    SplittableRandom r = new SplittableRandom(2);
    for (int i = 0; i < 10_000; i++) {
      long h = r.nextLong();
      // Initial slots are the nodes in id order.
      int slot = Hashing.consistentHash(h, 37);
      assertThat(router.routeHash(h)).isEqualTo(router.nodes().get(slot));
    }
  }

  @Test
  void rejectsBucketCountBelowOne() {
    assertThatThrownBy(() -> ShardRouters.jumpConsistentHash(1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("buckets")
        .hasMessageContaining("0");
  }
}
