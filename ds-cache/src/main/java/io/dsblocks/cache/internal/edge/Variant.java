package io.dsblocks.cache.internal.edge;

import io.dsblocks.cache.edge.EdgeHeaders;
import io.dsblocks.cache.edge.EdgeRequest;
import io.dsblocks.cache.edge.EdgeResponse;
import java.util.List;
import java.util.Set;

/**
 * One stored response plus everything needed to judge it later without re-parsing headers. All
 * durations are milliseconds; {@link Freshness#FOREVER} means "fresh until purged".
 *
 * @param response the stored response (no {@code Age} field)
 * @param varyNames lower-case request fields named by {@code Vary}, in order
 * @param varyValues the request's normalised values of those fields
 * @param tags purge tags
 * @param responseTime when the response was received (epoch ms)
 * @param correctedInitialAge age at {@code responseTime} (RFC 9111 section 4.2.3)
 * @param lifetime freshness lifetime, {@link Freshness#FOREVER} for never stale
 * @param swr stale-while-revalidate window, 0 when absent
 * @param sie stale-if-error window, 0 when absent
 * @param alwaysRevalidate {@code no-cache}: every use needs a successful revalidation
 * @param noStaleServing {@code must-revalidate}, {@code proxy-revalidate} or {@code s-maxage}
 * @param etag stored {@code ETag} or null
 * @param lastModified stored {@code Last-Modified} or null
 * @param retainUntil after this instant (epoch ms) the entry is useless and may be dropped
 * @param memo the last response served with an {@code Age} field, reused while the age in seconds
 *     is unchanged (a hot object is served many times per second)
 */
public record Variant(
    EdgeResponse response,
    List<String> varyNames,
    List<String> varyValues,
    Set<String> tags,
    long responseTime,
    long correctedInitialAge,
    long lifetime,
    long swr,
    long sie,
    boolean alwaysRevalidate,
    boolean noStaleServing,
    String etag,
    String lastModified,
    long retainUntil,
    AgeMemo memo) {

  /**
   * Holder of the last served response. One volatile reference to an immutable pair, so readers
   * never see an age paired with the wrong response; a lost update only costs a memo miss.
   */
  public static final class AgeMemo {
    private volatile Served last;

    private record Served(long ageSeconds, EdgeResponse response) {}

    /**
     * Returns the memoised response for an age, or null.
     *
     * @param ageSeconds age in seconds
     * @return the response or null
     */
    public EdgeResponse get(long ageSeconds) {
      Served s = last;
      return s != null && s.ageSeconds == ageSeconds ? s.response : null;
    }

    /**
     * Memoises a response for an age.
     *
     * @param ageSeconds age in seconds
     * @param response the response carrying that age
     */
    public void set(long ageSeconds, EdgeResponse response) {
      last = new Served(ageSeconds, response);
    }
  }

  /**
   * Returns the current age (RFC 9111 section 4.2.3), never negative.
   *
   * @param now epoch ms
   * @return age in ms
   */
  public long currentAge(long now) {
    return correctedInitialAge + Math.max(0, now - responseTime);
  }

  /**
   * Tells whether the entry may be served without contacting the origin.
   *
   * @param now epoch ms
   * @return true when fresh
   */
  public boolean isFresh(long now) {
    if (alwaysRevalidate) {
      return false;
    }
    return lifetime == Freshness.FOREVER || currentAge(now) < lifetime;
  }

  /**
   * Returns how long the entry has been stale, 0 when fresh.
   *
   * @param now epoch ms
   * @return staleness in ms
   */
  public long staleness(long now) {
    if (lifetime == Freshness.FOREVER) {
      return 0;
    }
    return Math.max(0, currentAge(now) - lifetime);
  }

  /**
   * Tells whether the stale entry may be served while revalidating in the background.
   *
   * @param now epoch ms
   * @return true inside the stale-while-revalidate window
   */
  public boolean canServeStaleWhileRevalidate(long now) {
    return !alwaysRevalidate && !noStaleServing && swr > 0 && staleness(now) <= swr;
  }

  /**
   * Tells whether the stale entry may be served because the origin failed.
   *
   * @param now epoch ms
   * @return true inside the stale-if-error window
   */
  public boolean canServeStaleIfError(long now) {
    return !alwaysRevalidate && !noStaleServing && sie > 0 && staleness(now) <= sie;
  }

  /**
   * Tells whether the entry has a validator and so can be revalidated with a conditional request.
   *
   * @return true when an ETag or Last-Modified is stored
   */
  public boolean hasValidator() {
    return etag != null || lastModified != null;
  }

  /**
   * Tells whether a request selects this variant (RFC 9111 section 4.1).
   *
   * @param request the request
   * @return true when every {@code Vary}'d field has the stored value
   */
  public boolean matches(EdgeRequest request) {
    for (int i = 0; i < varyNames.size(); i++) {
      if (!varyValues.get(i).equals(normalise(request.headers(), varyNames.get(i)))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Tells whether two variants answer the same selecting request field values.
   *
   * @param other another variant
   * @return true when both have the same vary names and values
   */
  public boolean sameSelection(Variant other) {
    return varyNames.equals(other.varyNames) && varyValues.equals(other.varyValues);
  }

  /**
   * Estimated heap bytes, for the cache weigher.
   *
   * @return bytes
   */
  public long weight() {
    long n = 160L + response.bodyLength() + response.headers().estimatedBytes();
    for (String v : varyValues) {
      n += 40 + 2L * v.length();
    }
    for (String t : tags) {
      n += 40 + 2L * t.length();
    }
    return n;
  }

  /**
   * Normalises a request field for {@code Vary} matching: all lines joined, whitespace around list
   * separators removed (RFC 9111 section 4.1 allows this normalisation). Absent is {@code ""} but
   * distinct from an empty value thanks to a marker.
   *
   * @param headers request fields
   * @param name lower-case field name
   * @return the normalised value
   */
  public static String normalise(EdgeHeaders headers, String name) {
    List<String> values = headers.all(name);
    if (values.isEmpty()) {
      return "\u0000absent";
    }
    StringBuilder sb = new StringBuilder();
    for (String line : values) {
      for (String part : line.split(",", -1)) {
        if (sb.length() > 0) {
          sb.append(',');
        }
        sb.append(part.trim());
      }
    }
    return sb.toString();
  }
}
