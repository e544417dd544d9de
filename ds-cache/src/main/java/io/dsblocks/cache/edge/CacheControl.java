package io.dsblocks.cache.edge;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A parsed {@code Cache-Control} header (RFC 9111 section 5.2), for requests and responses.
 *
 * <p>Parsing is lenient and never throws, because header values come from untrusted peers:
 *
 * <ul>
 *   <li>directive names are case-insensitive; whitespace around names, {@code =} and values is
 *       ignored; empty list elements are skipped;
 *   <li>values may be tokens or quoted strings (with {@code \} escapes), and both forms are
 *       accepted for every directive (section 5.2: recipients ought to accept both);
 *   <li>unknown directives are kept (see {@link #directive}) but otherwise ignored;
 *   <li>when a directive is repeated, the first occurrence wins (section 4.2.1);
 *   <li>a delta-seconds argument ({@code max-age}, {@code s-maxage}, {@code
 *       stale-while-revalidate}, {@code stale-if-error}, {@code max-stale}, {@code min-fresh}) that
 *       is not a non-negative integer is treated as {@code 0}, which makes a response stale
 *       (section 4.2.1 encourages treating invalid freshness information as stale); a value too
 *       large to represent becomes 2147483648 (section 1.2.2);
 *   <li>{@code no-cache="field"} and {@code private="field"} (the qualified forms) are treated like
 *       their unqualified forms, which is stricter than required and always safe.
 * </ul>
 *
 * <p>Thread-safety: immutable, safe to share between threads.
 */
public final class CacheControl {

  /** Delta-seconds ceiling from RFC 9111 section 1.2.2. */
  public static final long MAX_DELTA_SECONDS = 2_147_483_648L;

  /** Value returned by the delta-seconds accessors when the directive is absent. */
  public static final long ABSENT = -1;

  private static final CacheControl EMPTY = new CacheControl(Map.of());

  private final Map<String, String> directives;
  private final boolean noStore;
  private final boolean noCache;
  private final boolean isPrivate;
  private final boolean isPublic;
  private final boolean mustRevalidate;
  private final boolean proxyRevalidate;
  private final long maxAge;
  private final long sMaxAge;
  private final long staleWhileRevalidate;
  private final long staleIfError;

  private CacheControl(Map<String, String> directives) {
    this.directives = directives;
    this.noStore = directives.containsKey("no-store");
    this.noCache = directives.containsKey("no-cache");
    this.isPrivate = directives.containsKey("private");
    this.isPublic = directives.containsKey("public");
    this.mustRevalidate = directives.containsKey("must-revalidate");
    this.proxyRevalidate = directives.containsKey("proxy-revalidate");
    this.maxAge = delta("max-age");
    this.sMaxAge = delta("s-maxage");
    this.staleWhileRevalidate = delta("stale-while-revalidate");
    this.staleIfError = delta("stale-if-error");
  }

  /**
   * Returns the empty directive set (no {@code Cache-Control} header).
   *
   * @return empty directives
   */
  public static CacheControl empty() {
    return EMPTY;
  }

  /**
   * Parses the {@code Cache-Control} field of a header set (all its lines).
   *
   * @param headers header fields
   * @return the directives, never null
   */
  public static CacheControl of(EdgeHeaders headers) {
    return parse(headers.all("cache-control"));
  }

  /**
   * Parses several field lines as one list (RFC 9110 section 5.3).
   *
   * @param fieldLines field values, may be empty; null elements are skipped
   * @return the directives, never null
   */
  public static CacheControl parse(List<String> fieldLines) {
    if (fieldLines == null || fieldLines.isEmpty()) {
      return EMPTY;
    }
    Map<String, String> map = new LinkedHashMap<>();
    for (String line : fieldLines) {
      if (line != null) {
        parseInto(line, map);
      }
    }
    return map.isEmpty() ? EMPTY : new CacheControl(Collections.unmodifiableMap(map));
  }

  /**
   * Parses one field value, e.g. {@code "public, max-age=60, stale-if-error=\"300\""}.
   *
   * @param fieldValue the value; null means absent
   * @return the directives, never null
   */
  public static CacheControl parse(String fieldValue) {
    return fieldValue == null ? EMPTY : parse(List.of(fieldValue));
  }

  // A hand-written scanner rather than split(","), because quoted values may contain commas.
  private static void parseInto(String s, Map<String, String> out) {
    int n = s.length();
    int i = 0;
    while (i < n) {
      while (i < n && (s.charAt(i) == ',' || isSpace(s.charAt(i)))) {
        i++;
      }
      int nameStart = i;
      while (i < n && s.charAt(i) != ',' && s.charAt(i) != '=' && !isSpace(s.charAt(i))) {
        i++;
      }
      String name = s.substring(nameStart, i).toLowerCase(Locale.ROOT);
      while (i < n && isSpace(s.charAt(i))) {
        i++;
      }
      String value = null;
      if (i < n && s.charAt(i) == '=') {
        i++;
        while (i < n && isSpace(s.charAt(i))) {
          i++;
        }
        if (i < n && s.charAt(i) == '"') {
          StringBuilder sb = new StringBuilder();
          i++;
          while (i < n && s.charAt(i) != '"') {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < n) {
              i++;
              c = s.charAt(i);
            }
            sb.append(c);
            i++;
          }
          i++; // closing quote (or past the end when unterminated)
          value = sb.toString();
        } else {
          int valueStart = i;
          while (i < n && s.charAt(i) != ',') {
            i++;
          }
          value = s.substring(valueStart, Math.min(i, n)).trim();
        }
      }
      // Skip whatever junk follows up to the next list separator.
      while (i < n && s.charAt(i) != ',') {
        i++;
      }
      if (!name.isEmpty()) {
        out.putIfAbsent(name, value == null ? "" : value);
      }
    }
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t';
  }

  private long delta(String name) {
    String v = directives.get(name);
    if (v == null) {
      return ABSENT;
    }
    return parseDeltaSeconds(v);
  }

  /**
   * Parses a delta-seconds value as RFC 9111 requires: digits only; invalid means {@code 0}
   * (stale); overflow saturates at {@link #MAX_DELTA_SECONDS}.
   *
   * @param v the value text
   * @return seconds in [0, {@link #MAX_DELTA_SECONDS}]
   */
  static long parseDeltaSeconds(String v) {
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
      acc = acc * 10 + (c - '0');
      if (acc >= MAX_DELTA_SECONDS) {
        acc = MAX_DELTA_SECONDS;
      }
    }
    return acc;
  }

  /**
   * Returns {@code no-store}.
   *
   * @return whether present
   */
  public boolean noStore() {
    return noStore;
  }

  /**
   * Returns {@code no-cache} (qualified or not).
   *
   * @return whether present
   */
  public boolean noCache() {
    return noCache;
  }

  /**
   * Returns {@code private} (qualified or not).
   *
   * @return whether present
   */
  public boolean isPrivate() {
    return isPrivate;
  }

  /**
   * Returns {@code public}.
   *
   * @return whether present
   */
  public boolean isPublic() {
    return isPublic;
  }

  /**
   * Returns {@code must-revalidate}.
   *
   * @return whether present
   */
  public boolean mustRevalidate() {
    return mustRevalidate;
  }

  /**
   * Returns {@code proxy-revalidate}.
   *
   * @return whether present
   */
  public boolean proxyRevalidate() {
    return proxyRevalidate;
  }

  /**
   * Returns {@code max-age} in seconds.
   *
   * @return seconds, or {@link #ABSENT}
   */
  public long maxAge() {
    return maxAge;
  }

  /**
   * Returns {@code s-maxage} in seconds.
   *
   * @return seconds, or {@link #ABSENT}
   */
  public long sMaxAge() {
    return sMaxAge;
  }

  /**
   * Returns {@code stale-while-revalidate} (RFC 5861) in seconds.
   *
   * @return seconds, or {@link #ABSENT}
   */
  public long staleWhileRevalidate() {
    return staleWhileRevalidate;
  }

  /**
   * Returns {@code stale-if-error} (RFC 5861) in seconds.
   *
   * @return seconds, or {@link #ABSENT}
   */
  public long staleIfError() {
    return staleIfError;
  }

  /**
   * Returns the raw argument of any directive, including unknown ones.
   *
   * @param name directive name, any case
   * @return the argument ({@code ""} when the directive has none), or {@code null} when absent
   */
  public String directive(String name) {
    return directives.get(name.toLowerCase(Locale.ROOT));
  }

  /**
   * Returns all directives in order of first appearance, names lower-case.
   *
   * @return name to argument ({@code ""} when none), unmodifiable
   */
  public Map<String, String> directives() {
    return directives;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CacheControl c && c.directives.equals(directives);
  }

  @Override
  public int hashCode() {
    return directives.hashCode();
  }

  @Override
  public String toString() {
    return "CacheControl" + directives;
  }
}
