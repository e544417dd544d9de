package io.dsblocks.benchmarks.cache.sim;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Synthetic, seeded access traces for the hit-rate simulator. Each trace is an array of keys in
 * request order; the same seed always yields the same trace.
 */
public final class Traces {
  private Traces() {}

  /**
   * Zipf-distributed keys: key {@code i} (0-based rank) has probability proportional to {@code 1 /
   * (i + 1)^s}. Sampled by inverse transform over a precomputed CDF, so the distribution is exact
   * rather than approximated.
   *
   * @param items number of distinct keys
   * @param requests trace length
   * @param s skew exponent, {@code > 0}
   * @param seed random seed
   * @return the trace
   */
  public static long[] zipf(int items, int requests, double s, long seed) {
    if (items < 1 || requests < 0 || !(s > 0)) {
      throw new IllegalArgumentException(
          "zipf needs items >= 1, requests >= 0 and s > 0, got items="
              + items
              + ", requests="
              + requests
              + ", s="
              + s);
    }
    double[] cdf = new double[items];
    double sum = 0;
    for (int i = 0; i < items; i++) {
      sum += 1.0 / Math.pow(i + 1, s);
      cdf[i] = sum;
    }
    SplittableRandom random = new SplittableRandom(seed);
    long[] trace = new long[requests];
    for (int r = 0; r < requests; r++) {
      double u = random.nextDouble() * sum;
      int idx = Arrays.binarySearch(cdf, u);
      trace[r] = idx >= 0 ? idx : Math.min(items - 1, -idx - 1);
    }
    return trace;
  }

  /**
   * A Zipf trace polluted by one-off sequential scans: after every {@code scanEvery} Zipf requests
   * comes a scan of {@code scanLength} keys never seen before or again — the pattern (batch jobs,
   * crawlers) that flushes an LRU cache.
   *
   * @param items distinct keys of the Zipf part
   * @param requests number of Zipf requests
   * @param s Zipf skew
   * @param scanEvery Zipf requests between scans, {@code >= 1}
   * @param scanLength keys per scan
   * @param seed random seed
   * @return the trace (longer than {@code requests} by the scans)
   */
  public static long[] scanPollutedZipf(
      int items, int requests, double s, int scanEvery, int scanLength, long seed) {
    if (scanEvery < 1 || scanLength < 0) {
      throw new IllegalArgumentException(
          "scanEvery must be >= 1 and scanLength >= 0, got " + scanEvery + " and " + scanLength);
    }
    long[] zipf = zipf(items, requests, s, seed);
    int scans = requests / scanEvery;
    long[] trace = new long[requests + scans * scanLength];
    long nextScanKey = items; // scan keys are disjoint from the Zipf keys and never repeat
    int out = 0;
    for (int r = 0; r < requests; r++) {
      trace[out++] = zipf[r];
      if ((r + 1) % scanEvery == 0) {
        for (int k = 0; k < scanLength; k++) {
          trace[out++] = nextScanKey++;
        }
      }
    }
    return Arrays.copyOf(trace, out);
  }

  /**
   * A loop over {@code length} keys, repeated until {@code requests} requests: the worst case for
   * LRU when the loop is longer than the cache (every request misses).
   *
   * @param length loop length, {@code >= 1}
   * @param requests trace length
   * @return the trace
   */
  public static long[] loop(int length, int requests) {
    if (length < 1 || requests < 0) {
      throw new IllegalArgumentException(
          "loop needs length >= 1 and requests >= 0, got " + length + " and " + requests);
    }
    long[] trace = new long[requests];
    for (int r = 0; r < requests; r++) {
      trace[r] = r % length;
    }
    return trace;
  }
}
