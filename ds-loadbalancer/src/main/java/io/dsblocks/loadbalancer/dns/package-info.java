/**
 * Global (DNS-level) load balancing: Route-53-style routing policies and an authoritative DNS
 * responder that serves them.
 *
 * <p>Entry points: describe zones and {@link io.dsblocks.loadbalancer.dns.RecordSet record sets} in
 * a {@link io.dsblocks.loadbalancer.dns.GlobalRoutingConfig}, route with a {@link
 * io.dsblocks.loadbalancer.dns.GlobalRouter} (health from a {@link
 * io.dsblocks.loadbalancer.dns.HealthSource}, client locations from a {@link
 * io.dsblocks.loadbalancer.dns.GeoResolver}, round-trip times from a {@link
 * io.dsblocks.loadbalancer.dns.LatencySource}), and serve it over UDP and TCP with a {@link
 * io.dsblocks.loadbalancer.dns.DnsResponder}.
 *
 * <p>Policies: {@link io.dsblocks.loadbalancer.dns.RoutingPolicy#SIMPLE simple}, {@link
 * io.dsblocks.loadbalancer.dns.RoutingPolicy#WEIGHTED weighted}, {@link
 * io.dsblocks.loadbalancer.dns.RoutingPolicy#LATENCY latency}, {@link
 * io.dsblocks.loadbalancer.dns.RoutingPolicy#FAILOVER failover}, {@link
 * io.dsblocks.loadbalancer.dns.RoutingPolicy#GEOLOCATION geolocation} and {@link
 * io.dsblocks.loadbalancer.dns.RoutingPolicy#MULTIVALUE multivalue answer}.
 */
package io.dsblocks.loadbalancer.dns;
