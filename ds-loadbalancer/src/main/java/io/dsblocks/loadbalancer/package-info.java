/**
 * Load balancing: strategies that pick an endpoint for a request, health checking and outlier
 * ejection, endpoint pools, global routing policies and a Netty reverse proxy.
 */
package io.dsblocks.loadbalancer;
