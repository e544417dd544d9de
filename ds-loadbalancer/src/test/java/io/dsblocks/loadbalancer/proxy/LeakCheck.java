package io.dsblocks.loadbalancer.proxy;

import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class if Netty reported any leaked buffer while it ran (or before, in the same JVM).
 *
 * <p>Netty notices a leak only when the leaked object has been garbage-collected and a later
 * allocation polls the detector's reference queue, so waiting for the log is not enough: after the
 * class, this leaks a tagged canary buffer on purpose and forces GC plus allocations until the
 * canary is reported. Anything that became unreachable before the canary has been reported by then,
 * so "no report except the canary" really means "no leak". {@link LeakCheckTest} proves that a real
 * leak is caught.
 *
 * <p>Thread-safe enough for JUnit's sequential class callbacks.
 */
public final class LeakCheck implements BeforeAllCallback, AfterAllCallback {
  private static final String CANARY = "leak-canary-";
  private static final String DELIBERATE = "deliberate";

  @Override
  public void beforeAll(ExtensionContext context) {
    // Fail early and clearly when run without the module's argLine (e.g. from an IDE).
    ByteBufAllocator.DEFAULT.buffer(1).release();
    if (!RecordingLeakDetector.installed()
        || ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
      throw new AssertionError(
          "run with -Dio.netty.leakDetection.level=paranoid -Dio.netty.customResourceLeakDetector="
              + RecordingLeakDetector.class.getName()
              + " (ds-loadbalancer/pom.xml sets both for surefire)");
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    List<String> leaks = new ArrayList<>();
    for (String r : collectLeaks()) {
      // Leak-detector self-tests (here and in other packages of this module, which share the JVM)
      // leak on purpose and tag the buffer with a hint containing this word.
      if (!r.contains(DELIBERATE)) {
        leaks.add(r);
      }
    }
    if (!leaks.isEmpty()) {
      throw new AssertionError(
          context.getDisplayName() + " leaked " + leaks.size() + " Netty object(s):\n" + leaks);
    }
  }

  /**
   * Forces pending leaks to be reported and returns them, canaries excluded.
   *
   * @return leak reports
   */
  static List<String> collectLeaks() {
    String hint = "dsblocks-proxy-" + CANARY + System.nanoTime();
    leakCanary(hint);
    await("the leak detector reports the canary")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              flush();
              return RecordingLeakDetector.peek().stream().anyMatch(r -> r.contains(hint));
            });
    for (int i = 0; i < 3; i++) { // a few more rounds for anything enqueued after the canary
      flush();
    }
    List<String> leaks = new ArrayList<>();
    for (String r : RecordingLeakDetector.drain()) {
      if (!r.contains(CANARY)) {
        leaks.add(r);
      }
    }
    return leaks;
  }

  /**
   * Collects garbage, then allocates: a tracked allocation polls the detector's queue (that is when
   * reports happen). Several sizes, because Netty 4.2's adaptive allocator may keep the last buffer
   * of a size class reachable until the next allocation of that class replaces it.
   */
  private static void flush() {
    System.gc();
    for (int size = 1; size <= 1 << 16; size <<= 3) {
      ByteBufAllocator.DEFAULT.buffer(size).release();
      ByteBufAllocator.DEFAULT.directBuffer(size).release();
      ByteBufAllocator.DEFAULT.heapBuffer(size).release();
    }
  }

  private static void leakCanary(String hint) {
    // Unpooled (a fresh object no allocator cache can keep reachable), tracked, never released.
    ByteBuf leaked = UnpooledByteBufAllocator.DEFAULT.directBuffer(8);
    leaked.touch(hint);
  }
}
