package io.dsblocks.cache.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CacheControlTest {

  /** header, max-age, s-maxage, stale-while-revalidate, stale-if-error. */
  static Stream<Arguments> deltas() {
    long a = CacheControl.ABSENT;
    long max = CacheControl.MAX_DELTA_SECONDS;
    return Stream.of(
        Arguments.of("max-age=60", 60L, a, a, a),
        Arguments.of("MAX-AGE=60", 60L, a, a, a),
        Arguments.of("  max-age = 60  ", 60L, a, a, a),
        Arguments.of("max-age=\"60\"", 60L, a, a, a),
        Arguments.of("max-age=0", 0L, a, a, a),
        Arguments.of("max-age=abc", 0L, a, a, a),
        Arguments.of("max-age=-1", 0L, a, a, a),
        Arguments.of("max-age=1.5", 0L, a, a, a),
        Arguments.of("max-age=", 0L, a, a, a),
        Arguments.of("max-age", 0L, a, a, a),
        Arguments.of("max-age=99999999999999999999999", max, a, a, a),
        Arguments.of("max-age=10, max-age=20", 10L, a, a, a),
        Arguments.of("s-maxage=5, max-age=10", 10L, 5L, a, a),
        Arguments.of("public, s-maxage=300", a, 300L, a, a),
        Arguments.of("max-age=1, stale-while-revalidate=30, stale-if-error=600", 1L, a, 30L, 600L),
        Arguments.of("foo=\"a, max-age=5\", max-age=7", 7L, a, a, a),
        Arguments.of("unknown, x=y, max-age=3", 3L, a, a, a),
        Arguments.of(",,, max-age=4 ,,", 4L, a, a, a),
        Arguments.of("", a, a, a, a),
        Arguments.of("max-age=5 junk, s-maxage=6", 0L, 6L, a, a));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("deltas")
  void parsesDeltaSeconds(String header, long maxAge, long sMaxAge, long swr, long sie) {
    CacheControl cc = CacheControl.parse(header);
    assertThat(cc.maxAge()).as("max-age").isEqualTo(maxAge);
    assertThat(cc.sMaxAge()).as("s-maxage").isEqualTo(sMaxAge);
    assertThat(cc.staleWhileRevalidate()).as("swr").isEqualTo(swr);
    assertThat(cc.staleIfError()).as("sie").isEqualTo(sie);
  }

  /** header, no-store, no-cache, private, public, must-revalidate, proxy-revalidate. */
  static Stream<Arguments> flags() {
    return Stream.of(
        Arguments.of("no-store", true, false, false, false, false, false),
        Arguments.of("No-Cache", false, true, false, false, false, false),
        Arguments.of("no-cache=\"Set-Cookie, X-Foo\"", false, true, false, false, false, false),
        Arguments.of(
            "private=\"Authorization\", max-age=3", false, false, true, false, false, false),
        Arguments.of("public,must-revalidate", false, false, false, true, true, false),
        Arguments.of("proxy-revalidate", false, false, false, false, false, true),
        Arguments.of("\"no-store\"", false, false, false, false, false, false),
        Arguments.of("no-storex", false, false, false, false, false, false));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("flags")
  void parsesFlags(
      String header,
      boolean noStore,
      boolean noCache,
      boolean isPrivate,
      boolean isPublic,
      boolean mustRevalidate,
      boolean proxyRevalidate) {
    CacheControl cc = CacheControl.parse(header);
    assertThat(cc.noStore()).as("no-store").isEqualTo(noStore);
    assertThat(cc.noCache()).as("no-cache").isEqualTo(noCache);
    assertThat(cc.isPrivate()).as("private").isEqualTo(isPrivate);
    assertThat(cc.isPublic()).as("public").isEqualTo(isPublic);
    assertThat(cc.mustRevalidate()).as("must-revalidate").isEqualTo(mustRevalidate);
    assertThat(cc.proxyRevalidate()).as("proxy-revalidate").isEqualTo(proxyRevalidate);
  }

  @Test
  void multipleFieldLinesAreOneList() {
    CacheControl cc =
        CacheControl.of(
            EdgeHeaders.of("Cache-Control", "public", "cache-control", "max-age=9, no-transform"));
    assertThat(cc.isPublic()).isTrue();
    assertThat(cc.maxAge()).isEqualTo(9);
    assertThat(cc.directives()).containsOnlyKeys("public", "max-age", "no-transform");
    assertThat(CacheControl.parse((String) null)).isEqualTo(CacheControl.empty());
    assertThat(CacheControl.parse(java.util.Arrays.asList("max-age=1", null)).maxAge())
        .isEqualTo(1);
    assertThat(CacheControl.parse(List.of())).isSameAs(CacheControl.empty());
  }

  @Test
  void quotedValuesUnescapeAndUnknownDirectivesAreKept() {
    CacheControl cc = CacheControl.parse("ext=\"a\\\"b,c\", Community=\"UCI\", max-age=2");
    assertThat(cc.directive("ext")).isEqualTo("a\"b,c");
    assertThat(cc.directive("community")).isEqualTo("UCI");
    assertThat(cc.directive("no-store")).isNull();
    assertThat(cc.maxAge()).isEqualTo(2);
    assertThat(CacheControl.parse("x=\"unterminated, max-age=1").maxAge())
        .isEqualTo(CacheControl.ABSENT);
  }
}
