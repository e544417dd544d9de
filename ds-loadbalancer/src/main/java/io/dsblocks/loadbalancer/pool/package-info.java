/**
 * Pools of endpoint groups: {@link io.dsblocks.loadbalancer.pool.ActiveActivePool}, {@link
 * io.dsblocks.loadbalancer.pool.ActivePassivePool} (failover and hysteretic fail-back) and {@link
 * io.dsblocks.loadbalancer.pool.PriorityPool} (Envoy-like priority levels), built through {@link
 * io.dsblocks.loadbalancer.pool.Pools}.
 */
package io.dsblocks.loadbalancer.pool;
