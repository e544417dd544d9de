package io.dsblocks.cache.edge;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class CacheControlPropertiesTest {

  @Provide
  Arbitrary<String> headerish() {
    Arbitrary<String> tokens =
        Arbitraries.of(
            "max-age",
            "s-maxage",
            "no-store",
            "no-cache",
            "=",
            ",",
            "\"",
            "\\",
            " ",
            "60",
            "-1",
            "99999999999999999999",
            "private",
            "stale-if-error",
            "\t",
            "x");
    Arbitrary<String> soup = tokens.list().ofMaxSize(20).map(l -> String.join("", l));
    return Arbitraries.oneOf(soup, Arbitraries.strings().ofMaxLength(60));
  }

  @Property(tries = 500, seed = "42")
  void parserNeverThrowsAndDeltasStayInRange(@ForAll("headerish") String header) {
    CacheControl cc = CacheControl.parse(header);
    for (long d :
        new long[] {cc.maxAge(), cc.sMaxAge(), cc.staleWhileRevalidate(), cc.staleIfError()}) {
      assertThat(d).isBetween(CacheControl.ABSENT, CacheControl.MAX_DELTA_SECONDS);
    }
    assertThat(cc.directives().keySet()).allSatisfy(k -> assertThat(k).isNotEmpty());
  }
}
