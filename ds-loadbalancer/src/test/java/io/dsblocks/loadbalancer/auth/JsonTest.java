package io.dsblocks.loadbalancer.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.loadbalancer.internal.auth.Base64Url;
import io.dsblocks.loadbalancer.internal.auth.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  static final String SAMPLE =
      " {\"s\":\"a\\\"b\\\\c\\/d\\n\\u00e9\\ud83d\\ude00\", \"i\":-12, \"big\":123456789012345678901,"
          + " \"d\":1.5e3, \"t\":true, \"f\":false, \"n\":null, \"a\":[1,[],{}], \"o\":{\"k\":0}} ";

  @Test
  void parsesAllValueKinds() {
    Object v = Json.parse(SAMPLE);
    assertThat(v).isInstanceOf(Map.class);
    Map<String, Object> m = Json.parseObject(SAMPLE);
    assertThat(m.get("s")).isEqualTo("a\"b\\c/d\né\uD83D\uDE00");
    assertThat(m.get("i")).isEqualTo(-12L);
    assertThat(m.get("big")).isEqualTo(1.2345678901234568E20);
    assertThat(m.get("d")).isEqualTo(1500.0);
    assertThat(m.get("t")).isEqualTo(true);
    assertThat(m.get("f")).isEqualTo(false);
    assertThat(m.containsKey("n")).isTrue();
    assertThat(m.get("n")).isNull();
    assertThat(m.get("a")).isEqualTo(List.of(1L, List.of(), Map.of()));
    assertThat(m.get("o")).isEqualTo(Map.of("k", 0L));
    assertThat(List.copyOf(m.keySet()))
        .containsExactly("s", "i", "big", "d", "t", "f", "n", "a", "o");
    assertThatThrownBy(() -> ((Map<?, ?>) v).clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void rejectsWhatAStrictParserMust() {
    String[][] cases = {
      {"{\"a\":1,\"a\":2}", "duplicate member 'a'"},
      {"{\"a\":1} x", "unexpected content after the value"},
      {"[1,]", "unexpected character ']'"},
      {"{\"a\" 1}", "expected ':'"},
      {"{a:1}", "expected a member name"},
      {"\"\\x\"", "invalid escape"},
      {"\"a\nb\"", "unescaped control character"},
      {"\"\\ud800\"", "lone surrogate"},
      {"\"\\udc00x\"", "lone surrogate"},
      {"01", "unexpected content"},
      {"1.", "digits expected after '.'"},
      {"1e", "digits expected in exponent"},
      {"1e999", "number out of range"},
      {"-", "invalid number"},
      {"tru", "invalid literal"},
      {"\"abc", "unterminated string"},
      {"", "unexpected end of input"},
      {"[".repeat(40) + "]".repeat(40), "nesting deeper than 32"},
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> Json.parse(c[0]))
          .as(c[0])
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(c[1]);
    }
    assertThatThrownBy(() -> Json.parseObject("[]")).hasMessageContaining("expected a JSON object");
    assertThat(Json.parse("[".repeat(31) + "]".repeat(31))).isInstanceOf(List.class);
  }

  @Test
  void base64UrlIsStrictAndCanonical() {
    assertThat(Base64Url.encode(new byte[] {(byte) 0xfb, (byte) 0xff})).isEqualTo("-_8");
    assertThat(Base64Url.decode("-_8")).containsExactly(0xfb, 0xff);
    assertThatThrownBy(() -> Base64Url.decode("-_8=")).hasMessageContaining("must not be padded");
    assertThatThrownBy(() -> Base64Url.decode("+/8")).hasMessageContaining("invalid base64url");
    assertThatThrownBy(() -> Base64Url.decode("-_9")).hasMessageContaining("non-canonical");
    assertThatThrownBy(() -> Base64Url.decode("A")).hasMessageContaining("invalid base64url");
    assertThat(Base64Url.decode("")).isEmpty();
  }
}
