package io.dsblocks.loadbalancer.dns;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A {@link GeoResolver} over a table of CIDR blocks: the longest matching prefix wins, as in IP
 * routing, so a {@code /24} carved out of a {@code /8} overrides it.
 *
 * <pre>{@code
 * GeoResolver geo = CidrGeoResolver.builder()
 *     .add("10.0.0.0/8", ClientLocation.of(Continent.NA, "US", "us-east"))
 *     .add("10.1.0.0/16", ClientLocation.of(Continent.EU, "DE", "eu-central"))
 *     .add("2001:db8::/32", ClientLocation.of(Continent.AS, "JP", "ap-northeast"))
 *     .build();
 * }</pre>
 *
 * <p>Lookups probe one hash map per distinct prefix length in the table, longest first: cost grows
 * with the number of distinct lengths (at most 33 for IPv4, 129 for IPv6), not with the number of
 * blocks.
 *
 * <p>Thread-safety: immutable after {@link Builder#build()}; safe from any thread.
 */
public final class CidrGeoResolver implements GeoResolver {
  private final int[] v4Lengths; // descending
  private final Map<Integer, Map<Integer, ClientLocation>> v4;
  private final int[] v6Lengths; // descending
  private final Map<Integer, Map<V6Key, ClientLocation>> v6;
  private final ClientLocation fallback;

  private record V6Key(long high, long low) {}

  private CidrGeoResolver(Builder b) {
    TreeMap<Integer, Map<Integer, ClientLocation>> four = new TreeMap<>();
    TreeMap<Integer, Map<V6Key, ClientLocation>> six = new TreeMap<>();
    for (Entry e : b.entries) {
      if (e.address.length == 4) {
        four.computeIfAbsent(e.prefix, k -> new HashMap<>())
            .put(mask4(toInt(e.address), e.prefix), e.location);
      } else {
        six.computeIfAbsent(e.prefix, k -> new HashMap<>())
            .put(mask6(e.address, e.prefix), e.location);
      }
    }
    this.v4Lengths = four.descendingKeySet().stream().mapToInt(Integer::intValue).toArray();
    this.v4 = new HashMap<>(four);
    this.v6Lengths = six.descendingKeySet().stream().mapToInt(Integer::intValue).toArray();
    this.v6 = new HashMap<>(six);
    this.fallback = b.fallback;
  }

  /**
   * Starts a table.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public ClientLocation locate(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (bytes.length == 4) {
      int a = toInt(bytes);
      for (int len : v4Lengths) {
        ClientLocation l = v4.get(len).get(mask4(a, len));
        if (l != null) {
          return l;
        }
      }
    } else {
      for (int len : v6Lengths) {
        ClientLocation l = v6.get(len).get(mask6(bytes, len));
        if (l != null) {
          return l;
        }
      }
    }
    return fallback;
  }

  private static int toInt(byte[] b) {
    return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
  }

  private static int mask4(int address, int prefix) {
    return prefix == 0 ? 0 : address & (-1 << (32 - prefix));
  }

  private static long toLong(byte[] b, int offset) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[offset + i] & 0xFF);
    }
    return v;
  }

  private static long maskLong(long v, int bits) {
    if (bits <= 0) {
      return 0;
    }
    return bits >= 64 ? v : v & (-1L << (64 - bits));
  }

  private static V6Key mask6(byte[] address, int prefix) {
    return new V6Key(
        maskLong(toLong(address, 0), prefix), maskLong(toLong(address, 8), prefix - 64));
  }

  private static final class Entry {
    final byte[] address;
    final int prefix;
    final ClientLocation location;

    Entry(byte[] address, int prefix, ClientLocation location) {
      this.address = address;
      this.prefix = prefix;
      this.location = location;
    }
  }

  /**
   * Builds a {@link CidrGeoResolver}; each block is checked as it is added.
   *
   * <p>Thread-safety: not thread-safe; use from one thread.
   */
  public static final class Builder {
    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, String> seen = new HashMap<>();
    private ClientLocation fallback = ClientLocation.UNKNOWN;

    private Builder() {}

    /**
     * Maps a block of addresses to a location.
     *
     * @param cidr a block such as {@code 203.0.113.0/24} or {@code 2001:db8::/32}; host bits must
     *     be zero
     * @param location where clients in the block are
     * @return this builder
     * @throws IllegalArgumentException if the block is malformed, has host bits set or is already
     *     in the table
     */
    public Builder add(String cidr, ClientLocation location) {
      Objects.requireNonNull(cidr, "cidr");
      Objects.requireNonNull(location, "location");
      int slash = cidr.indexOf('/');
      if (slash < 0) {
        throw new IllegalArgumentException(
            "cidr '" + cidr + "' needs a prefix length, e.g. 203.0.113.0/24");
      }
      byte[] address = NetUtil.createByteArrayFromIpAddressString(cidr.substring(0, slash));
      if (address == null) {
        throw new IllegalArgumentException(
            "cidr '" + cidr + "' does not start with an IPv4 or IPv6 literal");
      }
      int max = address.length * 8;
      int prefix;
      try {
        prefix = Integer.parseInt(cidr.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "cidr '" + cidr + "' has a non-numeric prefix length; allowed 0.." + max, e);
      }
      if (prefix < 0 || prefix > max) {
        throw new IllegalArgumentException(
            "cidr '" + cidr + "' prefix length " + prefix + " is outside 0.." + max);
      }
      for (int bit = prefix; bit < max; bit++) {
        if ((address[bit >>> 3] & (0x80 >>> (bit & 7))) != 0) {
          throw new IllegalArgumentException(
              "cidr '"
                  + cidr
                  + "' has host bits set beyond /"
                  + prefix
                  + " (use the network address)");
        }
      }
      String key = NetUtil.bytesToIpAddress(address) + "/" + prefix;
      String previous = seen.putIfAbsent(key, cidr);
      if (previous != null) {
        throw new IllegalArgumentException(
            "cidr '" + cidr + "' is already in the table (as '" + previous + "')");
      }
      entries.add(new Entry(address, prefix, location));
      return this;
    }

    /**
     * Sets the location of addresses no block matches (default {@link ClientLocation#UNKNOWN}).
     *
     * @param location the fallback location
     * @return this builder
     */
    public Builder defaultLocation(ClientLocation location) {
      this.fallback = Objects.requireNonNull(location, "location");
      return this;
    }

    /**
     * Builds the resolver.
     *
     * @return the resolver
     */
    public CidrGeoResolver build() {
      return new CidrGeoResolver(this);
    }
  }
}
