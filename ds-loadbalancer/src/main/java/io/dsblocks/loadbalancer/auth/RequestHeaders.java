package io.dsblocks.loadbalancer.auth;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A read-only, case-insensitive multimap view of a request's headers, so authenticators need no
 * HTTP library. A proxy adapts its own header type without copying, e.g. for Netty: {@code
 * RequestHeaders headers = nettyRequest.headers()::getAll;}
 *
 * <p>Implementations must be safe to read from the thread that calls the authenticator; the view is
 * only used during that call.
 */
@FunctionalInterface
public interface RequestHeaders {
  /**
   * All values of a header, in order of appearance.
   *
   * @param name the header name, matched case-insensitively
   * @return the values; empty, never {@code null}, if the header is absent
   */
  List<String> all(String name);

  /**
   * The first value of a header.
   *
   * @param name the header name, matched case-insensitively
   * @return the first value, or {@code null} if absent
   */
  default String first(String name) {
    List<String> v = all(name);
    return v.isEmpty() ? null : v.get(0);
  }

  /**
   * Headers with no entries.
   *
   * @return an empty view
   */
  static RequestHeaders empty() {
    return name -> List.of();
  }

  /**
   * A case-insensitive copy of a map, e.g. {@code java.net.http.HttpHeaders#map()}.
   *
   * @param headers name to values
   * @return an immutable view
   */
  static RequestHeaders of(Map<String, ? extends Collection<String>> headers) {
    Objects.requireNonNull(headers, "headers");
    TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach(
        (k, v) ->
            copy.merge(
                k,
                List.copyOf(v),
                (a, b) -> {
                  ArrayList<String> both = new ArrayList<>(a);
                  both.addAll(b);
                  return List.copyOf(both);
                }));
    return name -> copy.getOrDefault(name, List.of());
  }

  /**
   * Headers from name/value pairs; a name may repeat.
   *
   * @param namesAndValues {@code name1, value1, name2, value2...}
   * @return an immutable view
   */
  static RequestHeaders of(String... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException(
          "namesAndValues must come in pairs, got " + namesAndValues.length + " strings");
    }
    TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (int i = 0; i < namesAndValues.length; i += 2) {
      String name = Objects.requireNonNull(namesAndValues[i], "header name");
      String value = Objects.requireNonNull(namesAndValues[i + 1], "header value");
      copy.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
    copy.replaceAll((k, v) -> List.copyOf(v));
    return name -> copy.getOrDefault(name, List.of());
  }
}
