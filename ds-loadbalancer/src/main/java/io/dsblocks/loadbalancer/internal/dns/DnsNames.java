package io.dsblocks.loadbalancer.internal.dns;

import io.netty.buffer.ByteBuf;
import java.util.Locale;

/**
 * Domain-name helpers shared by the routing configuration (validation, canonical form) and the
 * responder (wire sizes and encoding).
 *
 * <p>The canonical form is lower case without the trailing dot ({@code "www.example.test"}); the
 * root is the empty string. DNS compares names case-insensitively, so canonicalising once at
 * configuration time lets every lookup be a plain {@code HashMap} hit.
 *
 * <p>Thread-safety: stateless, safe from any thread.
 */
public final class DnsNames {
  /** RFC 1035 section 2.3.4: at most 255 octets on the wire, i.e. 253 characters as text. */
  public static final int MAX_NAME_LENGTH = 253;

  /** RFC 1035 section 2.3.4: at most 63 octets per label. */
  public static final int MAX_LABEL_LENGTH = 63;

  private DnsNames() {}

  /**
   * Validates a configured host name and returns its canonical form.
   *
   * <p>Letters, digits, {@code -} and {@code _} are accepted in labels ({@code _} because service
   * labels such as {@code _sip._tcp} are common in real zones); anything else is rejected because
   * the responder writes names as ASCII and a typo would otherwise silently never match a query.
   *
   * @param name the name, with or without a trailing dot
   * @param field what the name is, for the error message (e.g. {@code "recordSet.name"})
   * @return the canonical name
   * @throws NullPointerException if {@code name} is null
   * @throws IllegalArgumentException if the name is empty or malformed
   */
  public static String canonicalHostName(String name, String field) {
    if (name == null) {
      throw new NullPointerException(field + " must not be null");
    }
    String n = name.strip();
    if (n.endsWith(".")) {
      n = n.substring(0, n.length() - 1);
    }
    if (n.isEmpty()) {
      throw new IllegalArgumentException(
          field + " must not be empty (got '" + name + "'); expected a name like www.example.com");
    }
    if (n.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException(
          field
              + " '"
              + name
              + "' is "
              + n.length()
              + " characters long; the maximum is "
              + MAX_NAME_LENGTH);
    }
    n = n.toLowerCase(Locale.ROOT);
    int labelStart = 0;
    for (int i = 0; i <= n.length(); i++) {
      if (i == n.length() || n.charAt(i) == '.') {
        int labelLength = i - labelStart;
        if (labelLength == 0) {
          throw new IllegalArgumentException(
              field + " '" + name + "' has an empty label (two dots in a row or a leading dot)");
        }
        if (labelLength > MAX_LABEL_LENGTH) {
          throw new IllegalArgumentException(
              field
                  + " '"
                  + name
                  + "' has a label of "
                  + labelLength
                  + " characters; the maximum is "
                  + MAX_LABEL_LENGTH);
        }
        labelStart = i + 1;
      } else {
        char c = n.charAt(i);
        boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok) {
          throw new IllegalArgumentException(
              field
                  + " '"
                  + name
                  + "' contains '"
                  + c
                  + "'; allowed are letters, digits, '-' and '_' (use punycode for IDNs)");
        }
      }
    }
    return n;
  }

  /**
   * Canonicalises a name received from the network without validating it: lower case, trailing dot
   * removed. Names that were never configured simply miss every lookup, so there is nothing to
   * reject here.
   *
   * @param wireName the name as decoded by Netty (usually with a trailing dot)
   * @return the canonical form; the root is {@code ""}
   */
  public static String canonicalQueryName(String wireName) {
    int end = wireName.length();
    if (end > 0 && wireName.charAt(end - 1) == '.') {
      end--;
    }
    return wireName.substring(0, end).toLowerCase(Locale.ROOT);
  }

  /**
   * Returns the parent of a canonical name.
   *
   * @param canonicalName a canonical name
   * @return the name without its first label, or {@code null} for a single-label name
   */
  public static String parentOf(String canonicalName) {
    int dot = canonicalName.indexOf('.');
    return dot < 0 ? null : canonicalName.substring(dot + 1);
  }

  /**
   * The number of bytes {@link #writeName} (and Netty's record encoder, which uses the same
   * uncompressed layout) writes for a name. The responder sums these to decide truncation before
   * encoding, so the two must agree exactly.
   *
   * @param name a name with or without the trailing dot; {@code "."} or {@code ""} is the root
   * @return the encoded length in bytes
   */
  public static int wireLength(String name) {
    int length = 1; // the terminating zero-length root label
    int labelStart = 0;
    int n = name.length();
    for (int i = 0; i <= n; i++) {
      if (i == n || name.charAt(i) == '.') {
        int labelLength = i - labelStart;
        if (labelLength == 0) {
          // Netty stops at the first empty label (the trailing dot or the root); so do we.
          break;
        }
        length += 1 + labelLength;
        labelStart = i + 1;
      }
    }
    return length;
  }

  /**
   * Whether Netty's encoder can write a name received from the network back out unchanged. The
   * decoder accepts label bytes the encoder rejects (a NUL byte, a dot inside a label, which turns
   * into an empty label once the name is re-split), and echoing such a question would fail after
   * the response is built; the responder answers FORMERR without the question instead.
   *
   * @param wireName a name as decoded by Netty
   * @return true if it can be echoed
   */
  public static boolean isEncodable(String wireName) {
    if (wireName.equals(".") || wireName.isEmpty()) {
      return true;
    }
    int n = wireName.length();
    int labelStart = 0;
    for (int i = 0; i <= n; i++) {
      if (i == n || wireName.charAt(i) == '.') {
        int labelLength = i - labelStart;
        if (labelLength == 0) {
          return i == n; // only the trailing dot may end in an empty label
        }
        if (labelLength > MAX_LABEL_LENGTH) {
          return false;
        }
        labelStart = i + 1;
      } else {
        char c = wireName.charAt(i);
        if (c == 0 || c > 0x7E) {
          return false;
        }
      }
    }
    return wireLength(wireName) <= 255;
  }

  /**
   * Writes a name in uncompressed wire format (length-prefixed labels ending with a zero byte).
   * Used for CNAME and SOA RDATA, which Netty leaves to the caller for raw records.
   *
   * @param name a canonical name or a name with a trailing dot
   * @param out the buffer to write to
   */
  public static void writeName(String name, ByteBuf out) {
    int labelStart = 0;
    int n = name.length();
    for (int i = 0; i <= n; i++) {
      if (i == n || name.charAt(i) == '.') {
        int labelLength = i - labelStart;
        if (labelLength == 0) {
          break;
        }
        out.writeByte(labelLength);
        for (int j = labelStart; j < i; j++) {
          out.writeByte(name.charAt(j));
        }
        labelStart = i + 1;
      }
    }
    out.writeByte(0);
  }
}
