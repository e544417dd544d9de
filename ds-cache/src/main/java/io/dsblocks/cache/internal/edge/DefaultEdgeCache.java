package io.dsblocks.cache.internal.edge;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.dsblocks.cache.edge.EdgeCache;
import io.dsblocks.cache.edge.EdgeCacheConfig;
import io.dsblocks.cache.edge.EdgeCacheEvent;
import io.dsblocks.cache.edge.EdgeCacheListener;
import io.dsblocks.cache.edge.EdgeCacheStats;
import io.dsblocks.cache.edge.EdgeHeaders;
import io.dsblocks.cache.edge.EdgeRequest;
import io.dsblocks.cache.edge.EdgeResponse;
import io.dsblocks.cache.edge.EdgeResult;
import io.dsblocks.cache.edge.Origin;
import io.dsblocks.cache.edge.OriginException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The edge cache. One Caffeine cache maps a key to a {@link VariantSet}; two secondary indexes
 * (keys in a sorted skip list for prefix purges, tag to keys for tag purges) are updated only
 * inside Caffeine's per-key atomic sections (compute and the eviction listener), so an index entry
 * exists exactly while its key is mapped: no orphans, and purges find every entry.
 *
 * <p>Caffeine expiry is deliberately not used: a stale entry is still valuable (stale serving,
 * conditional revalidation), and removing it from inside Caffeine's expiry path would race the
 * index. Entries past their retention are dropped when next read, or by size eviction; the memory
 * bound holds either way.
 */
public final class DefaultEdgeCache implements EdgeCache {

  private static final EdgeCacheEvent[] EVENTS = EdgeCacheEvent.values();
  private static final List<String> CLIENT_CONDITIONALS =
      List.of("if-none-match", "if-modified-since", "if-match", "if-unmodified-since", "if-range");

  private final EdgeCacheConfig config;
  private final InstantSource clock;
  private final Origin origin;
  private final EdgeCacheListener listener;
  private final long keepStaleMs;
  private final LongAdder[] counters = new LongAdder[EVENTS.length];
  private final Cache<String, VariantSet> cache;
  private final ConcurrentSkipListSet<String> keyIndex = new ConcurrentSkipListSet<>();
  private final ConcurrentMap<String, Set<String>> tagIndex = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Flight> inFlight = new ConcurrentHashMap<>();

  /**
   * Bumped by every purge and publish. A pull fill records it when it starts and stores only if it
   * is unchanged, checked inside the key's compute: a response fetched before a purge can never
   * resurrect purged content. Global rather than per key to keep purges O(matches); the price is
   * that a fill racing any purge is served but not stored (one extra miss).
   */
  private final AtomicLong writeEpoch = new AtomicLong();

  /**
   * Creates the cache.
   *
   * @param config validated configuration
   */
  public DefaultEdgeCache(EdgeCacheConfig config) {
    this.config = config;
    this.clock = config.clock();
    this.origin = config.origin();
    this.listener = config.listener();
    this.keepStaleMs = config.keepStale().toMillis();
    for (int i = 0; i < counters.length; i++) {
      counters[i] = new LongAdder();
    }
    this.cache =
        Caffeine.newBuilder()
            // Maintenance on the calling thread: no hidden global pool, and the memory bound is
            // enforced before a write returns.
            .executor(Runnable::run)
            .maximumWeight(config.maximumBytes())
            .weigher((String k, VariantSet v) -> v.weight())
            .evictionListener(
                (String k, VariantSet v, com.github.benmanes.caffeine.cache.RemovalCause cause) -> {
                  if (k != null && v != null) {
                    unindex(k, v.tags(), Set.of());
                    keyIndex.remove(k);
                    emit(EdgeCacheEvent.EVICTED, k);
                  }
                })
            .build();
  }

  // ---------------------------------------------------------------- pull

  @Override
  public CompletionStage<EdgeResult> get(EdgeRequest request) {
    Objects.requireNonNull(request, "request");
    if (origin == null) {
      throw new IllegalStateException(
          "edge cache '" + config.name() + "' has no origin (push-only); use lookup()");
    }
    return get(request, origin);
  }

  @Override
  public CompletionStage<EdgeResult> get(EdgeRequest request, Origin callOrigin) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(callOrigin, "origin");
    String key = keyOf(request);
    switch (request.method()) {
      case "GET":
        return getOrFetch(request, key, 0, callOrigin);
      case "HEAD":
        Optional<EdgeResult> hit = lookup(request);
        if (hit.isPresent()) {
          return CompletableFuture.completedFuture(hit.get());
        }
        return passThrough(request, key, false, callOrigin);
      case "POST":
      case "PUT":
      case "DELETE":
      case "PATCH":
        return passThrough(request, key, true, callOrigin);
      default:
        return passThrough(request, key, false, callOrigin);
    }
  }

  @Override
  public EdgeCacheConfig config() {
    return config;
  }

  @Override
  public Optional<EdgeResult> lookup(EdgeRequest request) {
    Objects.requireNonNull(request, "request");
    String key = keyOf(request);
    long now = clock.millis();
    Variant v = select(key, request, now);
    if (v != null && v.isFresh(now)) {
      emit(EdgeCacheEvent.HIT, key);
      return Optional.of(serve(request, v, now, EdgeResult.Status.HIT));
    }
    emit(EdgeCacheEvent.MISS, key);
    return Optional.empty();
  }

  private CompletionStage<EdgeResult> getOrFetch(
      EdgeRequest request, String key, int attempt, Origin callOrigin) {
    long now = clock.millis();
    VariantSet set = cache.getIfPresent(key);
    Variant v = set == null ? null : selectLive(key, set, request, now);
    if (v != null) {
      if (v.isFresh(now)) {
        emit(EdgeCacheEvent.HIT, key);
        return CompletableFuture.completedFuture(serve(request, v, now, EdgeResult.Status.HIT));
      }
      if (v.canServeStaleWhileRevalidate(now)) {
        emit(EdgeCacheEvent.STALE_WHILE_REVALIDATE, key);
        // Fire and forget: flights never complete exceptionally, and joiners share this one.
        flight(key, flightKey(key, v.varyNames(), request), request, v, callOrigin);
        return CompletableFuture.completedFuture(serve(request, v, now, EdgeResult.Status.STALE));
      }
    } else {
      emit(EdgeCacheEvent.MISS, key);
    }
    List<String> varyNames = v != null ? v.varyNames() : set != null ? set.varyNames() : List.of();
    Joined joined = flight(key, flightKey(key, varyNames, request), request, v, callOrigin);
    final Variant prior = v;
    return joined.flight.future.thenCompose(
        fill -> answer(fill, request, key, prior, joined.leader, attempt, callOrigin));
  }

  /** Turns a finished fetch into this requester's result. */
  private CompletionStage<EdgeResult> answer(
      Fill fill,
      EdgeRequest request,
      String key,
      Variant prior,
      boolean leader,
      int attempt,
      Origin callOrigin) {
    long now = clock.millis();
    if (fill.error != null || fill.originFailed) {
      if (prior != null && prior.canServeStaleIfError(now)) {
        emit(EdgeCacheEvent.STALE_IF_ERROR, key);
        return CompletableFuture.completedFuture(
            serve(request, prior, now, EdgeResult.Status.STALE));
      }
      if (fill.error != null) {
        return CompletableFuture.failedFuture(new OriginException(key, fill.error));
      }
      return CompletableFuture.completedFuture(
          new EdgeResult(fill.response, EdgeResult.Status.PASS));
    }
    if (fill.variant != null) {
      if (fill.variant.matches(request)) {
        EdgeResult.Status status =
            prior == null ? EdgeResult.Status.MISS : EdgeResult.Status.REVALIDATED;
        return CompletableFuture.completedFuture(serve(request, fill.variant, now, status));
      }
      // The response varies on a field where this waiter differs from the leader: look again,
      // now that the Vary names are known the next fetch is keyed per variant.
      if (attempt == 0) {
        return getOrFetch(request, key, 1, callOrigin);
      }
      return passThrough(request, key, false, callOrigin);
    }
    if (leader) {
      return CompletableFuture.completedFuture(
          conditional(request, fill.response, EdgeResult.Status.PASS));
    }
    // Not storable, so possibly personalised: a waiter must not see the leader's response.
    return passThrough(request, key, false, callOrigin);
  }

  private record Joined(Flight flight, boolean leader) {}

  private static final class Flight {
    final CompletableFuture<Fill> future = new CompletableFuture<>();
  }

  /**
   * The outcome of one origin fetch. {@code variant} is set when the response is shareable (stored,
   * or a 304-refreshed entry); otherwise {@code response} is the raw origin answer.
   */
  private record Fill(
      EdgeResponse response, Variant variant, Throwable error, boolean originFailed) {}

  private Joined flight(
      String key, String flightKey, EdgeRequest request, Variant prior, Origin callOrigin) {
    Flight mine = new Flight();
    Flight existing = inFlight.putIfAbsent(flightKey, mine);
    if (existing != null) {
      emit(EdgeCacheEvent.COALESCED_WAIT, key);
      return new Joined(existing, false);
    }
    // Double-check: the previous flight for this key may have stored its response and left the
    // map between our cache read and our putIfAbsent. Fills store before they leave, so this
    // read sees it and we avoid a second origin fetch.
    long requestTime = clock.millis();
    Variant current = select(key, request, requestTime);
    if (current != null && current != prior && current.isFresh(requestTime)) {
      inFlight.remove(flightKey, mine);
      mine.future.complete(new Fill(null, current, null, false));
      return new Joined(mine, true);
    }
    long epoch = writeEpoch.get();
    EdgeRequest originRequest = originRequest(request, prior);
    emit(EdgeCacheEvent.ORIGIN_FETCH, key);
    callOrigin(callOrigin, originRequest)
        .whenComplete(
            (response, error) -> {
              Fill fill;
              try {
                fill = process(key, request, prior, response, error, requestTime, epoch);
              } catch (RuntimeException e) {
                fill = new Fill(null, null, e, false);
              }
              // Remove before completing: a request arriving after completion must see the
              // stored entry or start a new fetch, never join a finished one.
              inFlight.remove(flightKey, mine);
              mine.future.complete(fill);
            });
    return new Joined(mine, true);
  }

  private Fill process(
      String key,
      EdgeRequest request,
      Variant prior,
      EdgeResponse response,
      Throwable error,
      long requestTime,
      long epoch) {
    if (error != null) {
      emit(EdgeCacheEvent.ORIGIN_ERROR, key);
      return new Fill(null, null, unwrap(error), false);
    }
    long responseTime = clock.millis();
    if (prior != null && response.status() == 304) {
      emit(EdgeCacheEvent.REVALIDATED_NOT_MODIFIED, key);
      EdgeResponse merged = Freshness.merge304(prior.response(), response);
      Variant refreshed =
          Freshness.toVariant(
              request,
              merged,
              requestTime,
              responseTime,
              prior.tags(),
              config.tagHeaders(),
              keepStaleMs,
              false);
      store(key, refreshed, epoch);
      return new Fill(null, refreshed, null, false);
    }
    if (response.status() >= 500) {
      emit(EdgeCacheEvent.ORIGIN_ERROR, key);
      if (prior != null) {
        return new Fill(response, null, null, true);
      }
    }
    if (prior != null) {
      emit(EdgeCacheEvent.REVALIDATED_MODIFIED, key);
    }
    String why = Freshness.whyNotStorable(request, response, false);
    if (why == null && response.bodyLength() > config.maxObjectBytes()) {
      why = "body of " + response.bodyLength() + " bytes exceeds maxObjectBytes";
    }
    Variant v = null;
    if (why == null) {
      v =
          Freshness.toVariant(
              request,
              response,
              requestTime,
              responseTime,
              List.of(),
              config.tagHeaders(),
              keepStaleMs,
              false);
      if (v.retainUntil() <= responseTime) {
        why = "stale on arrival without validator or stale window";
        v = null;
      }
    }
    if (v == null) {
      emit(EdgeCacheEvent.PASS, key);
      if (prior != null) {
        // The origin now answers with something we may not store: the old entry is obsolete.
        removeVariant(key, prior);
      }
      return new Fill(response, null, null, false);
    }
    store(key, v, epoch);
    return new Fill(null, v, null, false);
  }

  private static CompletionStage<EdgeResponse> callOrigin(Origin origin, EdgeRequest request) {
    try {
      CompletionStage<EdgeResponse> stage = origin.fetch(request);
      if (stage == null) {
        return CompletableFuture.failedFuture(
            new NullPointerException("origin returned a null stage"));
      }
      return stage.thenApply(
          r -> Objects.requireNonNull(r, "origin completed with a null response"));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private CompletionStage<EdgeResult> passThrough(
      EdgeRequest request, String key, boolean invalidates, Origin callOrigin) {
    emit(EdgeCacheEvent.ORIGIN_FETCH, key);
    emit(EdgeCacheEvent.PASS, key);
    return callOrigin(callOrigin, request)
        .handle(
            (response, error) -> {
              if (error != null) {
                emit(EdgeCacheEvent.ORIGIN_ERROR, key);
                throw new OriginException(key, unwrap(error));
              }
              // RFC 9111 section 4.4: a non-error response to an unsafe method invalidates.
              if (invalidates && response.status() < 400) {
                removeKey(key, false);
              }
              return new EdgeResult(response, EdgeResult.Status.PASS);
            });
  }

  private static Throwable unwrap(Throwable t) {
    return (t instanceof CompletionException && t.getCause() != null) ? t.getCause() : t;
  }

  private EdgeRequest originRequest(EdgeRequest request, Variant prior) {
    EdgeHeaders.Builder b = request.headers().toBuilder();
    // The client's own conditionals are answered by the cache; the origin must send a full
    // response we can store.
    for (String h : CLIENT_CONDITIONALS) {
      b.remove(h);
    }
    if (prior != null) {
      if (prior.etag() != null) {
        b.set("If-None-Match", prior.etag());
      }
      if (prior.lastModified() != null) {
        b.set("If-Modified-Since", prior.lastModified());
      }
    }
    return new EdgeRequest("GET", request.uri(), b.build());
  }

  // ---------------------------------------------------------------- serving

  private EdgeResult serve(EdgeRequest request, Variant v, long now, EdgeResult.Status status) {
    EdgeResponse r = v.response();
    long age = v.currentAge(now) / 1000;
    boolean head = "HEAD".equals(request.method());
    EdgeResponse out = head ? null : v.memo().get(age);
    if (out == null) {
      EdgeHeaders h = r.headers().with("Age", Long.toString(age));
      out = head ? r.withoutBody(r.status(), h) : r.withHeaders(h);
      if (!head) {
        v.memo().set(age, out);
      }
    }
    return conditional(request, out, status);
  }

  /** Answers the client's If-None-Match / If-Modified-Since (RFC 9110 section 13.2.2). */
  private static EdgeResult conditional(
      EdgeRequest request, EdgeResponse response, EdgeResult.Status status) {
    if (response.status() != 200) {
      return new EdgeResult(response, status);
    }
    EdgeHeaders rq = request.headers();
    boolean notModified;
    String inm = rq.combined("if-none-match");
    if (inm != null) {
      notModified = Freshness.weakMatch(inm, response.headers().first("etag"));
    } else {
      long ims = HttpDates.parse(rq.first("if-modified-since"));
      long lm = HttpDates.parse(response.headers().first("last-modified"));
      notModified = ims != HttpDates.INVALID && lm != HttpDates.INVALID && lm <= ims;
    }
    if (!notModified) {
      return new EdgeResult(response, status);
    }
    EdgeHeaders h = response.headers().without("content-length");
    return new EdgeResult(response.withoutBody(304, h), status);
  }

  // ---------------------------------------------------------------- push

  @Override
  public boolean publish(EdgeRequest request, EdgeResponse response, Collection<String> tags) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(response, "response");
    Objects.requireNonNull(tags, "tags");
    String key = keyOf(request);
    String why = Freshness.whyNotStorable(request, response, true);
    if (why == null && response.bodyLength() > config.maxObjectBytes()) {
      why = "too large";
    }
    long now = clock.millis();
    Variant v = null;
    if (why == null) {
      v =
          Freshness.toVariant(
              request, response, now, now, tags, config.tagHeaders(), keepStaleMs, true);
      if (v.retainUntil() <= now) {
        v = null;
      }
    }
    if (v == null) {
      emit(EdgeCacheEvent.PASS, key);
      return false;
    }
    // A publish supersedes any fill in flight, exactly like a purge.
    writeEpoch.incrementAndGet();
    return store(key, v, -1);
  }

  @Override
  public int purge(String key) {
    Objects.requireNonNull(key, "key");
    writeEpoch.incrementAndGet();
    return removeKey(key, true) ? 1 : 0;
  }

  @Override
  public int purgePrefix(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    writeEpoch.incrementAndGet();
    // tailSet walk: O(log n) to find the first key, then one step per match.
    List<String> matches = new ArrayList<>();
    for (String k : keyIndex.tailSet(prefix, true)) {
      if (!k.startsWith(prefix)) {
        break;
      }
      matches.add(k);
    }
    int n = 0;
    for (String k : matches) {
      if (removeKey(k, true)) {
        n++;
      }
    }
    return n;
  }

  @Override
  public int purgeTag(String tag) {
    Objects.requireNonNull(tag, "tag");
    writeEpoch.incrementAndGet();
    Set<String> keys = tagIndex.get(tag);
    if (keys == null) {
      return 0;
    }
    List<String> snapshot;
    synchronized (keys) {
      snapshot = new ArrayList<>(keys);
    }
    int n = 0;
    for (String k : snapshot) {
      if (removeKey(k, true)) {
        n++;
      }
    }
    return n;
  }

  // ---------------------------------------------------------------- storage and indexes

  /**
   * Stores a variant. Index additions happen before the epoch check, so a purge that bumps the
   * epoch after the check is guaranteed to find (and remove) this key.
   */
  private boolean store(String key, Variant v, long epoch) {
    boolean[] stored = {false};
    cache
        .asMap()
        .compute(
            key,
            (k, old) -> {
              VariantSet next =
                  old == null ? VariantSet.of(k, v) : old.with(k, v, config.maxVariantsPerKey());
              keyIndex.add(k);
              index(k, next.tags());
              Set<String> oldTags = old == null ? Set.of() : old.tags();
              if (epoch >= 0 && writeEpoch.get() != epoch) {
                unindex(k, next.tags(), oldTags);
                if (old == null) {
                  keyIndex.remove(k);
                }
                return old;
              }
              unindex(k, oldTags, next.tags());
              stored[0] = true;
              return next;
            });
    if (stored[0]) {
      emit(EdgeCacheEvent.STORED, key);
    } else {
      emit(EdgeCacheEvent.PASS, key);
    }
    return stored[0];
  }

  private boolean removeKey(String key, boolean purge) {
    boolean[] removed = {false};
    cache
        .asMap()
        .computeIfPresent(
            key,
            (k, old) -> {
              unindex(k, old.tags(), Set.of());
              keyIndex.remove(k);
              removed[0] = true;
              return null;
            });
    if (removed[0] && purge) {
      emit(EdgeCacheEvent.PURGED, key);
    }
    return removed[0];
  }

  private void removeVariant(String key, Variant v) {
    cache
        .asMap()
        .computeIfPresent(
            key,
            (k, old) -> {
              VariantSet next = old.without(k, v);
              if (next == old) {
                return old;
              }
              Set<String> nextTags = next == null ? Set.of() : next.tags();
              unindex(k, old.tags(), nextTags);
              if (next == null) {
                keyIndex.remove(k);
              }
              return next;
            });
  }

  private void index(String key, Set<String> tags) {
    for (String t : tags) {
      tagIndex.compute(
          t,
          (tag, keys) -> {
            Set<String> s = keys == null ? new HashSet<>() : keys;
            synchronized (s) {
              s.add(key);
            }
            return s;
          });
    }
  }

  /** Removes {@code key} from every tag in {@code tags} that is not in {@code keep}. */
  private void unindex(String key, Set<String> tags, Set<String> keep) {
    for (String t : tags) {
      if (keep.contains(t)) {
        continue;
      }
      tagIndex.computeIfPresent(
          t,
          (tag, keys) -> {
            synchronized (keys) {
              keys.remove(key);
              return keys.isEmpty() ? null : keys;
            }
          });
    }
  }

  private Variant select(String key, EdgeRequest request, long now) {
    VariantSet set = cache.getIfPresent(key);
    return set == null ? null : selectLive(key, set, request, now);
  }

  private Variant selectLive(String key, VariantSet set, EdgeRequest request, long now) {
    Variant v = set.select(request);
    if (v != null && now >= v.retainUntil()) {
      removeVariant(key, v);
      emit(EdgeCacheEvent.EVICTED, key);
      return null;
    }
    return v;
  }

  private String keyOf(EdgeRequest request) {
    String key = config.keyFunction().apply(request);
    if (key == null) {
      throw new NullPointerException("keyFunction returned null for " + request.uri());
    }
    return key;
  }

  private static String flightKey(String key, List<String> varyNames, EdgeRequest request) {
    if (varyNames.isEmpty()) {
      return key;
    }
    StringBuilder sb = new StringBuilder(key);
    for (String n : varyNames) {
      sb.append('\u0000').append(Variant.normalise(request.headers(), n));
    }
    return sb.toString();
  }

  private void emit(EdgeCacheEvent event, String key) {
    counters[event.ordinal()].increment();
    if (listener != null) {
      try {
        listener.onEvent(event, key);
      } catch (RuntimeException ignored) {
        // A faulty listener must not break serving; documented on EdgeCacheListener.
      }
    }
  }

  // ---------------------------------------------------------------- introspection

  @Override
  public EdgeCacheStats stats() {
    cache.cleanUp();
    return new EdgeCacheStats(
        count(EdgeCacheEvent.HIT),
        count(EdgeCacheEvent.MISS),
        count(EdgeCacheEvent.STALE_WHILE_REVALIDATE),
        count(EdgeCacheEvent.STALE_IF_ERROR),
        count(EdgeCacheEvent.REVALIDATED_NOT_MODIFIED),
        count(EdgeCacheEvent.REVALIDATED_MODIFIED),
        count(EdgeCacheEvent.COALESCED_WAIT),
        count(EdgeCacheEvent.ORIGIN_FETCH),
        count(EdgeCacheEvent.ORIGIN_ERROR),
        count(EdgeCacheEvent.PASS),
        count(EdgeCacheEvent.STORED),
        count(EdgeCacheEvent.PURGED),
        count(EdgeCacheEvent.EVICTED),
        cache.estimatedSize(),
        cache.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L));
  }

  private long count(EdgeCacheEvent e) {
    return counters[e.ordinal()].sum();
  }

  /**
   * Test hook: keys in the prefix index.
   *
   * @return a snapshot
   */
  public Set<String> indexedKeys() {
    return Set.copyOf(keyIndex);
  }

  /**
   * Test hook: the tag index, copied.
   *
   * @return tag to keys
   */
  public java.util.Map<String, Set<String>> indexedTags() {
    java.util.Map<String, Set<String>> copy = new java.util.HashMap<>();
    tagIndex.forEach(
        (t, keys) -> {
          synchronized (keys) {
            copy.put(t, Set.copyOf(keys));
          }
        });
    return copy;
  }

  /**
   * Test hook: the keys stored and their tags, after pending maintenance.
   *
   * @return key to tags
   */
  public java.util.Map<String, Set<String>> storedTags() {
    cache.cleanUp();
    java.util.Map<String, Set<String>> copy = new java.util.HashMap<>();
    cache.asMap().forEach((k, v) -> copy.put(k, v.tags()));
    return copy;
  }
}
