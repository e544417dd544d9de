package io.dsblocks.loadbalancer.dns;

import static org.awaitility.Awaitility.await;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.dns.AbstractDnsMessage;
import io.netty.handler.codec.dns.DefaultDnsQuery;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class under Netty's PARANOID leak detector and fails it if any buffer or DNS message
 * leaked.
 *
 * <p>Why not just read the log: Netty reports a leak only when the leaked object is
 * garbage-collected and a later allocation polls the reference queue, so a leak from the last test
 * would simply never be printed. This guard hooks a {@link ResourceLeakDetector.LeakListener} onto
 * the two detectors that track what the responder allocates ({@code ByteBuf}s and {@code
 * DnsMessage}s; their fields are package-private, hence reflection), then after the class
 * deliberately leaks a tagged <em>canary</em> of each kind and forces GC until both canaries are
 * reported. Anything unreachable before the canaries is reported by then, so an empty list of
 * non-canary reports really means "no leak", and {@link NettyLeakGuardTest} proves a real leak is
 * caught.
 *
 * <p>Thread-safety: reports are collected into a concurrent list; install and uninstall from the
 * test thread.
 */
public final class NettyLeakGuard implements BeforeAllCallback, AfterAllCallback {
  private static final List<String> reports = new CopyOnWriteArrayList<>();
  private static final ResourceLeakDetector.LeakListener LISTENER =
      (resourceType, records) -> reports.add(resourceType + ": " + records);

  private static ResourceLeakDetector.Level previousLevel;
  private static final List<Object[]> previousListeners = new ArrayList<>();

  @Override
  public void beforeAll(ExtensionContext context) {
    install();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    List<String> leaks;
    try {
      leaks = collectLeaks();
    } finally {
      uninstall();
    }
    if (!leaks.isEmpty()) {
      throw new AssertionError(
          context.getDisplayName() + " leaked " + leaks.size() + " Netty object(s):\n" + leaks);
    }
  }

  /** Switches to PARANOID (every allocation tracked) and starts collecting leak reports. */
  static synchronized void install() {
    previousLevel = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    reports.clear();
    previousListeners.clear();
    for (ResourceLeakDetector<?> detector : detectors()) {
      previousListeners.add(new Object[] {detector, readListener(detector)});
      detector.setLeakListener(LISTENER);
    }
  }

  /** Restores the previous level and listeners. */
  static synchronized void uninstall() {
    for (Object[] entry : previousListeners) {
      ((ResourceLeakDetector<?>) entry[0])
          .setLeakListener((ResourceLeakDetector.LeakListener) entry[1]);
    }
    previousListeners.clear();
    if (previousLevel != null) {
      ResourceLeakDetector.setLevel(previousLevel);
    }
  }

  /**
   * Forces every pending leak to be reported and returns the reports, canaries excluded.
   *
   * @return the leak reports (resource type and access records)
   */
  static List<String> collectLeaks() {
    String hint = "dsblocks-leak-canary-" + System.nanoTime();
    leakCanaries(hint);
    try {
      await("Netty leak detector reports the canaries")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(20))
          .until(
              () -> {
                System.gc();
                // Allocations poll the detectors' reference queues; that is when reports happen.
                // Direct: Netty tracks only direct buffers of the unpooled allocator, not heap
                // ones.
                UnpooledByteBufAllocator.DEFAULT.directBuffer(1).release();
                new DefaultDnsQuery(0).release();
                return reports.stream().filter(r -> r.contains(hint)).count() >= 2;
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("leak canaries " + hint + " never reported; reports: " + reports, e);
    }
    List<String> leaks = new ArrayList<>();
    for (String r : reports) {
      if (!r.contains("dsblocks-leak-canary-")) {
        leaks.add(r);
      }
    }
    reports.removeIf(r -> r.contains(hint));
    return leaks;
  }

  private static void leakCanaries(String hint) {
    // Deliberately never released; separate method so no local keeps them reachable. Unpooled
    // direct: a fresh object no allocator cache keeps reachable, and one Netty tracks (it does not
    // track unpooled heap buffers at all).
    ByteBuf buffer = UnpooledByteBufAllocator.DEFAULT.directBuffer(8);
    buffer.touch(hint);
    new DefaultDnsQuery(0).touch(hint);
  }

  private static List<ResourceLeakDetector<?>> detectors() {
    return List.of(
        staticDetector(AbstractByteBuf.class, "leakDetector"),
        staticDetector(AbstractDnsMessage.class, "leakDetector"));
  }

  private static ResourceLeakDetector<?> staticDetector(Class<?> owner, String field) {
    try {
      Field f = owner.getDeclaredField(field);
      f.setAccessible(true);
      return (ResourceLeakDetector<?>) f.get(null);
    } catch (ReflectiveOperationException e) {
      // Fail loudly: a guard that silently stops guarding is worse than none.
      throw new AssertionError("cannot reach " + owner.getName() + "." + field, e);
    }
  }

  private static Object readListener(ResourceLeakDetector<?> detector) {
    try {
      Field f = ResourceLeakDetector.class.getDeclaredField("leakListener");
      f.setAccessible(true);
      return f.get(detector);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("cannot read ResourceLeakDetector.leakListener", e);
    }
  }
}
