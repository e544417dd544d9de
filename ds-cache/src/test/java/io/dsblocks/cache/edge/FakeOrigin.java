package io.dsblocks.cache.edge;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A scriptable origin: answers with a function of the request, either at once or when the test
 * releases the pending futures (to hold fetches in flight).
 */
final class FakeOrigin implements Origin {
  final List<EdgeRequest> requests = new CopyOnWriteArrayList<>();
  final AtomicInteger calls = new AtomicInteger();
  private final List<Pending> pending = new CopyOnWriteArrayList<>();

  private record Pending(CompletableFuture<EdgeResponse> future, EdgeRequest request) {}

  private volatile Function<EdgeRequest, EdgeResponse> handler;
  private volatile boolean hold;

  FakeOrigin(Function<EdgeRequest, EdgeResponse> handler) {
    this.handler = handler;
  }

  static FakeOrigin answering(int status, String body, String... headers) {
    return new FakeOrigin(r -> response(status, body, headers));
  }

  static EdgeResponse response(int status, String body, String... headers) {
    return EdgeResponse.of(status, EdgeHeaders.of(headers), body.getBytes(StandardCharsets.UTF_8));
  }

  void respond(Function<EdgeRequest, EdgeResponse> newHandler) {
    this.handler = newHandler;
  }

  void respond(int status, String body, String... headers) {
    respond(r -> response(status, body, headers));
  }

  void fail(RuntimeException e) {
    respond(
        r -> {
          throw e;
        });
  }

  /** Subsequent fetches stay pending until {@link #release()}. */
  void hold() {
    hold = true;
  }

  /** Completes every held fetch with the current handler. */
  void release() {
    hold = false;
    List<Pending> snapshot = List.copyOf(pending);
    pending.clear();
    for (Pending p : snapshot) {
      complete(p.future(), p.request());
    }
  }

  int pendingCount() {
    return pending.size();
  }

  @Override
  public CompletionStage<EdgeResponse> fetch(EdgeRequest request) {
    calls.incrementAndGet();
    requests.add(request);
    CompletableFuture<EdgeResponse> f = new CompletableFuture<>();
    if (hold) {
      pending.add(new Pending(f, request));
    } else {
      complete(f, request);
    }
    return f;
  }

  private void complete(CompletableFuture<EdgeResponse> f, EdgeRequest request) {
    try {
      f.complete(handler.apply(request));
    } catch (RuntimeException e) {
      f.completeExceptionally(e);
    }
  }

  EdgeRequest last() {
    return requests.get(requests.size() - 1);
  }
}
