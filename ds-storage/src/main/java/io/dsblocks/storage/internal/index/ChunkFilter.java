package io.dsblocks.storage.internal.index;

import java.util.Arrays;

/**
 * The in-memory filter in front of the on-disk dedup index: a scalable stack of {@link
 * BlockedBloomFilter} layers. When the newest layer reaches its capacity a new layer twice as large
 * with half the false-positive rate is added, so the combined rate stays below twice the first
 * layer's without ever rescanning the index (the sum of a geometric series), and memory stays about
 * 1.3 bytes per chunk at 1 %.
 *
 * <p>Thread-safe. Readers see an immutable array of layers; growth swaps in a new array.
 */
public final class ChunkFilter {
  private volatile BlockedBloomFilter[] layers;

  /**
   * Creates a filter with one layer.
   *
   * @param capacity keys the first layer holds at {@code falsePositiveRate}
   * @param falsePositiveRate the first layer's rate
   */
  public ChunkFilter(long capacity, double falsePositiveRate) {
    this.layers = new BlockedBloomFilter[] {new BlockedBloomFilter(capacity, falsePositiveRate)};
  }

  /**
   * Adds a chunk id, growing by a layer when the newest is full.
   *
   * @param id chunk id
   */
  public void add(byte[] id) {
    BlockedBloomFilter[] current = layers;
    BlockedBloomFilter last = current[current.length - 1];
    if (last.insertions() >= last.capacity()) {
      last = grow(current);
    }
    last.add(id);
  }

  private synchronized BlockedBloomFilter grow(BlockedBloomFilter[] seen) {
    BlockedBloomFilter[] current = layers;
    if (current != seen) {
      // Another thread grew it first.
      return current[current.length - 1];
    }
    BlockedBloomFilter last = current[current.length - 1];
    BlockedBloomFilter next =
        new BlockedBloomFilter(last.capacity() * 2, Math.max(1e-9, last.falsePositiveRate() / 2));
    BlockedBloomFilter[] grown = Arrays.copyOf(current, current.length + 1);
    grown[current.length] = next;
    layers = grown;
    return next;
  }

  /**
   * Tests a chunk id.
   *
   * @param id chunk id
   * @return false if it was certainly never added
   */
  public boolean mightContain(byte[] id) {
    for (BlockedBloomFilter layer : layers) {
      if (layer.mightContain(id)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns the number of layers.
   *
   * @return layers
   */
  public int layerCount() {
    return layers.length;
  }

  /**
   * Returns the heap the layers take.
   *
   * @return bytes
   */
  public long sizeInBytes() {
    long total = 0;
    for (BlockedBloomFilter layer : layers) {
      total += layer.sizeInBytes();
    }
    return total;
  }
}
