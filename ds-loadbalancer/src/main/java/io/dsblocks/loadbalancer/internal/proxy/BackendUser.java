package io.dsblocks.loadbalancer.internal.proxy;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.RequestContext;
import io.dsblocks.loadbalancer.Selection;
import io.dsblocks.ratelimit.circuitbreaker.CircuitBreaker;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;

/**
 * What owns a backend connection while a request runs on it: an {@link Exchange} (a request
 * forwarded for a client) or a {@link BackendFetch} (a response cache's fill). {@link
 * BackendHandler} hands it every response part and connection event.
 *
 * <p>Both run the same attempt protocol, kept here: pick an endpoint whose circuit breaker admits
 * the attempt (skipping open ones, at most {@link #MAX_BREAKER_SKIPS}), report every attempt's
 * outcome to the picker's selection and the breaker exactly once (a response, a failure, or a
 * release when the attempt never got one), and retry on another endpoint only within the retry
 * budget. What a failure means for the client (a local error response, an aborted stream, a failed
 * cache fill) stays with the subclass.
 *
 * <p>An abstract class rather than an interface so the callbacks stay package-private.
 *
 * <p>Not thread-safe: confined to the backend connection's event loop.
 */
abstract class BackendUser {
  /** Open breakers skipped per attempt before giving up with {@code circuit_open}. */
  static final int MAX_BREAKER_SKIPS = 8;

  final HttpProxyRuntime rt;

  /** The picker's context; each failed endpoint is excluded from it for the next attempt. */
  RequestContext pick;

  /** The current attempt's endpoint, or null before the first attempt. */
  Endpoint endpoint;

  /** The last attempted endpoint's id, for the access log; {@code "-"} before any attempt. */
  String backendId = "-";

  /** Attempts begun so far. */
  int attempts;

  /** Bumped by every attempt, so a late connect of an abandoned attempt is recognised. */
  int attemptToken;

  /** The last failure's client status and reason (503/no_backend before any attempt). */
  int lastFailureStatus = 503;

  String lastFailureReason = "no_backend";

  private Selection<?> selection;
  private CircuitBreaker breaker;
  private long attemptStart;

  BackendUser(HttpProxyRuntime rt) {
    this.rt = rt;
  }

  /**
   * Begins an attempt on {@code pool}: picks an endpoint (skipping those whose breaker refuses) and
   * sets {@link #endpoint}, {@link #backendId}, {@link #attempts} and {@link #attemptToken}.
   *
   * @return null when the attempt began, otherwise why there is no endpoint to try: {@code
   *     "no_backend"} or {@code "circuit_open"}
   */
  final String beginAttempt(PoolRuntime pool) {
    Selection<?> sel;
    CircuitBreaker br;
    for (int skips = 0; ; skips++) {
      sel = pool.picker.tryPick(pick);
      if (sel == null) {
        return "no_backend";
      }
      br = pool.breaker(sel.endpoint());
      if (br == null || br.tryAcquirePermission()) {
        break;
      }
      String id = sel.endpoint().id();
      // A picker hands out an excluded endpoint only when nothing else is left.
      boolean nothingElse = pick.isExcluded(id);
      sel.release();
      if (nothingElse || skips + 1 >= MAX_BREAKER_SKIPS) {
        return "circuit_open";
      }
      pick = pick.excluding(id);
    }
    selection = sel;
    breaker = br;
    endpoint = sel.endpoint();
    backendId = endpoint.id();
    attempts++;
    attemptToken++;
    attemptStart = rt.config.ticker().read();
    return null;
  }

  /**
   * Runs the attempt {@link #beginAttempt} began on a pooled keep-alive connection of {@code loop}
   * to its endpoint, or on a new one: the connection is {@link #bind bound} and the request {@link
   * #send sent}, or a failed connect goes to {@link #attemptFailed}. A connect that completes after
   * the attempt was abandoned (a retry began, or the user finished) gives its fresh connection to
   * the pool.
   */
  final void runAttempt(EventLoop loop, PoolRuntime pool) {
    Channel pooled = rt.loopPool(loop).poll(pool.index, endpoint.id());
    if (pooled != null) {
      rt.counters.backendConnectionsReused.increment();
      bind(pooled);
      send();
      return;
    }
    int token = attemptToken;
    rt.connect(loop, pool, endpoint.id(), endpoint.host(), endpoint.port())
        .addListener((ChannelFutureListener) f -> onConnect(f, token, pool));
  }

  private void onConnect(ChannelFuture f, int token, PoolRuntime pool) {
    if (f.isSuccess()) {
      rt.counters.backendConnectionsOpened.increment();
    }
    if (token != attemptToken || finished()) {
      if (f.isSuccess()) {
        backendHandlerOf(f.channel()).returnToPool(backendContext(f.channel()));
      }
      return;
    }
    if (!f.isSuccess()) {
      rt.counters.backendConnectFailures.increment();
      rt.config.listener().onBackendConnectFailed(pool.name(), endpoint, f.cause());
      attemptFailed(BackendFailure.CONNECT_KIND, f.cause());
      return;
    }
    bind(f.channel());
    send();
  }

  // The backend handler is always the last of its pipeline: O(1), where a lookup by class walks it.
  static ChannelHandlerContext backendContext(Channel ch) {
    return ch.pipeline().lastContext();
  }

  static BackendHandler backendHandlerOf(Channel ch) {
    return (BackendHandler) ch.pipeline().last();
  }

  /** Whether this user is done (a late connection then goes to the pool). */
  abstract boolean finished();

  /** Attaches to the current attempt's backend connection (pooled or new). */
  abstract void bind(Channel ch);

  /** Sends the request (or its head) on the bound connection. */
  abstract void send();

  /**
   * The current attempt failed (a {@link BackendFailure} kind; cause null if none): record it, then
   * retry or fail as this user's client needs.
   */
  abstract void attemptFailed(int kind, Throwable cause);

  /**
   * The attempt failed (a {@link BackendFailure} kind): the outcome goes to the picker and the
   * breaker, and {@link #lastFailureStatus}/{@link #lastFailureReason} say what a client gets.
   */
  final void recordFailure(int kind, Throwable cause) {
    long latency = Math.max(0, rt.config.ticker().read() - attemptStart);
    if (selection != null) {
      selection.onFailure(latency);
      selection = null;
    }
    if (breaker != null) {
      breaker.onError(latency, cause != null ? cause : BackendFailure.of(kind));
      breaker = null;
    }
    lastFailureStatus = BackendFailure.clientStatus(kind);
    lastFailureReason = BackendFailure.reason(kind);
  }

  /** The attempt got a response head with {@code status}: a 5xx counts as a breaker error. */
  final void recordResponse(int status) {
    long latency = Math.max(0, rt.config.ticker().read() - attemptStart);
    if (selection != null) {
      selection.onResponse(status, latency);
      selection = null;
    }
    if (breaker != null) {
      if (status >= 500) {
        breaker.onError(latency, BackendFailure.status(status));
      } else {
        breaker.onSuccess(latency);
      }
      breaker = null;
    }
  }

  /** The attempt ended without an outcome: undo its in-flight count and breaker permit. */
  final void releaseOutcome() {
    if (selection != null) {
      selection.release();
      selection = null;
    }
    if (breaker != null) {
      breaker.releasePermission();
      breaker = null;
    }
  }

  /**
   * Asks the retry budget for another attempt after a failed one on {@code pool} (counted and
   * reported either way); when granted the failed endpoint is excluded from the next pick.
   *
   * @return whether the caller may begin another attempt
   */
  final boolean retryGranted(PoolRuntime pool) {
    if (rt.config.retryBudget().tryAcquireRetry()) {
      rt.counters.retries.increment();
      rt.config.listener().onRetry(pool.name(), endpoint, attempts + 1);
      pick = pick.excluding(endpoint.id());
      return true;
    }
    rt.counters.retriesDenied.increment();
    rt.config.listener().onRetryDenied(pool.name());
    return false;
  }

  /**
   * A response part: decoded HTTP objects, or on the raw path a {@link RawResponseHead}, {@link
   * ResponseFramer.RawBody} parts and possibly {@link ResponseFramer#MALFORMED_BODY}. The callee
   * owns (and must release) it.
   */
  abstract void onBackendMessage(Object msg);

  /** The end of a read cycle on the backend connection. */
  abstract void onBackendReadComplete();

  /** The backend connection's writability changed. */
  abstract void onBackendWritabilityChanged();

  /** The backend connection was idle for the idle timeout. */
  abstract void onBackendIdle();

  /** The backend connection closed (cause null for an orderly close). */
  abstract void onBackendClosed(Throwable cause);
}
