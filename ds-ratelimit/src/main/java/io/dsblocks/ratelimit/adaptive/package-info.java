/**
 * Adaptive concurrency limits: a limit raised and lowered from observed latency and drops by a
 * pluggable algorithm (AIMD, Vegas, Gradient2), optionally partitioned with guaranteed shares.
 *
 * <p>Entry point: {@link io.dsblocks.ratelimit.adaptive.AdaptiveLimiter#builder}.
 */
package io.dsblocks.ratelimit.adaptive;
