package io.dsblocks.storage.internal;

import java.util.concurrent.CountDownLatch;

/** Waiting helpers shared by the store's internals. */
public final class Latches {
  private Latches() {}

  /**
   * Waits until {@code latch} reaches zero, also when interrupted: for waits that end in bounded
   * time and must not be abandoned halfway. The interrupt is restored for the caller afterwards.
   *
   * @param latch the latch
   */
  public static void awaitUninterruptibly(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        latch.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
