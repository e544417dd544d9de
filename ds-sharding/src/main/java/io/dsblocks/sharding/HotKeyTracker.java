package io.dsblocks.sharding;

import io.dsblocks.sharding.internal.SpaceSaving;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the hottest keys of each node over a sliding time window, in bounded memory, so you can
 * cache or split them.
 *
 * <p>Each node's window is split into {@code buckets} sub-windows, each a Space-Saving summary of
 * {@code capacity} counters; a query merges the sub-windows that overlap the last {@code window}.
 * Memory is {@code nodes × buckets × capacity} counters whatever the key space. Reported counts are
 * upper bounds ({@link HotKey#error()} bounds the overestimate), and every key whose count in a
 * sub-window exceeds that sub-window's total / capacity is reported. The window slides in steps of
 * {@code window / buckets}: a query covers between {@code window - window/buckets} and {@code
 * window} of history.
 *
 * <pre>{@code
 * HotKeyTracker<String> hot = HotKeyTracker.<String>builder()
 *     .window(Duration.ofMinutes(1)).buckets(6).capacity(256).build();
 * hot.record(router.route(key).id(), key);
 * List<HotKey<String>> top = hot.topK("node-3", 10);
 * }</pre>
 *
 * <p>Thread-safety: thread-safe; each node's summary is guarded by its own lock, so threads
 * recording for different nodes do not contend. Time comes only from the injected {@link Ticker}.
 *
 * @param <K> key type (must have proper equals/hashCode)
 */
public final class HotKeyTracker<K> {
  private final int capacity;
  private final int buckets;
  private final long bucketNanos;
  private final Ticker ticker;
  private final long origin;
  private final Map<String, NodeWindow<K>> nodes = new ConcurrentHashMap<>();

  private HotKeyTracker(Builder<K> b) {
    this.capacity = b.capacity;
    this.buckets = b.buckets;
    this.bucketNanos = b.window.toNanos() / b.buckets;
    this.ticker = b.ticker;
    this.origin = ticker.read();
  }

  /**
   * A builder with defaults: 60 s window, 6 buckets, 256 counters, system ticker.
   *
   * @param <K> key type
   * @return the builder
   */
  public static <K> Builder<K> builder() {
    return new Builder<>();
  }

  /**
   * Counts one request for {@code key} on node {@code nodeId}.
   *
   * @param nodeId the node the key was routed to
   * @param key the key, not null
   */
  public void record(String nodeId, K key) {
    record(nodeId, key, 1);
  }

  /**
   * Counts {@code weight} requests (or bytes, or cost units) for {@code key} on {@code nodeId}.
   *
   * @param nodeId the node the key was routed to
   * @param key the key, not null
   * @param weight the amount, at least 1
   */
  public void record(String nodeId, K key, long weight) {
    Objects.requireNonNull(nodeId, "nodeId must not be null");
    Objects.requireNonNull(key, "key must not be null");
    if (weight < 1) {
      throw new IllegalArgumentException("weight must be >= 1, was " + weight);
    }
    NodeWindow<K> w = nodes.computeIfAbsent(nodeId, id -> new NodeWindow<>(buckets, capacity));
    long epoch = epochNow();
    synchronized (w) {
      w.bucketFor(epoch).add(key, weight);
    }
  }

  private long epochNow() {
    return Math.floorDiv(ticker.read() - origin, bucketNanos);
  }

  /**
   * The {@code k} hottest keys of a node in the current window, hottest first.
   *
   * @param nodeId the node
   * @param k how many, at least 1
   * @return up to {@code k} keys (empty if the node saw nothing in the window)
   */
  public List<HotKey<K>> topK(String nodeId, int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, was " + k);
    }
    NodeWindow<K> w = nodes.get(Objects.requireNonNull(nodeId, "nodeId must not be null"));
    if (w == null) {
      return List.of();
    }
    long epoch = epochNow();
    Map<K, long[]> merged = new HashMap<>();
    synchronized (w) {
      int live = 0;
      for (int i = 0; i < buckets; i++) {
        if (w.inWindow(i, epoch, buckets)) {
          live++;
        }
      }
      int seenBuckets = 0;
      for (int i = 0; i < buckets; i++) {
        if (!w.inWindow(i, epoch, buckets)) {
          continue;
        }
        SpaceSaving<K> s = w.summaries[i];
        int bucketIndex = seenBuckets++;
        s.forEach(
            (key, count) -> {
              long[] ce = merged.computeIfAbsent(key, x -> new long[] {0, 0, 0});
              ce[0] += count;
              ce[2] |= 1L << bucketIndex;
            },
            (key, error) -> merged.get(key)[1] += error);
      }
      // A key absent from a full sub-window may still have occurred there up to its floor: add
      // the floor to count and error so counts stay upper bounds.
      seenBuckets = 0;
      for (int i = 0; i < buckets; i++) {
        if (!w.inWindow(i, epoch, buckets)) {
          continue;
        }
        long floor = w.summaries[i].floor();
        long bit = 1L << seenBuckets++;
        if (floor == 0) {
          continue;
        }
        for (long[] ce : merged.values()) {
          if ((ce[2] & bit) == 0) {
            ce[0] += floor;
            ce[1] += floor;
          }
        }
      }
      if (live == 0) {
        return List.of();
      }
    }
    List<HotKey<K>> all = new ArrayList<>(merged.size());
    merged.forEach((key, ce) -> all.add(new HotKey<>(key, ce[0], ce[1])));
    all.sort(
        Comparator.<HotKey<K>>comparingLong(HotKey::count)
            .reversed()
            .thenComparingLong(h -> h.error()));
    return Collections.unmodifiableList(new ArrayList<>(all.subList(0, Math.min(k, all.size()))));
  }

  /**
   * The {@code k} hottest keys of every node that recorded anything, by node id.
   *
   * @param k how many per node, at least 1
   * @return node id to its hottest keys (ids sorted)
   */
  public Map<String, List<HotKey<K>>> topKPerNode(int k) {
    Map<String, List<HotKey<K>>> out = new LinkedHashMap<>();
    for (String id : new TreeSet<>(nodes.keySet())) {
      List<HotKey<K>> top = topK(id, k);
      if (!top.isEmpty()) {
        out.put(id, top);
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * Ids of nodes that have recorded keys.
   *
   * @return the ids, sorted
   */
  public Set<String> nodeIds() {
    return Collections.unmodifiableSet(new TreeSet<>(nodes.keySet()));
  }

  /**
   * Forgets a node (e.g. after it left the cluster).
   *
   * @param nodeId the node
   */
  public void forget(String nodeId) {
    nodes.remove(nodeId);
  }

  private static final class NodeWindow<K> {
    final List<SpaceSaving<K>> summaryList;
    final SpaceSaving<K>[] summaries;
    final long[] epochs;

    @SuppressWarnings("unchecked")
    NodeWindow(int buckets, int capacity) {
      summaryList = new ArrayList<>(buckets);
      epochs = new long[buckets];
      for (int i = 0; i < buckets; i++) {
        summaryList.add(new SpaceSaving<>(capacity));
        epochs[i] = Long.MIN_VALUE;
      }
      summaries = (SpaceSaving<K>[]) summaryList.toArray(new SpaceSaving<?>[0]);
    }

    SpaceSaving<K> bucketFor(long epoch) {
      int i = (int) Math.floorMod(epoch, (long) summaries.length);
      if (epochs[i] != epoch) {
        summaries[i].clear();
        epochs[i] = epoch;
      }
      return summaries[i];
    }

    boolean inWindow(int i, long epoch, int buckets) {
      return epochs[i] != Long.MIN_VALUE && epochs[i] > epoch - buckets && epochs[i] <= epoch;
    }
  }

  /**
   * Settings of a {@link HotKeyTracker}, validated by {@link #build()}. Not thread-safe.
   *
   * @param <K> key type
   */
  public static final class Builder<K> {
    private int capacity = 256;
    private int buckets = 6;
    private Duration window = Duration.ofSeconds(60);
    private Ticker ticker = Ticker.system();

    private Builder() {}

    /**
     * Counters per node per sub-window, 1 to 1_000_000 (default 256). Keys with more than 1 /
     * capacity of a sub-window's traffic are always found.
     *
     * @param capacity counters
     * @return this builder
     */
    public Builder<K> capacity(int capacity) {
      this.capacity = capacity;
      return this;
    }

    /**
     * Sub-windows, 1 to 60 (default 6); more gives a smoother slide and more memory.
     *
     * @param buckets sub-window count
     * @return this builder
     */
    public Builder<K> buckets(int buckets) {
      this.buckets = buckets;
      return this;
    }

    /**
     * Window length (default 60 s); at least 1 ms per sub-window.
     *
     * @param window the window
     * @return this builder
     */
    public Builder<K> window(Duration window) {
      this.window = Objects.requireNonNull(window, "window must not be null");
      return this;
    }

    /**
     * Time source (default {@link Ticker#system()}).
     *
     * @param ticker the ticker
     * @return this builder
     */
    public Builder<K> ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker must not be null");
      return this;
    }

    /**
     * Validates and builds.
     *
     * @return the tracker
     * @throws IllegalArgumentException naming the bad setting
     */
    public HotKeyTracker<K> build() {
      if (capacity < 1 || capacity > 1_000_000) {
        throw new IllegalArgumentException("capacity must be in [1, 1000000], was " + capacity);
      }
      if (buckets < 1 || buckets > 60) {
        throw new IllegalArgumentException("buckets must be in [1, 60], was " + buckets);
      }
      if (window.isNegative() || window.toNanos() / buckets < 1_000_000) {
        throw new IllegalArgumentException(
            "window must be at least 1 ms per bucket (" + buckets + " buckets), was " + window);
      }
      return new HotKeyTracker<>(this);
    }
  }
}
