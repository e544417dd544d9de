/** Internals of request authentication: strict JSON and base64url, JWS keys, ECDSA encodings. */
package io.dsblocks.loadbalancer.internal.auth;
