/** Internals of TLS termination: PEM parsing, certificate checks, SSL context generations. */
package io.dsblocks.loadbalancer.internal.tls;
