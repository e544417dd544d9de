package io.dsblocks.cache.internal.edge;

import io.dsblocks.cache.edge.EdgeRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The value held in the cache for one key: its variants (one unless the origin sends {@code Vary}),
 * newest first. Immutable; updates build a new set inside the cache's per-key compute, so the purge
 * indexes can be kept exactly in step with the map.
 */
public final class VariantSet {

  private final List<Variant> variants;
  private final Set<String> tags;
  private final int weight;

  private VariantSet(List<Variant> variants, int keyLength) {
    this.variants = List.copyOf(variants);
    Set<String> t = new HashSet<>();
    long w = 64L + 2L * keyLength;
    for (Variant v : variants) {
      t.addAll(v.tags());
      w += v.weight();
    }
    this.tags = Set.copyOf(t);
    this.weight = (int) Math.min(Integer.MAX_VALUE, w);
  }

  /**
   * Creates a set holding one variant.
   *
   * @param key the cache key
   * @param v the variant
   * @return the set
   */
  public static VariantSet of(String key, Variant v) {
    return new VariantSet(List.of(v), key.length());
  }

  /**
   * Returns the newest variant the request selects.
   *
   * @param request the request
   * @return the variant, or null
   */
  public Variant select(EdgeRequest request) {
    for (Variant v : variants) {
      if (v.matches(request)) {
        return v;
      }
    }
    return null;
  }

  /**
   * Returns the {@code Vary} field names of the newest variant, used to key coalesced fetches.
   *
   * @return lower-case names
   */
  public List<String> varyNames() {
    return variants.get(0).varyNames();
  }

  /**
   * Returns a set with {@code v} added (replacing a variant with the same selection), keeping at
   * most {@code max} variants.
   *
   * @param key the cache key
   * @param v the variant
   * @param max variants bound
   * @return the new set
   */
  public VariantSet with(String key, Variant v, int max) {
    List<Variant> next = new ArrayList<>(variants.size() + 1);
    next.add(v);
    for (Variant old : variants) {
      if (next.size() < max && !old.sameSelection(v)) {
        next.add(old);
      }
    }
    return new VariantSet(next, key.length());
  }

  /**
   * Returns a set without the given variant (identity), or null when it becomes empty.
   *
   * @param key the cache key
   * @param v the variant
   * @return the new set, this set if absent, or null when empty
   */
  public VariantSet without(String key, Variant v) {
    List<Variant> next = new ArrayList<>(variants.size());
    for (Variant old : variants) {
      if (old != v) {
        next.add(old);
      }
    }
    if (next.size() == variants.size()) {
      return this;
    }
    return next.isEmpty() ? null : new VariantSet(next, key.length());
  }

  /**
   * Returns the variants, newest first.
   *
   * @return variants
   */
  public List<Variant> variants() {
    return variants;
  }

  /**
   * Returns the union of the variants' tags.
   *
   * @return tags
   */
  public Set<String> tags() {
    return tags;
  }

  /**
   * Returns the weight for Caffeine's weigher.
   *
   * @return estimated bytes, capped at {@link Integer#MAX_VALUE}
   */
  public int weight() {
    return weight;
  }
}
