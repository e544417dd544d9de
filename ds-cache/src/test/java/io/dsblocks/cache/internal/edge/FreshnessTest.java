package io.dsblocks.cache.internal.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.cache.edge.CacheControl;
import io.dsblocks.cache.edge.EdgeHeaders;
import io.dsblocks.cache.edge.EdgeRequest;
import io.dsblocks.cache.edge.EdgeResponse;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FreshnessTest {

  private static final long T0 = 1_767_225_600_000L;

  private static String date(long ms) {
    return DateTimeFormatter.RFC_1123_DATE_TIME.format(
        Instant.ofEpochMilli(ms).atOffset(ZoneOffset.UTC));
  }

  private static EdgeResponse resp(int status, String... headers) {
    return EdgeResponse.of(status, EdgeHeaders.of(headers), new byte[] {1, 2, 3});
  }

  /** headers, push, expected lifetime ms (Date = T0). */
  static Stream<Arguments> lifetimes() {
    return Stream.of(
        Arguments.of(new String[] {"Cache-Control", "max-age=60"}, false, 60_000L),
        Arguments.of(new String[] {"Cache-Control", "max-age=60, s-maxage=5"}, false, 5_000L),
        Arguments.of(
            new String[] {"Cache-Control", "max-age=60", "Expires", date(T0 + 10_000)},
            false,
            60_000L),
        Arguments.of(new String[] {"Expires", date(T0 + 10_000)}, false, 10_000L),
        Arguments.of(new String[] {"Expires", date(T0 - 10_000)}, false, 0L),
        Arguments.of(new String[] {"Expires", "0"}, false, 0L),
        Arguments.of(new String[] {"Expires", "garbage"}, true, 0L),
        Arguments.of(new String[] {}, false, 0L),
        Arguments.of(new String[] {}, true, Freshness.FOREVER),
        Arguments.of(new String[] {"Cache-Control", "max-age=oops"}, true, 0L),
        Arguments.of(
            new String[] {"Cache-Control", "max-age=99999999999"},
            false,
            CacheControl.MAX_DELTA_SECONDS * 1000));
  }

  @ParameterizedTest(name = "[{index}] push={1} -> {2}")
  @MethodSource("lifetimes")
  void freshnessLifetime(String[] headers, boolean push, long expected) {
    EdgeHeaders h = EdgeHeaders.of(headers);
    assertThat(Freshness.lifetime(CacheControl.of(h), h, T0, push)).isEqualTo(expected);
  }

  /** request headers, status, response headers, storable?. */
  static Stream<Arguments> storability() {
    String[] none = {};
    return Stream.of(
        Arguments.of(none, 200, new String[] {"Cache-Control", "max-age=1"}, true),
        Arguments.of(none, 200, none, true),
        Arguments.of(none, 404, none, true),
        Arguments.of(none, 301, none, true),
        Arguments.of(none, 302, none, false),
        Arguments.of(none, 302, new String[] {"Cache-Control", "max-age=1"}, true),
        Arguments.of(none, 500, none, false),
        Arguments.of(none, 503, new String[] {"Expires", "0"}, true),
        Arguments.of(none, 206, new String[] {"Cache-Control", "max-age=1"}, false),
        Arguments.of(none, 304, new String[] {"Cache-Control", "max-age=1"}, false),
        Arguments.of(none, 200, new String[] {"Cache-Control", "no-store"}, false),
        Arguments.of(none, 200, new String[] {"Cache-Control", "private, max-age=9"}, false),
        Arguments.of(none, 200, new String[] {"Vary", "Accept, *"}, false),
        Arguments.of(new String[] {"Cache-Control", "no-store"}, 200, none, false),
        Arguments.of(new String[] {"Authorization", "x"}, 200, none, false),
        Arguments.of(
            new String[] {"Authorization", "x"},
            200,
            new String[] {"Cache-Control", "public"},
            true),
        Arguments.of(
            new String[] {"Authorization", "x"},
            200,
            new String[] {"Cache-Control", "s-maxage=1"},
            true),
        Arguments.of(
            new String[] {"Authorization", "x"},
            200,
            new String[] {"Cache-Control", "must-revalidate"},
            true));
  }

  @ParameterizedTest(name = "[{index}] {1} -> {3}")
  @MethodSource("storability")
  void storableForASharedCache(
      String[] requestHeaders, int status, String[] responseHeaders, boolean storable) {
    EdgeRequest rq = EdgeRequest.get("/", EdgeHeaders.of(requestHeaders));
    String why = Freshness.whyNotStorable(rq, resp(status, responseHeaders), false);
    assertThat(why == null).as("reason: %s", why).isEqualTo(storable);
  }

  @Test
  void ageCalculationFollowsRfc9111Section4_2_3() {
    // Date says the response was generated 5 s before it arrived; Age says 2; the request took
    // 3 s. apparent_age = 5, corrected_age_value = 2 + 3 = 5 -> initial age 5. With Age 20 ->
    // 23.
    EdgeResponse r = resp(200, "Date", date(T0 - 5_000), "Cache-Control", "max-age=60");
    Variant v =
        Freshness.toVariant(
            EdgeRequest.get("/"), r, T0 - 3_000, T0, List.of(), List.of(), 0, false);
    assertThat(v.correctedInitialAge()).isEqualTo(5_000);
    assertThat(v.currentAge(T0 + 10_000)).isEqualTo(15_000);
    EdgeResponse aged =
        resp(200, "Date", date(T0 - 5_000), "Age", "20", "Cache-Control", "max-age=60");
    Variant v2 =
        Freshness.toVariant(
            EdgeRequest.get("/"), aged, T0 - 3_000, T0, List.of(), List.of(), 0, false);
    assertThat(v2.correctedInitialAge()).isEqualTo(23_000);
    assertThat(v2.response().headers().contains("age")).isFalse();
    // A Date in the future (clock skew) never makes the age negative.
    EdgeResponse future = resp(200, "Date", date(T0 + 60_000), "Age", "bogus");
    Variant v3 =
        Freshness.toVariant(EdgeRequest.get("/"), future, T0, T0, List.of(), List.of(), 0, false);
    assertThat(v3.correctedInitialAge()).isZero();
  }

  @Test
  void retentionCoversStaleWindowsAndKeepOnlyWhenAllowed() {
    EdgeRequest rq = EdgeRequest.get("/");
    Variant swr =
        Freshness.toVariant(
            rq,
            resp(200, "Cache-Control", "max-age=10, stale-while-revalidate=20, stale-if-error=50"),
            T0,
            T0,
            List.of(),
            List.of(),
            1_000,
            false);
    assertThat(swr.retainUntil()).isEqualTo(T0 + 60_000);
    Variant mustRevalidate =
        Freshness.toVariant(
            rq,
            resp(200, "Cache-Control", "max-age=10, stale-if-error=50, must-revalidate"),
            T0,
            T0,
            List.of(),
            List.of(),
            1_000,
            false);
    assertThat(mustRevalidate.retainUntil()).isEqualTo(T0 + 10_000);
    Variant validator =
        Freshness.toVariant(
            rq,
            resp(200, "Cache-Control", "no-cache", "ETag", "\"a\""),
            T0,
            T0,
            List.of(),
            List.of(),
            7_000,
            false);
    assertThat(validator.isFresh(T0)).isFalse();
    assertThat(validator.retainUntil()).isEqualTo(T0 + 7_000);
    assertThat(validator.canServeStaleIfError(T0)).isFalse();
  }

  @Test
  void sMaxAgeImpliesProxyRevalidate() {
    Variant v =
        Freshness.toVariant(
            EdgeRequest.get("/"),
            resp(200, "Cache-Control", "s-maxage=1, stale-if-error=100"),
            T0,
            T0,
            List.of(),
            List.of(),
            0,
            false);
    assertThat(v.canServeStaleIfError(T0 + 2_000)).isFalse();
  }

  @Test
  void tagsComeFromExplicitListAndTagHeaders() {
    Variant v =
        Freshness.toVariant(
            EdgeRequest.get("/"),
            resp(200, "Surrogate-Key", " a  b ", "Cache-Tag", "c,d", "Cache-Tag", "e"),
            T0,
            T0,
            List.of("x", " ", "a"),
            List.of("surrogate-key", "Cache-Tag"),
            0,
            true);
    assertThat(v.tags()).containsExactlyInAnyOrder("x", "a", "b", "c", "d", "e");
  }

  @Test
  void a304UpdatesHeadersButNotFraming() {
    EdgeResponse stored =
        resp(200, "Content-Length", "3", "Content-Type", "text/plain", "ETag", "\"1\"", "X", "old");
    EdgeResponse nm = resp(304, "Content-Length", "0", "Content-Type", "x/y", "X", "new");
    EdgeResponse merged = Freshness.merge304(stored, nm);
    assertThat(merged.headers().first("content-length")).isEqualTo("3");
    assertThat(merged.headers().first("content-type")).isEqualTo("text/plain");
    assertThat(merged.headers().first("x")).isEqualTo("new");
    assertThat(merged.headers().first("etag")).isEqualTo("\"1\"");
    assertThat(merged.bodyBytes()).containsExactly(1, 2, 3);
  }

  @Test
  void weakEtagComparisonAndVaryParsing() {
    assertThat(Freshness.weakMatch("W/\"1\"", "\"1\"")).isTrue();
    assertThat(Freshness.weakMatch("\"2\", W/\"1\"", "W/\"1\"")).isTrue();
    assertThat(Freshness.weakMatch("*", "\"z\"")).isTrue();
    assertThat(Freshness.weakMatch("*", null)).isFalse();
    assertThat(Freshness.weakMatch("\"2\"", "\"1\"")).isFalse();
    assertThat(Freshness.varyNames(EdgeHeaders.of("Vary", "Accept-Encoding, ACCEPT", "Vary", "x")))
        .containsExactly("accept-encoding", "accept", "x");
    assertThat(HttpDates.parse("Sun, 06 Nov 1994 08:49:37 GMT")).isEqualTo(784111777000L);
    assertThat(HttpDates.parse("yesterday")).isEqualTo(HttpDates.INVALID);
    assertThat(Freshness.ageSeconds("12")).isEqualTo(12);
    assertThat(Freshness.ageSeconds("-3")).isZero();
    assertThat(Freshness.ageSeconds("123456789012345")).isEqualTo(CacheControl.MAX_DELTA_SECONDS);
    assertThat(Freshness.saturatedAdd(Long.MAX_VALUE - 1, 5)).isEqualTo(Long.MAX_VALUE);
  }
}
