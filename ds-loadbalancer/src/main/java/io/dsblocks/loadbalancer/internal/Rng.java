package io.dsblocks.loadbalancer.internal;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Random numbers for picks. Unseeded: {@link ThreadLocalRandom} (no shared state, nothing
 * contended). Seeded: SplitMix64 over one shared atomic counter, so a single-threaded test sees the
 * same sequence on every run; under concurrency it stays lock-free (one XADD per number) but the
 * interleaving decides which thread gets which number.
 *
 * <p>Thread-safety: thread-safe and lock-free.
 */
public final class Rng {
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;
  private final AtomicLong state;

  private Rng(AtomicLong state) {
    this.state = state;
  }

  /**
   * An unseeded generator.
   *
   * @return a generator backed by {@link ThreadLocalRandom}
   */
  public static Rng threadLocal() {
    return new Rng(null);
  }

  /**
   * A seeded, deterministic generator.
   *
   * @param seed the seed
   * @return the generator
   */
  public static Rng seeded(long seed) {
    return new Rng(new AtomicLong(seed));
  }

  /**
   * 64 random bits.
   *
   * @return the bits
   */
  public long nextLong() {
    AtomicLong s = state;
    if (s == null) {
      return ThreadLocalRandom.current().nextLong();
    }
    return mix(s.addAndGet(GOLDEN));
  }

  /**
   * A uniform int in {@code [0, bound)} by multiply-shift of 32 random bits (no division; the bias
   * is below {@code bound / 2^32}).
   *
   * @param bound exclusive upper bound, positive
   * @return the int
   */
  public int nextInt(int bound) {
    return (int) (((nextLong() >>> 32) * bound) >>> 32);
  }

  /**
   * A uniform double in {@code [0, 1)}.
   *
   * @return the double
   */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /**
   * SplitMix64's finaliser.
   *
   * @param z the input
   * @return the mixed bits
   */
  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
