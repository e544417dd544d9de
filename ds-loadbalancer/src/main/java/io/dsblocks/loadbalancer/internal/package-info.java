/**
 * Implementation of ds-loadbalancer: the snapshot-based balancer, per-endpoint lock-free state, one
 * selector per strategy, outlier detection. Not API: may change without notice.
 */
package io.dsblocks.loadbalancer.internal;
