package io.dsblocks.examples.ratelimit;

import io.dsblocks.ratelimit.Decorators;
import io.dsblocks.ratelimit.RateLimiter;
import io.dsblocks.ratelimit.RateLimiterConfig;
import io.dsblocks.ratelimit.RateLimiters;
import io.dsblocks.ratelimit.RequestNotPermitted;
import io.dsblocks.ratelimit.Ticker;
import io.dsblocks.ratelimit.circuitbreaker.CallNotPermittedException;
import io.dsblocks.ratelimit.circuitbreaker.CircuitBreaker;
import io.dsblocks.ratelimit.circuitbreaker.CircuitBreakerConfig;
import io.dsblocks.ratelimit.circuitbreaker.CircuitBreakerListener;
import io.dsblocks.ratelimit.circuitbreaker.CircuitBreakerState;
import io.dsblocks.ratelimit.retry.Retry;
import io.dsblocks.ratelimit.retry.RetryBudget;
import io.dsblocks.ratelimit.retry.RetryConfig;
import io.dsblocks.ratelimit.retry.RetryStats;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * A bursty client calls a flaky in-process service through a token-bucket rate limiter, a circuit
 * breaker and a retry with a shared retry budget, composed with {@link Decorators}. The service is
 * down for requests {@value #OUTAGE_FROM} to {@value #OUTAGE_TO} (exclusive): the breaker opens,
 * probes the service while half-open and closes once it recovers; the retry budget stops the retry
 * storm the outage would otherwise cause.
 *
 * <p>Time is simulated with a {@link ManualTicker}: bursts arrive every 100 ms of ticker time and
 * retry backoffs advance the ticker instead of sleeping, so the run is deterministic and takes
 * milliseconds. In production, drop the ticker arguments (everything defaults to {@link
 * Ticker#system()}) and the sleeper (a real retry parks the thread).
 *
 * <p>Copy this class to start: replace {@link FlakyService} with your client.
 */
public final class ProtectedServiceExample {
  /** Client requests sent in the run. */
  public static final int REQUESTS = 2_000;

  /** First request the service fails. */
  public static final int OUTAGE_FROM = 300;

  /** First request after the outage (the service fails {@code [OUTAGE_FROM, OUTAGE_TO)}). */
  public static final int OUTAGE_TO = 500;

  /** Token bucket: {@value} permits ... */
  public static final long LIMIT_PERMITS = 8;

  /** ... every 100 ms (80 per second), which is also the burst size. */
  public static final Duration LIMIT_PERIOD = Duration.ofMillis(100);

  /** The retry budget: retries may add at most {@value} percent of the requests ... */
  public static final int RETRY_BUDGET_PERCENT = 5;

  /** ... plus {@value} retry per second, over a 10 s window. */
  public static final int RETRY_BUDGET_MIN_PER_SECOND = 1;

  private static final Duration BURST_INTERVAL = Duration.ofMillis(100);

  private ProtectedServiceExample() {}

  /**
   * What the run measured.
   *
   * @param requests client requests sent
   * @param succeeded requests that got a response
   * @param rejectedByLimiter requests refused by the rate limiter
   * @param shortCircuited requests refused by the open (or half-open) breaker
   * @param failed requests that failed at the service after the retries allowed
   * @param limiterPermits permits the rate limiter granted (first attempts and retries)
   * @param retriesGranted retries the retry budget allowed
   * @param retriesDenied retries the retry budget refused
   * @param transitions the breaker's state transitions, in order, as {@code "FROM->TO"}
   * @param simulatedNanos ticker time the run covered
   */
  public record Result(
      int requests,
      int succeeded,
      int rejectedByLimiter,
      int shortCircuited,
      int failed,
      long limiterPermits,
      long retriesGranted,
      long retriesDenied,
      List<String> transitions,
      long simulatedNanos) {}

  /**
   * Runs the example on standard output.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    run(System.out, done -> {});
  }

  /**
   * Runs the example.
   *
   * @param out where to print what happens
   * @param progress told the number of client requests sent so far, after each burst
   * @return what was measured
   */
  public static Result run(PrintStream out, LongConsumer progress) {
    ManualTicker ticker = new ManualTicker();
    long start = ticker.read();

    // 1. The guards. All three read the same simulated clock.
    RateLimiter limiter =
        RateLimiters.create(
            RateLimiterConfig.builder()
                .name("service")
                .limit(LIMIT_PERMITS, LIMIT_PERIOD) // 80/s, bursts of up to 8
                .ticker(ticker)
                .recordStats()
                .build());
    CircuitBreaker breaker =
        CircuitBreaker.of(
            "service",
            CircuitBreakerConfig.builder()
                .countBasedWindow(100)
                .minimumNumberOfCalls(50)
                .failureRateThreshold(50)
                // Only failures matter here: without slow-call detection decorated calls are not
                // timed at all (two clock reads fewer per call).
                .slowCallDetection(false)
                .waitDurationInOpenState(Duration.ofMillis(500))
                .permittedCallsInHalfOpenState(3)
                .build(),
            ticker);
    // Retries may add at most 5% of the request volume plus 1 per second (over 10 s), shared by
    // every Retry holding this budget.
    RetryBudget budget =
        RetryBudget.builder()
            .percentOfRequests(RETRY_BUDGET_PERCENT)
            .minRetriesPerSecond(RETRY_BUDGET_MIN_PER_SECOND)
            .window(Duration.ofSeconds(10))
            .ticker(ticker)
            .build();
    Retry retry =
        Retry.builder("service")
            .config(
                RetryConfig.builder()
                    .maxAttempts(4)
                    .exponentialBackoff(Duration.ofMillis(5), 2.0, Duration.ofMillis(20))
                    .jitter(RetryConfig.Jitter.NONE)
                    // Retry the service's errors only: a refusal by the limiter or the breaker
                    // will not go away within a few milliseconds.
                    .retryOnException(e -> e instanceof ServiceUnavailableException)
                    .budget(budget)
                    .build())
            .ticker(ticker)
            .sleeper(ticker::advanceNanos) // simulated backoff: move the clock, do not sleep
            .build();

    // 2. Watch the breaker through its listener (called on the thread that caused the change).
    List<String> transitions = Collections.synchronizedList(new ArrayList<>());
    breaker.addListener(
        new CircuitBreakerListener() {
          @Override
          public void onStateTransition(
              String name, CircuitBreakerState from, CircuitBreakerState to) {
            transitions.add(from + "->" + to);
            out.printf(
                Locale.ROOT,
                "t=%6.3f s  breaker %s: %s -> %s%n",
                (ticker.read() - start) / 1e9,
                name,
                from,
                to);
          }
        });

    // 3. Compose: Retry -> CircuitBreaker -> RateLimiter -> service (Decorators fixes the order).
    FlakyService service = new FlakyService(OUTAGE_FROM, OUTAGE_TO);
    IntFunction<Supplier<String>> guarded =
        id ->
            Decorators.ofSupplier(() -> service.handle(id))
                .withRetry(retry)
                .withCircuitBreaker(breaker)
                .withRateLimiter(limiter)
                .decorate();

    // 4. The bursty client: every 100 ms a burst of 2 to 18 requests (10 on average, i.e. 100/s
    // against a limit of 80/s), from a seeded generator so every run is the same.
    SplittableRandom random = new SplittableRandom(42);
    int succeeded = 0;
    int rejected = 0;
    int shortCircuited = 0;
    int failed = 0;
    int sent = 0;
    for (int burst = 0; sent < REQUESTS; burst++) {
      ticker.advanceTo(start + burst * BURST_INTERVAL.toNanos());
      int size = Math.min(2 + random.nextInt(17), REQUESTS - sent);
      for (int i = 0; i < size; i++, sent++) {
        try {
          guarded.apply(sent).get();
          succeeded++;
        } catch (RequestNotPermitted e) {
          rejected++;
        } catch (CallNotPermittedException e) {
          shortCircuited++;
        } catch (ServiceUnavailableException e) {
          failed++;
        }
      }
      progress.accept(sent);
    }

    long elapsed = ticker.read() - start;
    RetryStats rs = retry.stats();
    Result r =
        new Result(
            sent,
            succeeded,
            rejected,
            shortCircuited,
            failed,
            limiter.stats().permittedCalls(),
            rs.retries(),
            rs.budgetDenied(),
            List.copyOf(transitions),
            elapsed);
    out.printf(
        Locale.ROOT,
        "%d requests in %.1f s of simulated time (service down for requests %d-%d)%n",
        r.requests(),
        elapsed / 1e9,
        OUTAGE_FROM,
        OUTAGE_TO - 1);
    out.printf(
        Locale.ROOT,
        "succeeded %d, rejected by the rate limiter %d, short-circuited by the breaker %d,"
            + " failed %d%n",
        r.succeeded(),
        r.rejectedByLimiter(),
        r.shortCircuited(),
        r.failed());
    out.printf(
        Locale.ROOT,
        "rate limiter granted %d permits (limit: %d + %d per %d ms)%n",
        r.limiterPermits(),
        LIMIT_PERMITS,
        LIMIT_PERMITS,
        LIMIT_PERIOD.toMillis());
    out.printf(
        Locale.ROOT,
        "retries granted by the budget %d, denied %d%n",
        r.retriesGranted(),
        r.retriesDenied());
    out.printf(Locale.ROOT, "breaker transitions: %s%n", String.join(", ", r.transitions()));
    return r;
  }

  /** The service's failure, retried by the client. */
  public static final class ServiceUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ServiceUnavailableException(int requestId) {
      super("service unavailable for request " + requestId, null, false, false);
    }
  }

  /**
   * An in-process stand-in for a remote service: it fails every request whose id is in {@code
   * [failFrom, failTo)} (an outage, including retries of those requests) and answers the rest.
   * Thread-safe.
   */
  static final class FlakyService {
    private final int failFrom;
    private final int failTo;

    FlakyService(int failFrom, int failTo) {
      this.failFrom = failFrom;
      this.failTo = failTo;
    }

    String handle(int requestId) {
      if (requestId >= failFrom && requestId < failTo) {
        throw new ServiceUnavailableException(requestId);
      }
      return "ok " + requestId;
    }
  }

  /** A ticker moved by hand: the whole run happens in simulated time. Thread-safe. */
  static final class ManualTicker implements Ticker {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @Override
    public long read() {
      return nanos.get();
    }

    void advanceNanos(long n) {
      nanos.addAndGet(n);
    }

    /** Moves time to {@code t} unless it is already later (retry backoffs may have moved it). */
    void advanceTo(long t) {
      nanos.accumulateAndGet(t, Math::max);
    }
  }
}
