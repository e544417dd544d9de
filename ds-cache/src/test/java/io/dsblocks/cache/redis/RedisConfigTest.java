package io.dsblocks.cache.redis;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.cache.Codec;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Bad settings are rejected at build(), before any client is created or connection attempted (the
 * URI points nowhere: reaching the connect step would fail these tests with another exception).
 *
 * <p>No {@code RedisClient} is created here on purpose: this runs in the unit-test JVM shared with
 * the Lincheck tests, whose instrumentation slows down with every loaded class (a Netty/Lettuce
 * client made them about 15 times slower). "Both client and URI set" is checked in {@link
 * RedisTierIntegrationTest}.
 */
class RedisConfigTest {
  private static final String NOWHERE = "redis://127.0.0.1:1";

  private static RedisTier.Builder<String, String> tier() {
    return RedisTier.<String, String>builder()
        .uri(NOWHERE)
        .namespace("ns")
        .keyCodec(Codec.utf8())
        .valueCodec(Codec.utf8());
  }

  private static RedisInvalidationBus.Builder<String> bus() {
    return RedisInvalidationBus.<String>builder().uri(NOWHERE).channel("ch").keyCodec(Codec.utf8());
  }

  @Test
  void tierNeedsAClientOrAUri() {
    assertThatThrownBy(
            () ->
                RedisTier.<String, String>builder()
                    .namespace("ns")
                    .keyCodec(Codec.utf8())
                    .valueCodec(Codec.utf8())
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("client(...) and uri(...)")
        .hasMessageContaining("neither");
    assertThatThrownBy(() -> tier().client(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void tierRejectsBadNamespaces() {
    assertThatThrownBy(() -> RedisTier.<String, String>builder().uri(NOWHERE).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("namespace");
    assertThatThrownBy(() -> tier().namespace("").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("namespace must be 1 to 200 characters");
    assertThatThrownBy(() -> tier().namespace("users:").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not ending with ':'")
        .hasMessageContaining("'users:'");
    assertThatThrownBy(() -> tier().namespace("x".repeat(201)).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> tier().name("").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("name must be 1 to 200");
  }

  @Test
  void tierNeedsCodecs() {
    assertThatThrownBy(
            () ->
                RedisTier.<String, String>builder()
                    .uri(NOWHERE)
                    .namespace("ns")
                    .valueCodec(Codec.utf8())
                    .build())
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("keyCodec");
    assertThatThrownBy(
            () ->
                RedisTier.<String, String>builder()
                    .uri(NOWHERE)
                    .namespace("ns")
                    .keyCodec(Codec.utf8())
                    .build())
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("valueCodec");
    assertThatThrownBy(() -> tier().keyCodec(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void tierRejectsOutOfRangeNumbers() {
    assertThatThrownBy(() -> tier().commandTimeout(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("commandTimeout must be in [PT0.001S, PT1M] but was PT0S");
    assertThatThrownBy(() -> tier().commandTimeout(Duration.ofMinutes(2)).build())
        .hasMessageContaining("commandTimeout");
    assertThatThrownBy(() -> tier().connectTimeout(Duration.ofNanos(1)).build())
        .hasMessageContaining("connectTimeout");
    assertThatThrownBy(() -> tier().maxReconnectDelay(Duration.ofHours(1)).build())
        .hasMessageContaining("maxReconnectDelay");
    assertThatThrownBy(() -> tier().maxTtl(Duration.ofMillis(-5)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxTtl")
        .hasMessageContaining("PT-0.005S");
    assertThatThrownBy(() -> tier().maxPendingRepairs(-1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxPendingRepairs must be in [0, 10000000] but was -1");
    assertThatThrownBy(() -> tier().scanBatchSize(0).build())
        .hasMessage("scanBatchSize must be in [1, 100000] but was 0");
  }

  @Test
  void tierRejectsAMalformedUri() {
    assertThatThrownBy(() -> RedisTier.<String, String>builder().uri("not a uri"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void busRejectsBadSettings() {
    assertThatThrownBy(() -> RedisInvalidationBus.<String>builder().channel("c").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("neither");
    assertThatThrownBy(() -> RedisInvalidationBus.<String>builder().uri(NOWHERE).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("channel");
    assertThatThrownBy(() -> bus().channel("").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("channel must be 1 to 200 characters but had 0");
    assertThatThrownBy(
            () -> RedisInvalidationBus.<String>builder().uri(NOWHERE).channel("c").build())
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("keyCodec");
    assertThatThrownBy(() -> bus().commandTimeout(Duration.ofSeconds(61)).build())
        .hasMessage("commandTimeout must be in [PT0.001S, PT1M] but was PT1M1S");
    assertThatThrownBy(() -> bus().connectTimeout(Duration.ZERO).build())
        .hasMessageContaining("connectTimeout");
    assertThatThrownBy(() -> bus().maxReconnectDelay(Duration.ZERO).build())
        .hasMessageContaining("maxReconnectDelay");
  }
}
