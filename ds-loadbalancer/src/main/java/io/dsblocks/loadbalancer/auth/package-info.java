/**
 * Authentication and authorization for proxied requests, free of Netty types: the {@link
 * io.dsblocks.loadbalancer.auth.Authenticator} SPI with API-key, JWT (HS256/RS256/ES256, key
 * rotation, JWKS) and mTLS built-ins, per-route {@link io.dsblocks.loadbalancer.auth.AuthPolicy}
 * (any-of authenticators, scopes, roles, methods) and {@link
 * io.dsblocks.loadbalancer.auth.AuthRules} (policy by host and path prefix).
 */
package io.dsblocks.loadbalancer.auth;
