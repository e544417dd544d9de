package io.dsblocks.loadbalancer.proxy;

import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Netty leak detector that records every leak report instead of only logging it, installed for
 * the whole test JVM through Netty's own hook: the module's surefire argLine sets {@code
 * -Dio.netty.customResourceLeakDetector} to this class (and the level to paranoid), so Netty's
 * default {@code ResourceLeakDetectorFactory} creates every detector (buffers, HTTP messages) as
 * one of these from the very first allocation. {@link LeakCheck} reads the records after each test
 * class.
 *
 * <p>Thread-safe: reports arrive on whatever thread allocates next.
 *
 * @param <T> the tracked resource type
 */
public final class RecordingLeakDetector<T> extends ResourceLeakDetector<T> {
  private static final ConcurrentLinkedQueue<String> REPORTS = new ConcurrentLinkedQueue<>();
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  /**
   * Called by Netty's factory.
   *
   * @param resourceType the tracked type
   * @param samplingInterval the sampling interval (ignored at paranoid level)
   */
  public RecordingLeakDetector(Class<?> resourceType, int samplingInterval) {
    super(resourceType, samplingInterval);
    INSTANCES.incrementAndGet();
  }

  /**
   * Called by Netty's factory through its older three-argument hook.
   *
   * @param resourceType the tracked type
   * @param samplingInterval the sampling interval
   * @param maxActive ignored, as by Netty itself
   */
  public RecordingLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
    this(resourceType, samplingInterval);
  }

  /** Whether Netty created at least one detector of this class (the hook is active). */
  static boolean installed() {
    return INSTANCES.get() > 0;
  }

  /** Removes and returns every report recorded so far. */
  static List<String> drain() {
    List<String> out = new ArrayList<>();
    String r;
    while ((r = REPORTS.poll()) != null) {
      out.add(r);
    }
    return out;
  }

  /** Reports recorded so far, without removing them. */
  static List<String> peek() {
    return new ArrayList<>(REPORTS);
  }

  @Override
  protected boolean needReport() {
    return true; // report even if the error log level is off
  }

  @Override
  protected void reportTracedLeak(String resourceType, String records) {
    REPORTS.add(resourceType + ":" + records);
    super.reportTracedLeak(resourceType, records);
  }

  @Override
  protected void reportUntracedLeak(String resourceType) {
    REPORTS.add(resourceType + ": (untraced)");
    super.reportUntracedLeak(resourceType);
  }
}
