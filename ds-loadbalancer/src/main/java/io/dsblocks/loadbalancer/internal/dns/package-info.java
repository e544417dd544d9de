/**
 * Internals of the DNS responder: the Netty handler that turns queries into authoritative
 * responses, EDNS parsing and name helpers. Not API: may change without notice.
 */
package io.dsblocks.loadbalancer.internal.dns;
