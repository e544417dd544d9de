package io.dsblocks.loadbalancer.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Proves the leak check can fail: a buffer that is never released is reported. */
@ExtendWith(LeakCheck.class)
class LeakCheckTest {

  @Test
  void aBufferThatIsNeverReleasedIsReported() {
    leak("proxy-test-deliberate-leak");
    List<String> leaks = new ArrayList<>();
    for (int round = 0; round < 5 && leaks.isEmpty(); round++) {
      LeakCheck.collectLeaks().stream()
          .filter(r -> r.contains("proxy-test-deliberate-leak"))
          .forEach(leaks::add);
    }
    assertThat(leaks).isNotEmpty();
    // collectLeaks drained the reports, so the class-level check that follows stays green.
  }

  @Test
  void aReleasedBufferIsNotReported() {
    ByteBuf ok = ByteBufAllocator.DEFAULT.buffer(16);
    ok.touch("proxy-test-released");
    ok.release();
    assertThat(LeakCheck.collectLeaks()).noneMatch(r -> r.contains("proxy-test-released"));
  }

  private static void leak(String hint) {
    ByteBufAllocator.DEFAULT.buffer(16).touch(hint);
  }
}
