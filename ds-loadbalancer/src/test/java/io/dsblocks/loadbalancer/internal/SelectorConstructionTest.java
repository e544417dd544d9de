package io.dsblocks.loadbalancer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The precomputed structures behind smooth WRR, weighted random and P2C sampling. */
class SelectorConstructionTest {

  @Test
  void smoothCycleIsNginxSequence() {
    assertThat(SmoothWeightedFactory.cycle(new int[] {5, 1, 1}))
        .containsExactly(0, 0, 1, 0, 2, 0, 0);
    assertThat(SmoothWeightedFactory.cycle(new int[] {1, 1, 1})).containsExactly(0, 1, 2);
  }

  @Test
  void integerWeightsKeepProportions() {
    assertThat(SmoothWeightedFactory.integerWeights(new double[] {6, 4, 2}))
        .containsExactly(3, 2, 1);
    // Slow-start factors: 1% resolution.
    assertThat(SmoothWeightedFactory.integerWeights(new double[] {1, 1, 0.25}))
        .containsExactly(4, 4, 1);
    assertThat(SmoothWeightedFactory.integerWeights(new double[] {1, 0.333}))
        .containsExactly(100, 33);
  }

  @Test
  void hugeCyclesAreScaledDownWithinTheLimits() {
    double[] w = new double[200];
    for (int i = 0; i < w.length; i++) {
      w[i] = i == 0 ? 1_000_000 : 999_983 - i; // coprime-ish: no gcd reduction
    }
    int[] iw = SmoothWeightedFactory.integerWeights(w);
    long total = 0;
    for (int x : iw) {
      total += x;
      assertThat(x).isPositive();
    }
    assertThat(total).isLessThanOrEqualTo(SmoothWeightedFactory.MAX_CYCLE);
    assertThat(total * w.length).isLessThanOrEqualTo(SmoothWeightedFactory.MAX_WORK);
    assertThat((double) iw[0] / iw[100]).isCloseTo(w[0] / w[100], within(0.01));
  }

  /** Each column's mass summed over the alias table reproduces the weights exactly. */
  @Property(tries = 300, seed = "9")
  void aliasTableReproducesTheWeights(
      @ForAll @Size(min = 1, max = 40) List<@DoubleRange(min = 0.01, max = 1000) Double> weights) {
    int n = weights.size();
    double[] w = weights.stream().mapToDouble(Double::doubleValue).toArray();
    long[] threshold = new long[n];
    int[] alias = new int[n];
    WeightedRandomFactory.buildAlias(w, threshold, alias);
    double sum = 0;
    for (double x : w) {
      sum += x;
    }
    double[] mass = new double[n];
    for (int col = 0; col < n; col++) {
      double keep = Math.min(1.0, threshold[col] / 0x1.0p32);
      mass[col] += keep / n;
      mass[alias[col]] += (1.0 - keep) / n;
    }
    for (int i = 0; i < n; i++) {
      assertThat(mass[i]).isCloseTo(w[i] / sum, within(1e-7));
    }
  }

  /** The pair sampler never returns the same index twice, for any random bits. */
  @Property(tries = 2000, seed = "5")
  void pairSamplingIsDistinctAndInRange(
      @ForAll long bits, @ForAll @IntRange(min = 2, max = 100_000) int n) {
    int i = PowerOfTwoFactory.first(bits, n);
    int j = PowerOfTwoFactory.second(bits, n, i);
    assertThat(i).isBetween(0, n - 1);
    assertThat(j).isBetween(0, n - 1).isNotEqualTo(i);
  }

  /** Exhaustively over a grid of random values: every ordered pair is equally likely. */
  @Test
  void pairSamplingIsUniformOverOrderedPairs() {
    int n = 5;
    int[][] count = new int[n][n];
    int steps = 1 << 10;
    for (long hi = 0; hi < steps; hi++) {
      for (long lo = 0; lo < steps; lo++) {
        long bits = ((hi << 22) << 32) | (lo << 22);
        int i = PowerOfTwoFactory.first(bits, n);
        count[i][PowerOfTwoFactory.second(bits, n, i)]++;
      }
    }
    double expected = (double) steps * steps / (n * (n - 1));
    for (int i = 0; i < n; i++) {
      assertThat(count[i][i]).isZero();
      for (int j = 0; j < n; j++) {
        if (i != j) {
          assertThat(count[i][j] / expected).isCloseTo(1.0, within(0.01));
        }
      }
    }
  }
}
