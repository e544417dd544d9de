package io.dsblocks.loadbalancer.dns;

/**
 * The record types a {@link RecordSet} can hold and the {@link DnsResponder} answers with.
 *
 * <p>Thread-safety: immutable enum, safe from any thread.
 */
public enum RecordType {
  /** An IPv4 address (type code 1). */
  A(1),
  /** An alias to another name (type code 5); the name may hold no other record type. */
  CNAME(5),
  /** An IPv6 address (type code 28). */
  AAAA(28);

  private final int code;

  RecordType(int code) {
    this.code = code;
  }

  /**
   * The numeric DNS type code (RFC 1035, RFC 3596).
   *
   * @return the type code
   */
  public int code() {
    return code;
  }

  /**
   * Looks up a type by its numeric DNS code.
   *
   * @param code a DNS type code
   * @return the matching type, or {@code null} when it is not one this package serves (queries for
   *     such types get an empty answer when the name exists)
   */
  public static RecordType fromCode(int code) {
    switch (code) {
      case 1:
        return A;
      case 5:
        return CNAME;
      case 28:
        return AAAA;
      default:
        return null;
    }
  }
}
