package io.dsblocks.loadbalancer.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class CidrGeoResolverTest {
  private static final ClientLocation US = ClientLocation.of(Continent.NA, "US", "us-east");
  private static final ClientLocation DE = ClientLocation.of(Continent.EU, "DE", "eu-central");
  private static final ClientLocation HOST = ClientLocation.of(Continent.EU, "FR", "eu-west");
  private static final ClientLocation JP = ClientLocation.of(Continent.AS, "JP", "ap-northeast");

  private final CidrGeoResolver geo =
      CidrGeoResolver.builder()
          .add("10.0.0.0/8", US)
          .add("10.1.0.0/16", DE)
          .add("10.1.2.3/32", HOST)
          .add("2001:db8::/32", JP)
          .defaultLocation(ClientLocation.region("elsewhere"))
          .build();

  private ClientLocation at(String ip) throws Exception {
    return geo.locate(InetAddress.getByName(ip));
  }

  @Test
  void longestPrefixWins() throws Exception {
    assertThat(at("10.200.0.1")).isEqualTo(US);
    assertThat(at("10.1.9.9")).isEqualTo(DE);
    assertThat(at("10.1.2.3")).isEqualTo(HOST);
    assertThat(at("2001:db8:1::5")).isEqualTo(JP);
    assertThat(at("2001:db9::5")).isEqualTo(ClientLocation.region("elsewhere"));
    assertThat(at("192.0.2.1")).isEqualTo(ClientLocation.region("elsewhere"));
  }

  @Test
  void zeroLengthPrefixMatchesEverythingOfItsFamily() throws Exception {
    CidrGeoResolver all = CidrGeoResolver.builder().add("0.0.0.0/0", US).build();
    assertThat(all.locate(InetAddress.getByName("203.0.113.9"))).isEqualTo(US);
    assertThat(all.locate(InetAddress.getByName("2001:db8::1"))).isEqualTo(ClientLocation.UNKNOWN);
  }

  @Test
  void badBlocksAreRejectedWithTheBlockNamed() {
    assertThatThrownBy(() -> CidrGeoResolver.builder().add("10.0.0.0", US))
        .hasMessageContaining("cidr '10.0.0.0' needs a prefix length");
    assertThatThrownBy(() -> CidrGeoResolver.builder().add("10.0.0.0/33", US))
        .hasMessageContaining("prefix length 33 is outside 0..32");
    assertThatThrownBy(() -> CidrGeoResolver.builder().add("10.1.0.0/8", US))
        .hasMessageContaining("has host bits set beyond /8");
    assertThatThrownBy(() -> CidrGeoResolver.builder().add("example.test/8", US))
        .hasMessageContaining("does not start with an IPv4 or IPv6 literal");
    assertThatThrownBy(() -> CidrGeoResolver.builder().add("10.0.0.0/x", US))
        .hasMessageContaining("non-numeric prefix length");
    assertThatThrownBy(() -> CidrGeoResolver.builder().add("10.0.0.0/8", US).add("10.0.0.0/8", DE))
        .hasMessageContaining("already in the table");
  }
}
