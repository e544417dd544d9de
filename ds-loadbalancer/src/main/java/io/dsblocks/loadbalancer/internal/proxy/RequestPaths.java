package io.dsblocks.loadbalancer.internal.proxy;

/**
 * Normalizes request targets before they are authorized, routed and forwarded, so that the path an
 * auth rule or route prefix judged is the path the backend acts on. Without this, {@code
 * /public/../admin/x} would match a public route and reach the backend as {@code /admin/x}.
 *
 * <p>What is done (RFC 3986 section 6.2.2): percent-encoded unreserved characters are decoded
 * ({@code %61} is {@code a}), {@code .} and {@code ..} segments are removed ({@code ..} never
 * climbs above the root) and empty segments ({@code //}) are merged. What is refused (the caller
 * answers 400), because backends disagree on what they mean: backslashes, percent-encoded {@code
 * /}, {@code \} and {@code .}, malformed percent escapes, and control characters. The query is kept
 * as is.
 *
 * <p>Stateless and thread-safe.
 */
final class RequestPaths {
  private RequestPaths() {}

  /**
   * The normalized request target.
   *
   * @param uri the target as received (origin form, absolute form or {@code *})
   * @return {@code uri} itself when already normal (the common case, no allocation), the rewritten
   *     target, or {@code null} if it must be refused
   */
  static String normalize(String uri) {
    int start = 0;
    int scheme = uri.indexOf("://");
    if (scheme > 0 && uri.indexOf('/') > scheme) {
      start = uri.indexOf('/', scheme + 3);
      if (start < 0) {
        return uri; // "http://host" has the empty path, which means "/"
      }
    } else if (!uri.startsWith("/")) {
      return uri; // asterisk form ("OPTIONS *"); auth rules deny it as ambiguous
    }
    int end = uri.length();
    for (int i = start; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c == '?' || c == '#') {
        end = i;
        break;
      }
    }
    if (isNormal(uri, start, end)) {
      return uri;
    }
    String path = normalizePath(uri.substring(start, end));
    if (path == null) {
      return null;
    }
    return uri.substring(0, start) + path + uri.substring(end);
  }

  private static boolean isNormal(String uri, int start, int end) {
    char prev = 0;
    for (int i = start; i < end; i++) {
      char c = uri.charAt(i);
      if (c == '%' || c == '\\' || c < 0x21 || c == 0x7f) {
        return false;
      }
      if (prev == '/' && (c == '/' || c == '.')) {
        return false; // "//", "/." or "/.." (a name starting with a dot is checked slowly, fine)
      }
      prev = c;
    }
    return true;
  }

  /** Decodes unreserved escapes, removes dot segments, merges slashes; null if refused. */
  static String normalizePath(String path) {
    StringBuilder decoded = new StringBuilder(path.length());
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '\\' || c < 0x21 || c == 0x7f) {
        return null;
      }
      if (c != '%') {
        decoded.append(c);
        continue;
      }
      if (i + 2 >= path.length()) {
        return null;
      }
      int hi = Character.digit(path.charAt(i + 1), 16);
      int lo = Character.digit(path.charAt(i + 2), 16);
      if (hi < 0 || lo < 0) {
        return null;
      }
      char v = (char) (hi * 16 + lo);
      if (v == '/' || v == '\\' || v == '.') {
        return null;
      }
      if (isUnreserved(v)) {
        decoded.append(v);
      } else {
        // Keep other escapes, upper-cased (RFC 3986 6.2.2.1), so equal paths compare equal.
        decoded.append('%').append(Character.toUpperCase(path.charAt(i + 1)));
        decoded.append(Character.toUpperCase(path.charAt(i + 2)));
      }
      i += 2;
    }
    // Segment walk: a stack of output segment start offsets in "out".
    StringBuilder out = new StringBuilder(decoded.length());
    int[] starts = new int[decoded.length() + 1];
    int depth = 0;
    int i = 0;
    int n = decoded.length();
    boolean trailingSlash = false;
    while (i < n) {
      // decoded starts with '/', and every iteration starts at a '/'.
      int next = decoded.indexOf("/", i + 1);
      if (next < 0) {
        next = n;
      }
      String seg = decoded.substring(i + 1, next);
      boolean last = next == n;
      if (seg.isEmpty() || seg.equals(".")) {
        trailingSlash = last;
      } else if (seg.equals("..")) {
        if (depth > 0) {
          depth--;
          out.setLength(starts[depth]);
        }
        trailingSlash = last;
      } else {
        starts[depth++] = out.length();
        out.append('/').append(seg);
        trailingSlash = false;
      }
      i = next;
    }
    if (out.length() == 0 || trailingSlash) {
      out.append('/');
    }
    return out.toString();
  }

  private static boolean isUnreserved(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '_'
        || c == '~';
  }
}
