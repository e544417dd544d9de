package io.dsblocks.cache.internal.edge;

import io.dsblocks.cache.edge.CacheControl;
import io.dsblocks.cache.edge.EdgeHeaders;
import io.dsblocks.cache.edge.EdgeRequest;
import io.dsblocks.cache.edge.EdgeResponse;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * RFC 9111 rules for a shared cache: may a response be stored (section 3), how long is it fresh
 * (section 4.2.1), how old is it (section 4.2.3), and how a 304 updates it (section 4.3.4).
 *
 * <p>No heuristic freshness (section 4.2.2): a response without explicit freshness is stale at
 * once, so it is only worth storing when it carries a validator (then every use is a cheap
 * conditional request). Push-published responses are the exception: without explicit freshness they
 * stay fresh until purged, because the publisher controls their lifetime.
 */
public final class Freshness {

  /** Lifetime of a response that never goes stale (pushed without freshness information). */
  public static final long FOREVER = Long.MAX_VALUE;

  /** Status codes cacheable without explicit freshness (RFC 9110 section 15.1). */
  static final Set<Integer> CACHEABLE_BY_DEFAULT =
      Set.of(200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501);

  /** Fields a 304 must not overwrite (RFC 9111 section 3.2), plus framing fields. */
  private static final Set<String> NOT_UPDATED_BY_304 =
      Set.of(
          "content-length",
          "content-encoding",
          "content-type",
          "content-range",
          "transfer-encoding");

  private Freshness() {}

  /**
   * Explains why a shared cache must not store a response, or returns null when it may.
   *
   * @param request the request
   * @param response the response
   * @param push true for a pushed response (status rules relaxed: the publisher chose it)
   * @return a reason, or null when storable
   */
  public static String whyNotStorable(EdgeRequest request, EdgeResponse response, boolean push) {
    CacheControl cc = CacheControl.of(response.headers());
    int status = response.status();
    if (status < 200 || status == 206 || status == 304) {
      return "status " + status + " is never stored";
    }
    if (cc.noStore()) {
      return "response Cache-Control: no-store";
    }
    if (cc.isPrivate()) {
      return "response Cache-Control: private";
    }
    if (CacheControl.of(request.headers()).noStore()) {
      return "request Cache-Control: no-store";
    }
    if (request.headers().contains("authorization")
        && !(cc.mustRevalidate() || cc.isPublic() || cc.sMaxAge() >= 0)) {
      return "request has Authorization and the response is not explicitly shareable";
    }
    if (varyNames(response.headers()).contains("*")) {
      return "Vary: *";
    }
    if (!push && !CACHEABLE_BY_DEFAULT.contains(status) && !hasExplicitFreshness(cc, response)) {
      return "status " + status + " without explicit freshness";
    }
    return null;
  }

  private static boolean hasExplicitFreshness(CacheControl cc, EdgeResponse response) {
    return cc.sMaxAge() >= 0 || cc.maxAge() >= 0 || response.headers().contains("expires");
  }

  /**
   * Computes the freshness lifetime (RFC 9111 section 4.2.1): s-maxage, then max-age, then Expires
   * minus Date; an invalid Expires means already expired.
   *
   * @param cc response directives
   * @param headers response fields
   * @param date the Date value (epoch ms) or the response time when Date is absent/invalid
   * @param push whether absent freshness means {@link #FOREVER} (push) or 0 (pull)
   * @return lifetime in ms
   */
  public static long lifetime(CacheControl cc, EdgeHeaders headers, long date, boolean push) {
    if (cc.sMaxAge() >= 0) {
      return cc.sMaxAge() * 1000;
    }
    if (cc.maxAge() >= 0) {
      return cc.maxAge() * 1000;
    }
    if (headers.contains("expires")) {
      long expires = HttpDates.parse(headers.first("expires"));
      return expires == HttpDates.INVALID ? 0 : Math.max(0, expires - date);
    }
    return push ? FOREVER : 0;
  }

  /**
   * Builds the stored form of a response.
   *
   * @param request the request it answers
   * @param response the response
   * @param requestTime when the request was sent (epoch ms)
   * @param responseTime when the response arrived (epoch ms)
   * @param extraTags tags given explicitly
   * @param tagHeaders fields whose values are tags
   * @param keepStale how long (ms) to keep a stale entry that has a validator
   * @param push whether it was pushed
   * @return the variant
   */
  public static Variant toVariant(
      EdgeRequest request,
      EdgeResponse response,
      long requestTime,
      long responseTime,
      Collection<String> extraTags,
      List<String> tagHeaders,
      long keepStale,
      boolean push) {
    EdgeHeaders h = response.headers();
    CacheControl cc = CacheControl.of(h);
    long date = HttpDates.parse(h.first("date"));
    if (date == HttpDates.INVALID) {
      date = responseTime;
    }
    long ageValue = h.contains("age") ? ageSeconds(h.first("age")) * 1000 : 0;
    long apparentAge = Math.max(0, responseTime - date);
    long responseDelay = Math.max(0, responseTime - requestTime);
    long correctedInitialAge = Math.max(apparentAge, ageValue + responseDelay);
    long lifetime = lifetime(cc, h, date, push);
    long swr = Math.max(0, cc.staleWhileRevalidate()) * 1000;
    long sie = Math.max(0, cc.staleIfError()) * 1000;
    boolean alwaysRevalidate = cc.noCache();
    // s-maxage implies proxy-revalidate (RFC 9111 section 5.2.2.10).
    boolean noStale = cc.mustRevalidate() || cc.proxyRevalidate() || cc.sMaxAge() >= 0;
    String etag = h.first("etag");
    String lastModified = h.first("last-modified");

    List<String> names = new ArrayList<>(varyNames(h));
    List<String> values = new ArrayList<>(names.size());
    for (String n : names) {
      values.add(Variant.normalise(request.headers(), n));
    }
    Set<String> tags = new LinkedHashSet<>();
    for (String t : extraTags) {
      if (t != null && !t.isBlank()) {
        tags.add(t.trim());
      }
    }
    for (String th : tagHeaders) {
      for (String line : h.all(th)) {
        for (String t : line.split("[\\s,]+")) {
          if (!t.isEmpty()) {
            tags.add(t);
          }
        }
      }
    }

    long retainUntil;
    if (lifetime == FOREVER) {
      retainUntil = Long.MAX_VALUE;
    } else {
      long freshUntil = responseTime + (alwaysRevalidate ? 0 : lifetime) - correctedInitialAge;
      long window = (alwaysRevalidate || noStale) ? 0 : Math.max(swr, sie);
      if (etag != null || lastModified != null) {
        window = Math.max(window, keepStale);
      }
      retainUntil = saturatedAdd(freshUntil, window);
    }
    EdgeResponse stored = response.withHeaders(h.without("age"));
    return new Variant(
        stored,
        List.copyOf(names),
        List.copyOf(values),
        Set.copyOf(tags),
        responseTime,
        correctedInitialAge,
        lifetime,
        swr,
        sie,
        alwaysRevalidate,
        noStale,
        etag,
        lastModified,
        retainUntil,
        new Variant.AgeMemo());
  }

  /**
   * Merges the fields of a 304 into a stored response (RFC 9111 section 3.2).
   *
   * @param stored the stored response
   * @param notModified the 304
   * @return the stored body with updated fields
   */
  public static EdgeResponse merge304(EdgeResponse stored, EdgeResponse notModified) {
    EdgeHeaders.Builder b = stored.headers().toBuilder();
    EdgeHeaders fresh = notModified.headers();
    for (String name : fresh.names()) {
      if (NOT_UPDATED_BY_304.contains(name)) {
        continue;
      }
      b.remove(name);
      for (String v : fresh.all(name)) {
        b.add(name, v);
      }
    }
    return stored.withHeaders(b.build());
  }

  /**
   * Parses {@code Vary} into lower-case field names ({@code *} kept as is).
   *
   * @param headers response fields
   * @return names in order, without duplicates
   */
  public static List<String> varyNames(EdgeHeaders headers) {
    List<String> lines = headers.all("vary");
    if (lines.isEmpty()) {
      return List.of();
    }
    Set<String> names = new LinkedHashSet<>();
    for (String line : lines) {
      for (String n : line.split(",")) {
        String t = n.trim().toLowerCase(Locale.ROOT);
        if (!t.isEmpty()) {
          names.add(t);
        }
      }
    }
    return List.copyOf(names);
  }

  /**
   * Compares entity tags weakly (RFC 9110 section 8.8.3.2), as If-None-Match requires.
   *
   * @param ifNoneMatch the request field (a list, or {@code *})
   * @param etag the stored ETag, may be null
   * @return true when one listed tag matches
   */
  public static boolean weakMatch(String ifNoneMatch, String etag) {
    if (etag == null) {
      return false;
    }
    String stored = opaque(etag);
    for (String candidate : ifNoneMatch.split(",")) {
      String c = candidate.trim();
      if (c.equals("*") || (!c.isEmpty() && opaque(c).equals(stored))) {
        return true;
      }
    }
    return false;
  }

  private static String opaque(String tag) {
    String t = tag.trim();
    return t.startsWith("W/") ? t.substring(2) : t;
  }

  static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  /**
   * Parses an {@code Age} value: delta-seconds; invalid values are ignored (0) and overflow
   * saturates at 2^31 seconds (RFC 9111 sections 1.2.2 and 5.1).
   *
   * @param v the value
   * @return seconds
   */
  static long ageSeconds(String v) {
    String t = v.trim();
    if (t.isEmpty()) {
      return 0;
    }
    long acc = 0;
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c < '0' || c > '9') {
        return 0;
      }
      acc = Math.min(CacheControl.MAX_DELTA_SECONDS, acc * 10 + (c - '0'));
    }
    return acc;
  }
}
