package io.dsblocks.loadbalancer.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Bad configuration fails at build() with a message naming the item, the value and the rule. */
class GlobalRoutingConfigTest {

  private static GlobalRoutingConfig.Builder zone() {
    return GlobalRoutingConfig.builder().zone("example.test");
  }

  @Test
  void emptyAndMalformedNamesAreRejected() {
    assertThatThrownBy(() -> RecordSet.simple("", RecordType.A).value("a", "192.0.2.1").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("recordSet name must not be empty");
    assertThatThrownBy(() -> RecordSet.simple(".", RecordType.A).value("a", "192.0.2.1").build())
        .hasMessageContaining("must not be empty");
    assertThatThrownBy(
            () -> RecordSet.simple("a..example.test", RecordType.A).value("a", "192.0.2.1").build())
        .hasMessageContaining("empty label");
    assertThatThrownBy(
            () ->
                RecordSet.simple("a b.example.test", RecordType.A).value("a", "192.0.2.1").build())
        .hasMessageContaining("contains ' '");
    assertThatThrownBy(
            () ->
                RecordSet.simple("x".repeat(64) + ".example.test", RecordType.A)
                    .value("a", "192.0.2.1")
                    .build())
        .hasMessageContaining("label of 64 characters; the maximum is 63");
    assertThatThrownBy(() -> RecordSet.simple(null, RecordType.A).value("a", "192.0.2.1").build())
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("recordSet name");
  }

  @Test
  void ttlOutOfRangeIsRejectedOnSetAndValue() {
    assertThatThrownBy(
            () ->
                RecordSet.simple("www.example.test", RecordType.A)
                    .ttlSeconds(-1)
                    .value("a", "192.0.2.1")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ttlSeconds must be in [0, 2147483647], got -1");
    assertThatThrownBy(() -> RecordValue.builder("a", "192.0.2.1").ttlSeconds(1L << 31).build())
        .hasMessageContaining(
            "record value 'a': ttlSeconds must be in [0, 2147483647], got 2147483648");
    // Both ends of the range are fine.
    RecordSet set =
        RecordSet.simple("www.example.test", RecordType.A)
            .ttlSeconds(0)
            .value(RecordValue.builder("max", "192.0.2.1").ttlSeconds(Integer.MAX_VALUE))
            .value("inherit", "192.0.2.2")
            .build();
    assertThat(set.values().get(0).ttlSeconds()).isEqualTo(Integer.MAX_VALUE);
    assertThat(set.values().get(1).ttlSeconds()).isZero();
  }

  @Test
  void negativeWeightIsRejected() {
    assertThatThrownBy(() -> RecordValue.builder("blue", "192.0.2.1").weight(-1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("record value 'blue': weight must be >= 0")
        .hasMessageContaining("got -1");
  }

  @Test
  void duplicateValueIdsAreRejected() {
    assertThatThrownBy(
            () ->
                RecordSet.multivalue("www.example.test", RecordType.A)
                    .value("a", "192.0.2.1")
                    .value("a", "192.0.2.2")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("recordSet 'www.example.test' A MULTIVALUE: duplicate value id 'a'");
  }

  @Test
  void multivalueAboveEightIsCappedNotRejected() {
    RecordSet set =
        RecordSet.multivalue("www.example.test", RecordType.A)
            .maxAnswers(20)
            .value("a", "192.0.2.1")
            .build();
    assertThat(set.maxAnswers()).isEqualTo(8);
    assertThatThrownBy(
            () ->
                RecordSet.multivalue("www.example.test", RecordType.A)
                    .maxAnswers(0)
                    .value("a", "192.0.2.1")
                    .build())
        .hasMessageContaining("maxAnswers must be >= 1");
  }

  @Test
  void unknownContinentAndCountryCodesAreRejected() {
    assertThatThrownBy(() -> GeoLocation.continent("XX"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown continent code 'XX'")
        .hasMessageContaining("[AF, AN, AS, EU, NA, OC, SA]");
    assertThatThrownBy(() -> GeoLocation.country("UK"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'UK' is not an ISO 3166-1 alpha-2 country code");
    assertThat(GeoLocation.continent("eu").continentCode()).contains(Continent.EU);
    assertThat(GeoLocation.country("de").countryCode()).contains("DE");
  }

  @Test
  void valuesMustMatchTheSetType() {
    assertThatThrownBy(
            () ->
                RecordSet.simple("www.example.test", RecordType.A)
                    .value("v6", "2001:db8::1")
                    .build())
        .hasMessageContaining("value 'v6': '2001:db8::1' is not an IPv4 literal");
    assertThatThrownBy(
            () ->
                RecordSet.simple("www.example.test", RecordType.AAAA)
                    .value("v4", "192.0.2.1")
                    .build())
        .hasMessageContaining("is not an IPv6 literal");
    assertThatThrownBy(
            () ->
                RecordSet.simple("www.example.test", RecordType.A)
                    .value("h", "web.example.test")
                    .build())
        .hasMessageContaining("is not an IPv4 literal");
    assertThatThrownBy(
            () ->
                RecordSet.simple("www.example.test", RecordType.CNAME)
                    .value("ip", "192.0.2.1")
                    .build())
        .hasMessageContaining("a CNAME set needs a host name");
    // An IPv4-mapped IPv6 literal stays a 16-byte AAAA value.
    RecordSet mapped =
        RecordSet.simple("m.example.test", RecordType.AAAA).value("m", "::ffff:192.0.2.1").build();
    assertThat(mapped.values().get(0).address().orElseThrow().getAddress()).hasSize(16);
  }

  @Test
  void policyAttributesAreCheckedBothWays() {
    assertThatThrownBy(
            () ->
                RecordSet.latency("www.example.test", RecordType.A).value("a", "192.0.2.1").build())
        .hasMessageContaining("LATENCY sets need a region on every value");
    assertThatThrownBy(
            () ->
                RecordSet.failover("www.example.test", RecordType.A)
                    .value(
                        RecordValue.builder("a", "192.0.2.1")
                            .weight(2)
                            .failover(FailoverRole.PRIMARY))
                    .build())
        .hasMessageContaining("weight only applies to WEIGHTED sets");
    assertThatThrownBy(
            () ->
                RecordSet.failover("www.example.test", RecordType.A)
                    .value(RecordValue.builder("a", "192.0.2.1").failover(FailoverRole.SECONDARY))
                    .build())
        .hasMessageContaining("exactly one PRIMARY and at most one SECONDARY value, got 0 primary");
    assertThatThrownBy(
            () ->
                RecordSet.geolocation("www.example.test", RecordType.A)
                    .value(
                        RecordValue.builder("a", "192.0.2.1").location(GeoLocation.country("DE")))
                    .value(
                        RecordValue.builder("b", "192.0.2.2").location(GeoLocation.country("de")))
                    .build())
        .hasMessageContaining("location country:DE is already used");
    assertThatThrownBy(
            () ->
                RecordSet.simple("www.example.test", RecordType.A)
                    .value(RecordValue.builder("a", "192.0.2.1").healthCheck("hc"))
                    .build())
        .hasMessageContaining("SIMPLE sets ignore health");
    assertThatThrownBy(
            () ->
                RecordSet.multivalue("www.example.test", RecordType.CNAME)
                    .value("a", "web.example.test")
                    .build())
        .hasMessageContaining("MULTIVALUE cannot apply to CNAME sets");
  }

  @Test
  void zoneRulesAreEnforced() {
    RecordSet outside =
        RecordSet.simple("www.other.test", RecordType.A).value("a", "192.0.2.1").build();
    assertThatThrownBy(() -> zone().recordSet(outside).build())
        .hasMessageContaining("recordSet 'www.other.test' A is outside every configured zone");
    assertThatThrownBy(() -> GlobalRoutingConfig.builder().build())
        .hasMessageContaining("at least one zone");
    RecordSet a =
        RecordSet.simple("www.example.test", RecordType.A).value("a", "192.0.2.1").build();
    assertThatThrownBy(() -> zone().recordSet(a).recordSet(a).build())
        .hasMessageContaining("recordSet 'www.example.test' A is configured twice");
    RecordSet cname =
        RecordSet.simple("www.example.test", RecordType.CNAME)
            .value("c", "web.example.test")
            .build();
    assertThatThrownBy(() -> zone().recordSet(a).recordSet(cname).build())
        .hasMessageContaining("a name with a CNAME can hold no other record type");
    RecordSet apexCname =
        RecordSet.simple("example.test", RecordType.CNAME).value("c", "web.example.test").build();
    assertThatThrownBy(() -> zone().recordSet(apexCname).build())
        .hasMessageContaining("a zone apex cannot be a CNAME");
    assertThatThrownBy(() -> zone().negativeTtlSeconds(-5).build())
        .hasMessageContaining("negativeTtlSeconds must be in [0, 2147483647], got -5");
  }

  @Test
  void namesAreCanonicalised() {
    GlobalRoutingConfig config =
        GlobalRoutingConfig.builder()
            .zone("Example.TEST.")
            .recordSet(RecordSet.simple("WWW.Example.Test.", RecordType.A).value("a", "192.0.2.1"))
            .build();
    assertThat(config.zones()).containsExactly("example.test");
    assertThat(config.recordSets().get(0).name()).isEqualTo("www.example.test");
  }
}
