package io.dsblocks.loadbalancer.proxy;

/**
 * A step an {@link L7Proxy} runs on every request head before it is forwarded: authentication,
 * authorization, header rewriting, custom admission. Global filters ({@link
 * ProxyConfig.Builder#filter}) run first, then the matched route's ({@link Route.Builder#filter}),
 * each in the order added; the first that does not return {@link FilterResult#proceed()} answers
 * the request and the rest are skipped. Filters run after routing (so they know the route) and
 * before the route's rate limit and backend selection (so a denied request costs no permit and no
 * backend).
 *
 * <pre>{@code
 * HttpFilter apiKey = request ->
 *     "secret".equals(request.header("x-api-key"))
 *         ? FilterResult.proceed()
 *         : FilterResult.respond(401, Map.of("www-authenticate", "ApiKey"), "missing api key\n");
 * }</pre>
 *
 * <p>Filters are called on the connection's event-loop thread and must not block (no remote calls,
 * no locks held for long): a blocked filter stalls every connection of that event loop. They are
 * called concurrently for different connections, so implementations must be thread-safe.
 */
@FunctionalInterface
public interface HttpFilter {

  /**
   * Inspects (and possibly changes) a request.
   *
   * @param request the request head and connection facts, valid only during this call
   * @return {@link FilterResult#proceed()} to go on, or a response to send instead
   */
  FilterResult apply(ProxyRequest request);
}
