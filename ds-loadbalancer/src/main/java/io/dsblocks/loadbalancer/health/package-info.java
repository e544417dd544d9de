/**
 * Endpoint health: active checks ({@link io.dsblocks.loadbalancer.health.HealthChecker} running a
 * {@link io.dsblocks.loadbalancer.health.HealthCheck} such as {@link
 * io.dsblocks.loadbalancer.health.HealthChecks#tcp} or {@link
 * io.dsblocks.loadbalancer.health.HealthChecks#http}) and the settings of passive outlier detection
 * ({@link io.dsblocks.loadbalancer.health.OutlierDetection}), which the balancer itself runs on the
 * outcomes reported for each request.
 */
package io.dsblocks.loadbalancer.health;
