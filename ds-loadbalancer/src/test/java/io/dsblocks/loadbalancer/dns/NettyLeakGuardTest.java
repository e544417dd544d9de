package io.dsblocks.loadbalancer.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.dns.DefaultDnsResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Tag;

/**
 * The leak guard the responder tests rely on really catches leaks, so its silence means something.
 */
@Tag("integration") // forces full GCs until the detector reports: seconds, not milliseconds
class NettyLeakGuardTest {

  @BeforeEach
  void install() {
    NettyLeakGuard.install();
  }

  @AfterEach
  void uninstall() {
    NettyLeakGuard.uninstall();
  }

  @RepeatedTest(3)
  void aLeakedBufferAndALeakedDnsMessageAreReported() {
    // Unique hints: Netty reports identical leak traces only once per JVM.
    String id = Long.toString(System.nanoTime());
    leak(id);
    List<String> leaks = NettyLeakGuard.collectLeaks();
    assertThat(leaks).anyMatch(r -> r.contains("deliberate-buffer-leak-" + id));
    assertThat(leaks).anyMatch(r -> r.contains("deliberate-message-leak-" + id));
  }

  @RepeatedTest(3)
  void releasedObjectsAreNotReported() {
    ByteBuf buffer = ByteBufAllocator.DEFAULT.buffer(16);
    buffer.touch("released-buffer");
    buffer.release();
    DefaultDnsResponse response = new DefaultDnsResponse(1);
    response.touch("released-message");
    response.release();
    assertThat(NettyLeakGuard.collectLeaks()).isEmpty();
  }

  private static void leak(String id) {
    // The allocator the responder uses (ctx.alloc() is Netty's default, pooled and direct).
    ByteBufAllocator.DEFAULT.buffer(16).touch("deliberate-buffer-leak-" + id);
    new DefaultDnsResponse(7).touch("deliberate-message-leak-" + id);
  }
}
