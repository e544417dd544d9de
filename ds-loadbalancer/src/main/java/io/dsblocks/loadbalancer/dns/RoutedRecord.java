package io.dsblocks.loadbalancer.dns;

import java.util.Objects;

/**
 * One record of a routing answer: the owner name, the type and the {@link RecordValue} the policy
 * chose (its address or CNAME target, TTL and id).
 *
 * <p>Thread-safety: immutable, safe from any thread.
 */
public final class RoutedRecord {
  private final String name;
  private final RecordType type;
  private final RecordValue value;

  RoutedRecord(String name, RecordType type, RecordValue value) {
    this.name = name;
    this.type = type;
    this.value = value;
  }

  /**
   * The owner name, canonical.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * The record type.
   *
   * @return the type
   */
  public RecordType type() {
    return type;
  }

  /**
   * The chosen value.
   *
   * @return the value
   */
  public RecordValue value() {
    return value;
  }

  /**
   * The TTL to answer with.
   *
   * @return seconds
   */
  public long ttlSeconds() {
    return value.ttlSeconds();
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof RoutedRecord)) {
      return false;
    }
    RoutedRecord other = (RoutedRecord) o;
    return name.equals(other.name) && type == other.type && value == other.value;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, type, value.id());
  }

  @Override
  public String toString() {
    return name
        + ' '
        + value.ttlSeconds()
        + ' '
        + type
        + ' '
        + value.value()
        + " ("
        + value.id()
        + ')';
  }
}
