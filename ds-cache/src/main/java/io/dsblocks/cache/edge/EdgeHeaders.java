package io.dsblocks.cache.edge;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable, case-insensitive multi-map of HTTP-like header fields.
 *
 * <p>Names are compared case-insensitively (stored lower-case); the order of values of one field is
 * kept. The edge cache only needs a handful of fields, so this is a small map, not a full HTTP
 * header implementation: no validation of field syntax beyond rejecting {@code null}.
 *
 * <p>Thread-safety: immutable, safe to share between threads.
 */
public final class EdgeHeaders {

  private static final EdgeHeaders EMPTY = new EdgeHeaders(Map.of());

  private final Map<String, List<String>> fields;

  private EdgeHeaders(Map<String, List<String>> fields) {
    this.fields = fields;
  }

  /**
   * Returns the empty header set.
   *
   * @return headers with no field
   */
  public static EdgeHeaders empty() {
    return EMPTY;
  }

  /**
   * Builds headers from alternating names and values, e.g. {@code of("Cache-Control", "max-age=60",
   * "ETag", "\"v1\"")}. A repeated name adds a value.
   *
   * @param namesAndValues name, value, name, value...
   * @return the headers
   * @throws IllegalArgumentException if the number of arguments is odd
   * @throws NullPointerException if a name or value is null
   */
  public static EdgeHeaders of(String... namesAndValues) {
    Objects.requireNonNull(namesAndValues, "namesAndValues");
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException(
          "namesAndValues must hold name/value pairs, got an odd count: " + namesAndValues.length);
    }
    Builder b = builder();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      b.add(namesAndValues[i], namesAndValues[i + 1]);
    }
    return b.build();
  }

  /**
   * Returns a new builder.
   *
   * @return an empty builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the first value of a field.
   *
   * @param name field name, any case
   * @return the first value, or {@code null} when absent
   */
  public String first(String name) {
    List<String> values = fields.get(lower(name));
    return values == null ? null : values.get(0);
  }

  /**
   * Returns all values of a field, in order.
   *
   * @param name field name, any case
   * @return the values, empty when absent (unmodifiable)
   */
  public List<String> all(String name) {
    List<String> values = fields.get(lower(name));
    return values == null ? List.of() : values;
  }

  /**
   * Returns all values of a field joined with {@code ", "}, the list form of RFC 9110 section 5.3.
   *
   * @param name field name, any case
   * @return the combined value, or {@code null} when absent
   */
  public String combined(String name) {
    List<String> values = fields.get(lower(name));
    if (values == null) {
      return null;
    }
    return values.size() == 1 ? values.get(0) : String.join(", ", values);
  }

  /**
   * Tells whether a field is present.
   *
   * @param name field name, any case
   * @return true when at least one value is present
   */
  public boolean contains(String name) {
    return fields.containsKey(lower(name));
  }

  /**
   * Returns the field names, lower-case.
   *
   * @return the names (unmodifiable)
   */
  public Set<String> names() {
    return fields.keySet();
  }

  /**
   * Returns the number of distinct field names.
   *
   * @return the field count
   */
  public int size() {
    return fields.size();
  }

  /**
   * Returns a copy with a field replaced by one value.
   *
   * @param name field name
   * @param value the only value
   * @return new headers
   */
  public EdgeHeaders with(String name, String value) {
    Objects.requireNonNull(value, "value of header " + name);
    // Shallow copy: value lists are immutable, so only the map is new (this runs once per hit,
    // to set Age).
    Map<String, List<String>> copy = new LinkedHashMap<>(fields);
    copy.put(lower(name), List.of(value));
    return new EdgeHeaders(Collections.unmodifiableMap(copy));
  }

  /**
   * Returns a copy without a field.
   *
   * @param name field name
   * @return new headers (this instance if the field was absent)
   */
  public EdgeHeaders without(String name) {
    if (!contains(name)) {
      return this;
    }
    return toBuilder().remove(name).build();
  }

  /**
   * Returns a builder pre-filled with these fields.
   *
   * @return a builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    fields.forEach((k, v) -> b.fields.put(k, new ArrayList<>(v)));
    return b;
  }

  /**
   * Returns an estimate of the heap bytes used by the fields, for cache weighing.
   *
   * @return approximate size in bytes
   */
  public long estimatedBytes() {
    long n = 0;
    for (Map.Entry<String, List<String>> e : fields.entrySet()) {
      n += 48 + 2L * e.getKey().length();
      for (String v : e.getValue()) {
        n += 40 + 2L * v.length();
      }
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EdgeHeaders h && h.fields.equals(fields);
  }

  @Override
  public int hashCode() {
    return fields.hashCode();
  }

  @Override
  public String toString() {
    return fields.toString();
  }

  private static String lower(String name) {
    Objects.requireNonNull(name, "name");
    return name.toLowerCase(Locale.ROOT);
  }

  /**
   * Mutable builder of {@link EdgeHeaders}.
   *
   * <p>Thread-safety: not thread-safe; use from one thread.
   */
  public static final class Builder {
    private final Map<String, List<String>> fields = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Adds a value to a field.
     *
     * @param name field name
     * @param value value
     * @return this builder
     */
    public Builder add(String name, String value) {
      Objects.requireNonNull(value, "value of header " + name);
      fields.computeIfAbsent(lower(name), k -> new ArrayList<>(1)).add(value);
      return this;
    }

    /**
     * Replaces a field with one value.
     *
     * @param name field name
     * @param value value
     * @return this builder
     */
    public Builder set(String name, String value) {
      Objects.requireNonNull(value, "value of header " + name);
      List<String> list = new ArrayList<>(1);
      list.add(value);
      fields.put(lower(name), list);
      return this;
    }

    /**
     * Removes a field.
     *
     * @param name field name
     * @return this builder
     */
    public Builder remove(String name) {
      fields.remove(lower(name));
      return this;
    }

    /**
     * Builds the immutable headers.
     *
     * @return the headers
     */
    public EdgeHeaders build() {
      if (fields.isEmpty()) {
        return EMPTY;
      }
      Map<String, List<String>> copy = new LinkedHashMap<>();
      fields.forEach((k, v) -> copy.put(k, List.copyOf(v)));
      return new EdgeHeaders(Collections.unmodifiableMap(copy));
    }
  }
}
