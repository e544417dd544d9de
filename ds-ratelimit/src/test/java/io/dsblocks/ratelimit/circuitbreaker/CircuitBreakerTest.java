package io.dsblocks.ratelimit.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.ratelimit.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
  private static final RuntimeException BOOM = new IllegalStateException("boom");
  private final ManualTicker ticker = new ManualTicker();

  private CircuitBreaker breaker(CircuitBreakerConfig.Builder b) {
    return CircuitBreaker.of("cb", b.build(), ticker);
  }

  private static CircuitBreakerConfig.Builder small() {
    return CircuitBreakerConfig.builder()
        .countBasedWindow(10)
        .minimumNumberOfCalls(4)
        .failureRateThreshold(50)
        .permittedCallsInHalfOpenState(3)
        .waitDurationInOpenState(Duration.ofSeconds(10));
  }

  private static void succeed(CircuitBreaker cb, int n) {
    for (int i = 0; i < n; i++) {
      assertThat(cb.tryAcquirePermission()).isTrue();
      cb.onSuccess(1_000);
    }
  }

  private static void fail(CircuitBreaker cb, int n) {
    for (int i = 0; i < n; i++) {
      assertThat(cb.tryAcquirePermission()).isTrue();
      cb.onError(1_000, BOOM);
    }
  }

  @Test
  void opensWhenFailureRateReachesThresholdAfterMinimumCalls() {
    CircuitBreaker few = breaker(small());
    fail(few, 3);
    assertThat(few.state())
        .as("below the minimum number of calls")
        .isEqualTo(CircuitBreakerState.CLOSED);
    CircuitBreaker cb = breaker(small());
    succeed(cb, 4);
    fail(cb, 3); // 3 of 7 = 43%
    assertThat(cb.state()).isEqualTo(CircuitBreakerState.CLOSED);
    fail(cb, 1); // 4 of 8 = 50%
    assertThat(cb.state()).isEqualTo(CircuitBreakerState.OPEN);
    assertThat(cb.tryAcquirePermission()).isFalse();
    assertThatThrownBy(cb::acquirePermission)
        .isInstanceOfSatisfying(
            CallNotPermittedException.class,
            e -> {
              assertThat(e.breakerName()).isEqualTo("cb");
              assertThat(e.state()).isEqualTo(CircuitBreakerState.OPEN);
            });
    assertThat(cb.stats().notPermittedCalls()).isEqualTo(2);
  }

  @Test
  void staysClosedJustBelowThreshold() {
    CircuitBreaker cb = breaker(small());
    succeed(cb, 6);
    fail(cb, 4); // 40% < 50%
    assertThat(cb.state()).isEqualTo(CircuitBreakerState.CLOSED);
    CircuitBreakerStats stats = cb.stats();
    assertThat(stats.bufferedCalls()).isEqualTo(10);
    assertThat(stats.failedCalls()).isEqualTo(4);
    assertThat(stats.failureRate()).isEqualTo(40f);
  }

  @Test
  void countWindowEvictsOldestOutcome() {
    CircuitBreaker cb = breaker(small());
    fail(cb, 4);
    // not yet: min calls 4 reached with 100% -> would open; use a higher threshold to test eviction
    CircuitBreaker cb2 = breaker(small().failureRateThreshold(60));
    succeed(cb2, 10); // full of fast successes (fast path)
    fail(cb2, 5); // window = 5 successes + 5 failures = 50%
    assertThat(cb2.state()).isEqualTo(CircuitBreakerState.CLOSED);
    assertThat(cb2.stats().failedCalls()).isEqualTo(5);
    assertThat(cb2.stats().bufferedCalls()).isEqualTo(10);
    fail(cb2, 1); // 6 of 10
    assertThat(cb2.state()).isEqualTo(CircuitBreakerState.OPEN);
    assertThat(cb.state()).isEqualTo(CircuitBreakerState.OPEN);
  }

  @Test
  void countWindowMatchesReferenceModel() {
    // Single-threaded, the packed ring must equal a plain deque of the last N outcomes.
    SplittableRandom random = new SplittableRandom(42);
    CircuitBreaker cb =
        breaker(
            CircuitBreakerConfig.builder()
                .countBasedWindow(17)
                .minimumNumberOfCalls(17)
                .failureRateThreshold(100)
                .slowCallRateThreshold(100)
                .slowCallDurationThreshold(Duration.ofNanos(500)));
    Deque<int[]> model = new ArrayDeque<>();
    for (int i = 0; i < 5_000; i++) {
      boolean failed = random.nextInt(10) == 0;
      boolean slow = random.nextInt(10) == 0;
      long duration = slow ? 600 : 100;
      if (failed) {
        cb.onError(duration, BOOM);
      } else {
        cb.onSuccess(duration);
      }
      model.addLast(new int[] {failed ? 1 : 0, slow ? 1 : 0});
      if (model.size() > 17) {
        model.removeFirst();
      }
      if (cb.state() != CircuitBreakerState.CLOSED) {
        // 100% thresholds: only a window full of failures (or of slow calls) trips
        assertThat(
                model.stream().allMatch(o -> o[0] == 1) || model.stream().allMatch(o -> o[1] == 1))
            .isTrue();
        cb.transitionToClosed();
        model.clear();
        continue;
      }
      CircuitBreakerStats s = cb.stats();
      assertThat(s.bufferedCalls()).isEqualTo(model.size());
      assertThat(s.failedCalls()).isEqualTo(model.stream().filter(o -> o[0] == 1).count());
      assertThat(s.slowCalls()).isEqualTo(model.stream().filter(o -> o[1] == 1).count());
    }
  }

  @Test
  void slowCallRateOpensBreaker() {
    CircuitBreaker cb =
        breaker(
            small().slowCallRateThreshold(50).slowCallDurationThreshold(Duration.ofMillis(100)));
    for (int i = 0; i < 4; i++) {
      assertThat(cb.tryAcquirePermission()).isTrue();
      cb.onSuccess(Duration.ofMillis(i < 2 ? 150 : 10).toNanos());
    }
    assertThat(cb.state()).isEqualTo(CircuitBreakerState.OPEN);
  }

  @Test
  void halfOpenAdmitsExactlyTheTrialCallsThenCloses() {
    CircuitBreaker cb = breaker(small());
    fail(cb, 4);
    assertThat(cb.state()).isEqualTo(CircuitBreakerState.OPEN);
    ticker.advance(Duration.ofSeconds(9));
    assertThat(cb.tryAcquirePermission()).isFalse();
    ticker.advance(Duration.ofSeconds(1));
    for (int i = 0; i < 3; i++) {
      assertThat(cb.tryAcquirePermission()).as("trial %d", i).isTrue();
    }
    assertThat(cb.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
    assertThat(cb.tryAcquirePermission()).as("fourth trial").isFalse();
    cb.onSuccess(1);
    cb.onSuccess(1);
    assertThat(cb.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
    cb.onError(1, BOOM); // 1 of 3 = 33% < 50%
    assertThat(cb.state()).isEqualTo(CircuitBreakerState.CLOSED);
    assertThat(cb.stats().bufferedCalls()).as("fresh window").isZero();
  }

  @Test
  void failedTrialReopensWithExponentialBackoff() {
    CircuitBreaker cb = breaker(small().openWaitBackoff(2.0, Duration.ofSeconds(25)));
    fail(cb, 4);
    long[] expectedWaits = {10, 20, 25, 25};
    for (long wait : expectedWaits) {
      assertThat(cb.state()).isEqualTo(CircuitBreakerState.OPEN);
      ticker.advance(Duration.ofSeconds(wait).minusNanos(1));
      assertThat(cb.tryAcquirePermission()).as("before %ds", wait).isFalse();
      ticker.advanceNanos(1);
      assertThat(cb.tryAcquirePermission()).as("after %ds", wait).isTrue();
      cb.onError(1, BOOM);
      assertThat(cb.tryAcquirePermission()).isTrue();
      cb.onError(1, BOOM);
      assertThat(cb.tryAcquirePermission()).isTrue();
      cb.onSuccess(1); // 2 of 3 failed -> re-open
    }
    // a successful trial resets the backoff
    ticker.advance(Duration.ofSeconds(25));
    succeed(cb, 3);
    assertThat(cb.state()).isEqualTo(CircuitBreakerState.CLOSED);
    fail(cb, 4);
    ticker.advance(Duration.ofSeconds(10));
    assertThat(cb.tryAcquirePermission()).isTrue();
  }

  @Test
  void releasedTrialPermitLetsAnotherTrialIn() {
    CircuitBreaker cb = breaker(small());
    cb.transitionToHalfOpen();
    assertThat(cb.tryAcquirePermission()).isTrue();
    assertThat(cb.tryAcquirePermission()).isTrue();
    assertThat(cb.tryAcquirePermission()).isTrue();
    assertThat(cb.tryAcquirePermission()).isFalse();
    cb.releasePermission();
    assertThat(cb.tryAcquirePermission()).isTrue();
    cb.releasePermission();
    cb.releasePermission();
    cb.releasePermission();
    cb.releasePermission(); // more releases than permits taken cannot create extra trials
    for (int i = 0; i < 3; i++) {
      assertThat(cb.tryAcquirePermission()).isTrue();
    }
    assertThat(cb.tryAcquirePermission()).isFalse();
  }

  @Test
  void ignoredAndNonRecordedExceptions() {
    CircuitBreaker cb =
        breaker(
            small()
                .ignoreException(e -> e instanceof IllegalArgumentException)
                .recordException(e -> e instanceof IOException));
    for (int i = 0; i < 10; i++) {
      cb.onError(1, new IllegalArgumentException());
    }
    assertThat(cb.stats().bufferedCalls()).as("ignored").isZero();
    for (int i = 0; i < 10; i++) {
      cb.onError(1, new IllegalStateException());
    }
    assertThat(cb.stats().bufferedCalls()).isEqualTo(10);
    assertThat(cb.stats().failedCalls()).as("not recorded = success").isZero();
    for (int i = 0; i < 5; i++) {
      cb.onError(1, new IOException());
    }
    assertThat(cb.state()).isEqualTo(CircuitBreakerState.OPEN);
    assertThatThrownBy(() -> cb.onError(1, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("error");
  }

  @Test
  void timeBasedWindowForgetsOldSeconds() {
    CircuitBreaker cb =
        breaker(
            CircuitBreakerConfig.builder()
                .timeBasedWindow(5)
                .minimumNumberOfCalls(4)
                .failureRateThreshold(50));
    assertThat(cb.config().slidingWindowType()).isEqualTo(SlidingWindowType.TIME_BASED);
    fail(cb, 3);
    ticker.advance(Duration.ofSeconds(5)); // those failures leave the window
    succeed(cb, 3);
    assertThat(cb.stats().bufferedCalls()).isEqualTo(3);
    assertThat(cb.stats().failedCalls()).isZero();
    fail(cb, 1); // 1 of 4
    assertThat(cb.state()).isEqualTo(CircuitBreakerState.CLOSED);
    ticker.advance(Duration.ofSeconds(2));
    fail(cb, 2); // 3 of 6 = 50%
    assertThat(cb.state()).isEqualTo(CircuitBreakerState.OPEN);
  }

  @Test
  void timeBasedWindowSurvivesLongIdleGap() {
    CircuitBreaker cb =
        breaker(
            CircuitBreakerConfig.builder()
                .timeBasedWindow(3)
                .minimumNumberOfCalls(2)
                .failureRateThreshold(60));
    fail(cb, 1);
    succeed(cb, 1);
    ticker.advance(Duration.ofHours(1));
    succeed(cb, 2);
    assertThat(cb.stats().bufferedCalls()).isEqualTo(2);
    assertThat(cb.stats().failedCalls()).isZero();
  }

  @Test
  void manualStates() {
    CircuitBreaker cb = breaker(small());
    cb.transitionToForcedOpen();
    assertThat(cb.tryAcquirePermission()).isFalse();
    ticker.advance(Duration.ofDays(1));
    assertThat(cb.tryAcquirePermission()).as("forced open never times out").isFalse();

    cb.transitionToDisabled();
    fail(cb, 50);
    assertThat(cb.state()).isEqualTo(CircuitBreakerState.DISABLED);
    assertThat(cb.stats().bufferedCalls()).isZero();

    cb.transitionToMetricsOnly();
    fail(cb, 50);
    assertThat(cb.state()).isEqualTo(CircuitBreakerState.METRICS_ONLY);
    assertThat(cb.stats().failedCalls()).isEqualTo(10);
    assertThat(cb.stats().failureRate()).isEqualTo(100f);

    cb.transitionToClosed();
    assertThat(cb.stats().bufferedCalls()).isZero();
    cb.transitionToOpen();
    assertThat(cb.tryAcquirePermission()).isFalse();
    assertThat(CircuitBreakerState.METRICS_ONLY.allowsAllCalls()).isTrue();
    assertThat(CircuitBreakerState.HALF_OPEN.allowsAllCalls()).isFalse();
  }

  @Test
  void listenerSeesTransitionsAndCalls() {
    CircuitBreaker cb = breaker(small());
    List<String> events = new ArrayList<>();
    CircuitBreakerListener listener =
        new CircuitBreakerListener() {
          @Override
          public void onStateTransition(
              String name, CircuitBreakerState from, CircuitBreakerState to) {
            events.add(from + "->" + to);
          }

          @Override
          public void onSuccess(String name, long durationNanos, boolean slow) {
            events.add("ok");
          }

          @Override
          public void onError(String name, long durationNanos, Throwable error) {
            events.add("err");
          }

          @Override
          public void onCallNotPermitted(String name, CircuitBreakerState state) {
            events.add("refused:" + state);
            throw new IllegalStateException("listeners cannot break calls");
          }
        };
    cb.addListener(listener);
    succeed(cb, 1);
    fail(cb, 3);
    assertThat(cb.tryAcquirePermission()).isFalse();
    ticker.advance(Duration.ofSeconds(10));
    succeed(cb, 3);
    assertThat(events)
        .containsExactly(
            "ok",
            "err",
            "err",
            "CLOSED->OPEN",
            "err",
            "refused:OPEN",
            "OPEN->HALF_OPEN",
            "ok",
            "ok",
            "HALF_OPEN->CLOSED",
            "ok");
    cb.removeListener(listener);
    fail(cb, 4);
    assertThat(events).hasSize(11);
  }

  @Test
  void reconfigureKeepsWindowUnlessShapeChanges() {
    CircuitBreaker cb = breaker(small().failureRateThreshold(80));
    fail(cb, 3);
    succeed(cb, 2); // 60%
    assertThat(cb.state()).isEqualTo(CircuitBreakerState.CLOSED);
    cb.reconfigure(cb.config().toBuilder().failureRateThreshold(60).build());
    assertThat(cb.stats().bufferedCalls()).as("same shape keeps contents").isEqualTo(5);
    fail(cb, 1); // 4 of 6 = 66%
    assertThat(cb.state()).isEqualTo(CircuitBreakerState.OPEN);

    cb.transitionToClosed();
    fail(cb, 2);
    cb.reconfigure(cb.config().toBuilder().countBasedWindow(20).build());
    assertThat(cb.stats().bufferedCalls()).as("new size starts empty").isZero();
    assertThat(cb.config().slidingWindowSize()).isEqualTo(20);
  }

  @Test
  void reconfigureDuringHalfOpenKeepsTrial() {
    CircuitBreaker cb = breaker(small());
    cb.transitionToHalfOpen();
    assertThat(cb.tryAcquirePermission()).isTrue();
    cb.onSuccess(1);
    cb.reconfigure(cb.config().toBuilder().permittedCallsInHalfOpenState(50).build());
    assertThat(cb.tryAcquirePermission()).isTrue();
    assertThat(cb.tryAcquirePermission()).isTrue();
    assertThat(cb.tryAcquirePermission()).as("old trial count still applies").isFalse();
    cb.onSuccess(1);
    cb.onSuccess(1);
    assertThat(cb.state()).isEqualTo(CircuitBreakerState.CLOSED);
  }

  @Test
  void decoratedSupplierTimesAndRecords() {
    CircuitBreaker cb =
        breaker(small().slowCallRateThreshold(50).slowCallDurationThreshold(Duration.ofSeconds(1)));
    Supplier<String> slow =
        cb.decorateSupplier(
            () -> {
              ticker.advance(Duration.ofSeconds(2));
              return "late";
            });
    for (int i = 0; i < 4; i++) {
      assertThat(slow.get()).isEqualTo("late");
    }
    assertThat(cb.state()).isEqualTo(CircuitBreakerState.OPEN);
    assertThatThrownBy(slow::get).isInstanceOf(CallNotPermittedException.class);
  }

  @Test
  void badConfigurationIsRejectedWithFieldAndRange() {
    assertThatThrownBy(() -> CircuitBreakerConfig.builder().countBasedWindow(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("slidingWindowSize")
        .hasMessageContaining("[1, 1000000]")
        .hasMessageContaining("was 0");
    assertThatThrownBy(() -> CircuitBreakerConfig.builder().timeBasedWindow(3601).build())
        .hasMessageContaining("slidingWindowSize")
        .hasMessageContaining("3600");
    assertThatThrownBy(() -> CircuitBreakerConfig.builder().minimumNumberOfCalls(0).build())
        .hasMessageContaining("minimumNumberOfCalls");
    assertThatThrownBy(() -> CircuitBreakerConfig.builder().failureRateThreshold(0).build())
        .hasMessageContaining("failureRateThreshold must be in (0, 100], was 0.0");
    assertThatThrownBy(() -> CircuitBreakerConfig.builder().slowCallRateThreshold(101).build())
        .hasMessageContaining("slowCallRateThreshold");
    assertThatThrownBy(() -> CircuitBreakerConfig.builder().failureRateThreshold(Float.NaN).build())
        .hasMessageContaining("failureRateThreshold");
    assertThatThrownBy(
            () -> CircuitBreakerConfig.builder().slowCallDurationThreshold(Duration.ZERO).build())
        .hasMessageContaining("slowCallDurationThreshold must be positive");
    assertThatThrownBy(
            () -> CircuitBreakerConfig.builder().permittedCallsInHalfOpenState(0).build())
        .hasMessageContaining("permittedCallsInHalfOpenState");
    assertThatThrownBy(
            () ->
                CircuitBreakerConfig.builder()
                    .waitDurationInOpenState(Duration.ofSeconds(-1))
                    .build())
        .hasMessageContaining("waitDurationInOpenState");
    assertThatThrownBy(
            () -> CircuitBreakerConfig.builder().openWaitBackoff(0.5, Duration.ofDays(1)).build())
        .hasMessageContaining("openWaitMultiplier");
    assertThatThrownBy(
            () -> CircuitBreakerConfig.builder().openWaitBackoff(2, Duration.ofSeconds(1)).build())
        .hasMessageContaining("maxWaitDurationInOpenState");
    assertThatThrownBy(() -> CircuitBreakerConfig.builder().recordException(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("recordException");
    assertThatThrownBy(() -> CircuitBreakerConfig.builder().ignoreException(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("ignoreException");
    assertThatThrownBy(() -> CircuitBreaker.of(null, CircuitBreakerConfig.ofDefaults()))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("name");
  }
}
