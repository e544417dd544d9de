package io.dsblocks.benchmarks.cache.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.dsblocks.cache.EvictionPolicy;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class HitRateSimulatorTest {

  @Test
  void zipfRankZeroIsMostFrequentAndMatchesItsProbability() {
    int items = 1_000;
    long[] trace = Traces.zipf(items, 200_000, 1.0, 42);
    long[] counts = new long[items];
    for (long k : trace) {
      counts[(int) k]++;
    }
    double harmonic = 0;
    for (int i = 1; i <= items; i++) {
      harmonic += 1.0 / i;
    }
    assertThat((double) counts[0] / trace.length).isCloseTo(1 / harmonic, within(0.005));
    assertThat(counts[0]).isGreaterThan(counts[1]).isGreaterThan(counts[10]);
    assertThat(Traces.zipf(items, 1_000, 1.0, 42)).isEqualTo(Arrays.copyOf(trace, 1_000));
  }

  @Test
  void lruNeverHitsALoopLongerThanTheCache() {
    long[] loop = Traces.loop(1_000, 10_000);

    HitRateSimulator.Result lru = HitRateSimulator.simulate("loop", loop, EvictionPolicy.LRU, 500);

    assertThat(lru.requests()).isEqualTo(10_000);
    assertThat(lru.hits()).isZero();
  }

  @Test
  void everyPolicyHitsEverythingAfterWarmUpWhenTheWorkingSetFits() {
    long[] loop = Traces.loop(100, 10_000);
    for (EvictionPolicy policy : EvictionPolicy.values()) {
      HitRateSimulator.Result r = HitRateSimulator.simulate("loop", loop, policy, 200);
      assertThat(r.hits()).as(policy.name()).isEqualTo(10_000 - 100);
    }
  }

  @Test
  void scanPollutionHurtsLruMoreThanWindowTinyLfu() {
    long[] trace = Traces.scanPollutedZipf(10_000, 50_000, 0.9, 2_000, 2_000, 7);

    double lru = HitRateSimulator.simulate("scan", trace, EvictionPolicy.LRU, 1_000).hitRate();
    double tinyLfu =
        HitRateSimulator.simulate("scan", trace, EvictionPolicy.WINDOW_TINY_LFU, 1_000).hitRate();

    assertThat(tinyLfu).isGreaterThan(lru * 1.2);
  }

  @Test
  void scanKeysNeverRepeat() {
    long[] trace = Traces.scanPollutedZipf(100, 1_000, 0.9, 100, 50, 1);
    assertThat(trace).hasSize(1_000 + 10 * 50);
    assertThat(Arrays.stream(trace).filter(k -> k >= 100).distinct().count()).isEqualTo(500);
  }
}
