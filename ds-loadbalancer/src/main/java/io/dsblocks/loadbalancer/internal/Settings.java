package io.dsblocks.loadbalancer.internal;

import io.dsblocks.loadbalancer.LoadBalancerListener;
import io.dsblocks.loadbalancer.Strategy;
import io.dsblocks.loadbalancer.Ticker;
import io.dsblocks.loadbalancer.health.OutlierDetection;
import java.util.List;

/**
 * Validated settings of a {@link DefaultLoadBalancer}, assembled by {@code LoadBalancers.Builder}.
 *
 * <p>Immutable.
 *
 * @param name balancer name
 * @param strategy the public strategy
 * @param factory its selector factory
 * @param ticker time source
 * @param rng random source
 * @param panicThreshold healthy share below which panic mode starts, in [0, 1]
 * @param localZone preferred zone, or null
 * @param minLocalShare share of the local zone that must be available to stay local
 * @param slowStartNanos slow-start window, 0 when off
 * @param slowStartAggression ramp exponent's inverse (1 = linear)
 * @param slowStartMinFactor smallest weight factor while ramping
 * @param outlier outlier detection, or null
 * @param listeners initial listeners
 */
public record Settings(
    String name,
    Strategy strategy,
    SelectorFactory factory,
    Ticker ticker,
    Rng rng,
    double panicThreshold,
    String localZone,
    double minLocalShare,
    long slowStartNanos,
    double slowStartAggression,
    double slowStartMinFactor,
    OutlierDetection outlier,
    List<LoadBalancerListener> listeners) {}
