package io.dsblocks.loadbalancer.dns;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Settings are validated before anything is bound. */
class DnsResponderBuilderTest {
  private final GlobalRouter router =
      GlobalRouter.of(GlobalRoutingConfig.builder().zone("example.test").build());

  @Test
  void outOfRangeSettingsAreRejectedByName() {
    assertThatThrownBy(() -> DnsResponder.builder(router).port(70_000).start())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("port must be in [0, 65535], got 70000");
    assertThatThrownBy(() -> DnsResponder.builder(router).maxUdpPayloadSize(511).start())
        .hasMessageContaining("maxUdpPayloadSize must be in [512, 4096], got 511");
    assertThatThrownBy(() -> DnsResponder.builder(router).ioThreads(0).start())
        .hasMessageContaining("ioThreads must be in [1, 64], got 0");
    assertThatThrownBy(() -> DnsResponder.builder(router).tcpIdleTimeout(Duration.ZERO).start())
        .hasMessageContaining("tcpIdleTimeout must be in [1ms, 1h], got PT0S");
    assertThatThrownBy(() -> DnsResponder.builder(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("router");
  }
}
