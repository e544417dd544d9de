package io.dsblocks.loadbalancer;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Balances requests over one set of endpoints with one {@link Strategy}; build with {@link
 * LoadBalancers}.
 *
 * <pre>{@code
 * LoadBalancer<Endpoint> lb = LoadBalancers.builder(Strategies.powerOfTwoChoices())
 *     .name("api")
 *     .outlierDetection(OutlierDetection.defaults())
 *     .build(List.of(Endpoint.of("10.0.0.1", 8080), Endpoint.of("10.0.0.2", 8080)));
 *
 * Selection<Endpoint> s = lb.pick(RequestContext.empty());
 * ... send, then s.onResponse(status, latencyNanos);
 * }</pre>
 *
 * <p>How it works: the balancer keeps an immutable snapshot of the endpoints strategies may pick
 * (the <em>candidates</em>) together with the strategy's precomputed structure over them (a
 * smooth-WRR cycle, an alias table, a Maglev table...). {@code pick} reads that snapshot with one
 * volatile load and never locks; anything that changes the candidates ({@link #update}, {@link
 * #setHealthy}, an ejection or its end, panic, a slow-start step) builds a new snapshot under a
 * lock and publishes it. Per-endpoint counters (in flight, consecutive failures, latency estimate)
 * live outside the snapshot in lock-free atomics and survive rebuilds.
 *
 * <p>Candidates: endpoints with weight above 0 that are healthy and not ejected. If their share of
 * all endpoints with weight above 0 falls below the panic threshold, every endpoint with weight
 * above 0 is a candidate (panic mode). With a local zone configured, candidates are narrowed to the
 * local zone while enough of it is available (outside panic mode).
 *
 * <p>Thread-safety: thread-safe. {@code pick} and the {@link Selection} reports are lock-free and
 * allocation-free; {@code update}, {@code setHealthy} and ejections serialise on an internal lock.
 *
 * @param <E> the endpoint type
 */
public interface LoadBalancer<E extends Endpoint> extends Picker<E> {

  /**
   * The current members, in the order given to {@link LoadBalancers.Builder#build} or {@link
   * #update}, including unhealthy, ejected and drained ones.
   *
   * @return an immutable list
   */
  List<E> endpoints();

  /**
   * Replaces the member set (e.g. after service discovery changed, or to change weights: endpoints
   * are immutable, so pass new instances with the same ids). Endpoints whose id stays keep their
   * counters, health and ejection state; new ids start healthy and, with slow start configured,
   * ramp up.
   *
   * @param endpoints the new members, not empty, unique ids
   * @throws IllegalArgumentException if the set is empty, has duplicate ids or an invalid endpoint
   * @throws NullPointerException if the collection or an element is null
   */
  void update(Collection<? extends E> endpoints);

  /**
   * Sets an endpoint's active health, as decided by {@link
   * io.dsblocks.loadbalancer.health.HealthChecker} or any other source. Endpoints start healthy.
   *
   * @param endpointId the id
   * @param healthy the new state
   * @return false if no member has that id (it may have been removed meanwhile), true otherwise
   */
  boolean setHealthy(String endpointId, boolean healthy);

  /**
   * The state of one member.
   *
   * @param endpointId the id
   * @return its status, or empty if no member has that id
   */
  Optional<EndpointStatus> status(String endpointId);

  /**
   * Whether the balancer is in panic mode (spreading over all endpoints because too few are
   * healthy).
   *
   * @return true while in panic
   */
  boolean inPanic();

  /**
   * The strategy.
   *
   * @return the strategy given at build time
   */
  Strategy strategy();
}
