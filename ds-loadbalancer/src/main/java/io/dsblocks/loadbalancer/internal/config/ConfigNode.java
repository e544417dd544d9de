package io.dsblocks.loadbalancer.internal.config;

import io.dsblocks.loadbalancer.config.ConfigException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.NodeType;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * A YAML node with its path in the document and typed accessors whose errors name the node's line,
 * column and path. Scalars are typed here, from their text, rather than by YAML's implicit
 * resolution, so {@code port: "8080"} and {@code port: 8080} mean the same and {@code yes} is not a
 * boolean. Immutable; not meant to be shared across threads.
 */
public final class ConfigNode {
  private final Node node;
  private final String path;
  private final Source source;

  ConfigNode(Node node, String path, Source source) {
    this.node = node;
    this.path = path;
    this.source = source;
  }

  /**
   * The path, e.g. {@code routes[1].pool}.
   *
   * @return the path, empty for the root
   */
  public String path() {
    return path;
  }

  Source source() {
    return source;
  }

  /**
   * An error at this node.
   *
   * @param problem what is wrong
   * @return the exception to throw
   */
  public ConfigException error(String problem) {
    return error(problem, null);
  }

  ConfigException error(String problem, Throwable cause) {
    return at(node.getStartMark(), path, problem, cause);
  }

  ConfigException at(Optional<Mark> mark, String atPath, String problem, Throwable cause) {
    int line = mark.map(m -> m.getLine() + 1).orElse(0);
    int column = mark.map(m -> m.getColumn() + 1).orElse(0);
    return new ConfigException(source.name(), line, column, atPath, problem, cause);
  }

  /**
   * Runs a builder call; its {@link IllegalArgumentException} or {@link NullPointerException}
   * becomes a {@link ConfigException} at this node with the builder's message (which names the
   * value and the allowed range).
   *
   * @param call the builder call
   * @param <T> its result
   * @return its result
   */
  public <T> T apply(Supplier<T> call) {
    try {
      return call.get();
    } catch (IllegalArgumentException | NullPointerException | IllegalStateException e) {
      throw error(String.valueOf(e.getMessage()), e);
    }
  }

  /**
   * Runs a builder call like {@link #apply} for calls without a result.
   *
   * @param call the builder call
   */
  public void run(Runnable call) {
    apply(
        () -> {
          call.run();
          return null;
        });
  }

  boolean isNull() {
    if (!(node instanceof ScalarNode)) {
      return false;
    }
    ScalarNode s = (ScalarNode) node;
    if (s.getScalarStyle() != ScalarStyle.PLAIN) {
      return false;
    }
    String v = s.getValue();
    return v.isEmpty() || v.equals("~") || v.equals("null") || v.equals("Null") || v.equals("NULL");
  }

  boolean isScalar() {
    return node.getNodeType() == NodeType.SCALAR && !isNull();
  }

  boolean isMapping() {
    return node.getNodeType() == NodeType.MAPPING;
  }

  boolean isSequence() {
    return node.getNodeType() == NodeType.SEQUENCE;
  }

  private String kind() {
    if (isNull()) {
      return "nothing";
    }
    switch (node.getNodeType()) {
      case MAPPING:
        return "a mapping";
      case SEQUENCE:
        return "a list";
      default:
        return "'" + ((ScalarNode) node).getValue() + "'";
    }
  }

  /**
   * This node as a mapping whose keys must be among {@code allowed}.
   *
   * @param allowed the allowed keys, in the order to list them in messages
   * @return the mapping
   */
  public Mapping map(Collection<String> allowed) {
    Mapping m = entries("a mapping");
    for (Map.Entry<String, ConfigNode> e : m.entries.entrySet()) {
      if (!allowed.contains(e.getKey())) {
        throw m.keyError(
            e.getKey(),
            "unknown key '"
                + e.getKey()
                + "'"
                + Suggestions.didYouMean(e.getKey(), allowed)
                + "; allowed keys: "
                + String.join(", ", allowed));
      }
    }
    return m;
  }

  /**
   * This node as a mapping with keys chosen by the user (pool names, header names).
   *
   * @param what what the mapping holds, for messages
   * @return the mapping
   */
  public Mapping freeMap(String what) {
    return entries(what);
  }

  private Mapping entries(String what) {
    if (!isMapping()) {
      throw error("must be " + what + ", was " + kind());
    }
    Map<String, ConfigNode> entries = new LinkedHashMap<>();
    Map<String, Node> keys = new LinkedHashMap<>();
    for (NodeTuple t : ((MappingNode) node).getValue()) {
      Node k = t.getKeyNode();
      String childPath;
      if (!(k instanceof ScalarNode)) {
        throw at(k.getStartMark(), path, "keys must be plain names, not a mapping or a list", null);
      }
      String key = ((ScalarNode) k).getValue();
      if (key.equals("<<")) {
        throw at(k.getStartMark(), path, "merge keys ('<<') are not supported", null);
      }
      childPath = path.isEmpty() ? key : path + "." + key;
      if (entries.containsKey(key)) {
        Mark first = keys.get(key).getStartMark().orElse(null);
        throw at(
            k.getStartMark(),
            childPath,
            "duplicate key '"
                + key
                + "'"
                + (first != null ? " (first at line " + (first.getLine() + 1) + ")" : ""),
            null);
      }
      keys.put(key, k);
      entries.put(key, new ConfigNode(t.getValueNode(), childPath, source));
    }
    return new Mapping(entries, keys);
  }

  /**
   * This node as a list.
   *
   * @return the elements
   */
  public List<ConfigNode> list() {
    if (!isSequence()) {
      throw error("must be a list, was " + kind());
    }
    List<Node> items = ((SequenceNode) node).getValue();
    List<ConfigNode> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      out.add(new ConfigNode(items.get(i), path + "[" + i + "]", source));
    }
    return out;
  }

  /**
   * This node as a list, a single scalar counting as a list of one.
   *
   * @return the elements
   */
  public List<ConfigNode> listOrOne() {
    return isSequence() ? list() : List.of(this);
  }

  /**
   * A list of strings (a single string counts as a list of one).
   *
   * @return the strings
   */
  public List<String> strings() {
    List<String> out = new ArrayList<>();
    for (ConfigNode n : listOrOne()) {
      out.add(n.string());
    }
    return out;
  }

  /**
   * A non-empty string.
   *
   * @return the text
   */
  public String string() {
    if (!isScalar()) {
      throw error("must be a string, was " + kind());
    }
    String v = ((ScalarNode) node).getValue();
    if (v.isBlank()) {
      throw error("must not be blank");
    }
    return v;
  }

  /**
   * An integer in a range.
   *
   * @param min smallest allowed
   * @param max largest allowed
   * @return the value
   */
  public int integer(int min, int max) {
    return (int) longValue(min, max);
  }

  /**
   * A long in a range.
   *
   * @param min smallest allowed
   * @param max largest allowed
   * @return the value
   */
  public long longValue(long min, long max) {
    String v = scalar("an integer");
    long n;
    try {
      n = Long.parseLong(v.replace("_", ""));
    } catch (NumberFormatException e) {
      throw error("must be an integer, was '" + v + "'");
    }
    if (n < min || n > max) {
      throw error("must be in [" + min + ", " + max + "], was " + n);
    }
    return n;
  }

  /**
   * A number in a range.
   *
   * @param min smallest allowed
   * @param max largest allowed
   * @return the value
   */
  public double number(double min, double max) {
    String v = scalar("a number");
    double d;
    try {
      d = Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw error("must be a number, was '" + v + "'");
    }
    if (!(d >= min && d <= max)) {
      throw error("must be in [" + min + ", " + max + "], was " + v);
    }
    return d;
  }

  /**
   * {@code true} or {@code false}.
   *
   * @return the value
   */
  public boolean bool() {
    String v = scalar("true or false");
    switch (v) {
      case "true":
        return true;
      case "false":
        return false;
      default:
        throw error("must be true or false, was '" + v + "'");
    }
  }

  /**
   * A duration such as {@code 250ms}, {@code 5s}, {@code 2m}.
   *
   * @return the duration
   */
  public Duration duration() {
    String v = scalar("a duration");
    try {
      return Values.duration(v);
    } catch (IllegalArgumentException e) {
      throw error(e.getMessage(), e);
    }
  }

  /**
   * A size such as {@code 8192}, {@code 64KiB}, {@code 1MiB}.
   *
   * @return bytes
   */
  public long size() {
    String v = scalar("a size");
    try {
      return Values.size(v);
    } catch (IllegalArgumentException e) {
      throw error(e.getMessage(), e);
    }
  }

  /**
   * A size that must fit an int.
   *
   * @return bytes
   */
  public int intSize() {
    long n = size();
    if (n > Integer.MAX_VALUE) {
      throw error("must be at most " + Integer.MAX_VALUE + " bytes, was " + n);
    }
    return (int) n;
  }

  /**
   * A rate such as {@code 100/s}, {@code 5000/h}, {@code 10/500ms}.
   *
   * @return the rate
   */
  public Values.Rate rate() {
    String v = scalar("a rate");
    try {
      return Values.rate(v);
    } catch (IllegalArgumentException e) {
      throw error(e.getMessage(), e);
    }
  }

  /**
   * One of a set of names, compared ignoring case, {@code -} and {@code _}.
   *
   * @param what what the name is, for messages (e.g. {@code strategy})
   * @param choices the allowed names (as documented) and their values
   * @param <T> value type
   * @return the chosen value
   */
  public <T> T oneOf(String what, Map<String, T> choices) {
    String v = scalar(what);
    String key = normalize(v);
    for (Map.Entry<String, T> e : choices.entrySet()) {
      if (normalize(e.getKey()).equals(key)) {
        return e.getValue();
      }
    }
    throw error(
        "unknown "
            + what
            + " '"
            + v
            + "'"
            + Suggestions.didYouMean(v, choices.keySet())
            + "; allowed: "
            + String.join(", ", choices.keySet()));
  }

  static String normalize(String name) {
    return name.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
  }

  private String scalar(String expected) {
    if (!isScalar()) {
      throw error("must be " + expected + ", was " + kind());
    }
    return ((ScalarNode) node).getValue().trim();
  }

  /** A mapping's entries in document order, with their key nodes for positions. */
  public final class Mapping {
    private final Map<String, ConfigNode> entries;
    private final Map<String, Node> keys;

    Mapping(Map<String, ConfigNode> entries, Map<String, Node> keys) {
      this.entries = entries;
      this.keys = keys;
    }

    /**
     * The value of a key.
     *
     * @param key the key
     * @return its value node, or empty if absent or null
     */
    public Optional<ConfigNode> get(String key) {
      ConfigNode n = entries.get(key);
      return n == null || n.isNull() ? Optional.empty() : Optional.of(n);
    }

    /**
     * The value of a required key.
     *
     * @param key the key
     * @return its value node
     */
    public ConfigNode required(String key) {
      ConfigNode n = entries.get(key);
      if (n == null) {
        throw error("missing required key '" + key + "'");
      }
      if (n.isNull()) {
        throw n.error("must have a value");
      }
      return n;
    }

    /**
     * Whether a key is present with a value.
     *
     * @param key the key
     * @return true if present and not null
     */
    public boolean has(String key) {
      return get(key).isPresent();
    }

    /**
     * The entries in document order.
     *
     * @return key to value node
     */
    public Map<String, ConfigNode> entries() {
      return entries;
    }

    /**
     * The mapping node itself.
     *
     * @return the node
     */
    public ConfigNode node() {
      return ConfigNode.this;
    }

    /**
     * An error at a key (not its value).
     *
     * @param key the key
     * @param problem what is wrong
     * @return the exception to throw
     */
    public ConfigException keyError(String key, String problem) {
      Node k = keys.get(key);
      String keyPath = path.isEmpty() ? key : path + "." + key;
      return at(k == null ? node.getStartMark() : k.getStartMark(), keyPath, problem, null);
    }
  }
}
