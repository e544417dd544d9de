package io.dsblocks.loadbalancer.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Configuration swaps are atomic: while one thread keeps replacing the configuration, concurrent
 * queries never see a mix of two versions, even across a CNAME chain that reads the configuration
 * twice.
 */
class GlobalRouterConcurrencyTest {

  /** Version {@code v}: www -> blue-v/green-v (CNAME) -> 192.0.2.v, with serial v. */
  private static GlobalRoutingConfig version(int v) {
    String target = (v % 2 == 0 ? "blue-" : "green-") + v + ".example.test";
    return GlobalRoutingConfig.builder()
        .zone("example.test")
        .soaSerial(v)
        .recordSet(RecordSet.simple("www.example.test", RecordType.CNAME).value("c", target))
        .recordSet(RecordSet.simple(target, RecordType.A).value("a", "192.0.2." + v))
        .build();
  }

  @Test
  void queriesSeeOneWholeConfigurationAcrossSwaps() throws Exception {
    int versions = 200;
    GlobalRoutingConfig[] configs = new GlobalRoutingConfig[versions];
    for (int v = 0; v < versions; v++) {
      configs[v] = version(v + 1);
    }
    GlobalRouter router = GlobalRouter.of(configs[0]);
    int readers = 3;
    ExecutorService pool = Executors.newFixedThreadPool(readers + 1);
    CountDownLatch start = new CountDownLatch(1);
    AtomicBoolean reading = new AtomicBoolean(true);
    AtomicLong checked = new AtomicLong();
    List<Future<?>> futures = new ArrayList<>();
    futures.add(
        pool.submit(
            () -> {
              start.await();
              // Keep swapping for as long as the readers read (bounded in case they hang).
              for (int round = 0; round < 100_000 && reading.get(); round++) {
                for (GlobalRoutingConfig c : configs) {
                  router.update(c);
                }
              }
              return null;
            }));
    CountDownLatch readersDone = new CountDownLatch(readers);
    for (int r = 0; r < readers; r++) {
      futures.add(
          pool.submit(
              () -> {
                start.await();
                try {
                  for (int i = 0; i < 50_000; i++) {
                    RoutingResult result =
                        router.route("www.example.test", RecordType.A, ClientLocation.UNKNOWN);
                    assertThat(result.outcome()).isEqualTo(RoutingOutcome.ANSWER);
                    assertThat(result.records()).hasSize(2);
                    long serial = result.soaSerial();
                    String cname = result.records().get(0).value().value();
                    String address = result.records().get(1).value().value();
                    // CNAME, A and serial must all come from the same version.
                    assertThat(cname).endsWith("-" + serial + ".example.test");
                    assertThat(address).isEqualTo("192.0.2." + serial);
                    checked.incrementAndGet();
                  }
                } finally {
                  readersDone.countDown();
                }
                return null;
              }));
    }
    start.countDown();
    assertThat(readersDone.await(60, TimeUnit.SECONDS)).isTrue();
    reading.set(false);
    for (Future<?> f : futures) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(checked.get()).isEqualTo(readers * 50_000L);
  }
}
