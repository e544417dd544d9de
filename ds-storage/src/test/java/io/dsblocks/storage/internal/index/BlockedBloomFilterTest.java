package io.dsblocks.storage.internal.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BlockedBloomFilterTest {

  private static byte[] id(Random r) {
    byte[] b = new byte[32];
    r.nextBytes(b);
    return b;
  }

  @Test
  void hasNoFalseNegativesAndAFalsePositiveRateNearTheTarget() {
    for (double target : new double[] {0.05, 0.01, 0.001}) {
      int n = 100_000;
      BlockedBloomFilter f = new BlockedBloomFilter(n, target);
      Random r = new Random(42);
      List<byte[]> added = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        byte[] id = id(r);
        added.add(id);
        f.add(id);
      }
      for (byte[] id : added) {
        assertThat(f.mightContain(id)).isTrue();
      }
      int probes = 400_000;
      int fp = 0;
      for (int i = 0; i < probes; i++) {
        if (f.mightContain(id(r))) {
          fp++;
        }
      }
      double rate = (double) fp / probes;
      // Sized with the blocking penalty: within 30 % of the target at full capacity.
      assertThat(rate).as("target %s", target).isLessThan(target * 1.3).isGreaterThan(target / 4);
      // Memory stays near the classic formula (about 1.3 bytes per key at 1 %).
      double bitsPerKey = f.sizeInBytes() * 8.0 / n;
      assertThat(bitsPerKey).isLessThan(-Math.log(target) / (Math.log(2) * Math.log(2)) * 1.35);
    }
  }

  @Test
  void overfillingDegradesGracefullyAndTheScalableFilterKeepsTheRate() {
    Random r = new Random(7);
    BlockedBloomFilter single = new BlockedBloomFilter(10_000, 0.01);
    ChunkFilter scalable = new ChunkFilter(10_000, 0.01);
    for (int i = 0; i < 80_000; i++) {
      byte[] id = id(r);
      single.add(id);
      scalable.add(id);
    }
    assertThat(scalable.layerCount()).isEqualTo(4); // 10k + 20k + 40k + 80k capacity
    int fpSingle = 0;
    int fpScalable = 0;
    for (int i = 0; i < 200_000; i++) {
      byte[] id = id(r);
      fpSingle += single.mightContain(id) ? 1 : 0;
      fpScalable += scalable.mightContain(id) ? 1 : 0;
    }
    assertThat(fpSingle / 200_000.0).isGreaterThan(0.2); // 8x over capacity
    assertThat(fpScalable / 200_000.0).isLessThan(0.02); // stays under twice the first rate
  }

  @Test
  void concurrentAddsLoseNoBits() throws Exception {
    BlockedBloomFilter f = new BlockedBloomFilter(200_000, 0.01);
    int threads = 4;
    int perThread = 50_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<byte[]>>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int seed = t;
      futures.add(
          pool.submit(
              () -> {
                Random r = new Random(seed);
                List<byte[]> mine = new ArrayList<>();
                start.await();
                for (int i = 0; i < perThread; i++) {
                  byte[] id = id(r);
                  f.add(id);
                  mine.add(id);
                }
                return mine;
              }));
    }
    start.countDown();
    for (Future<List<byte[]>> fu : futures) {
      for (byte[] id : fu.get(60, TimeUnit.SECONDS)) {
        assertThat(f.mightContain(id)).isTrue();
      }
    }
    pool.shutdown();
    assertThat(f.insertions()).isEqualTo((long) threads * perThread);
  }

  @Test
  void rejectsBadSizing() {
    assertThatThrownBy(() -> new BlockedBloomFilter(0, 0.01))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("capacity must be >= 1 but was 0");
    assertThatThrownBy(() -> new BlockedBloomFilter(10, 0.6))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("falsePositiveRate must be in (0, 0.5) but was 0.6");
  }
}
