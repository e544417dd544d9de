package io.dsblocks.cache.internal;

import com.github.benmanes.caffeine.cache.Ticker;
import io.dsblocks.cache.CacheListener;
import io.dsblocks.cache.CacheStore;
import io.dsblocks.cache.FsyncPolicy;
import io.dsblocks.cache.JournalReport;
import io.dsblocks.cache.OverflowPolicy;
import io.dsblocks.cache.WriteBackConfig;
import io.dsblocks.cache.WriteBackQueueFullException;
import io.dsblocks.cache.WriteFailureHandler;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The write-back queue and its single writer thread.
 *
 * <p>Pending writes live in an insertion-ordered map keyed by cache key: a new write to a queued
 * key replaces the queued operation in place (last write wins, a delete supersedes a put) and keeps
 * the key's place in line, so the map stays ordered by the oldest unstored operation of each key.
 * One writer thread takes batches from the head; a key whose batch is being stored is no longer in
 * the map, so a newer write to it waits for the next batch: per-key order is preserved without
 * per-key locks. Readers find queued or in-flight values in {@link #visible} without locking.
 *
 * <p>Locking: one {@link ReentrantLock} guards the pending map, sequence numbers and the journal;
 * the store is called without it. Puts wait on {@code notFull}, the writer on {@code work}, {@code
 * flush()} on {@code progress}.
 */
public final class WriteBehindQueue<K, V> implements AutoCloseable {
  private static final AtomicInteger THREAD_IDS = new AtomicInteger();

  /** One queued operation; {@code firstSeq} is the oldest write it absorbed (for flush). */
  static final class Op<V> {
    final V value;
    final boolean delete;
    final long seq;
    final long firstSeq;
    final long enqueuedAt;

    Op(V value, boolean delete, long seq, long firstSeq, long enqueuedAt) {
      this.value = value;
      this.delete = delete;
      this.seq = seq;
      this.firstSeq = firstSeq;
      this.enqueuedAt = enqueuedAt;
    }
  }

  private final String name;
  private final CacheStore<K, V> store;
  private final WriteBackConfig<K, V> config;
  private final Ticker ticker;
  private final CacheListener<K, V>[] listeners;
  private final WriteJournal<K, V> journal;
  private final JournalReport journalReport;
  private final long maxDelayNanos;
  private final long fsyncIntervalNanos;
  private final SplittableRandom random;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  private final Condition progress = lock.newCondition();
  private final LinkedHashMap<K, Op<V>> pending = new LinkedHashMap<>();
  private final ConcurrentHashMap<K, Op<V>> visible = new ConcurrentHashMap<>();
  private long nextSeq;
  private long inFlightFirstSeq = Long.MAX_VALUE;
  private final List<K> inFlightKeys = new ArrayList<>(); // the batch being stored, for compaction
  private final List<Op<V>> inFlightOps = new ArrayList<>();
  private long flushTarget;
  private long lastForce;
  private boolean closed;

  private final LongAdder coalesced = new LongAdder();
  private final LongAdder stored = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final Thread writer;

  WriteBehindQueue(
      String name,
      CacheStore<K, V> store,
      WriteBackConfig<K, V> config,
      Ticker ticker,
      CacheListener<K, V>[] listeners) {
    this.name = name;
    this.store = store;
    this.config = config;
    this.ticker = ticker;
    this.listeners = listeners;
    this.maxDelayNanos = config.maxDelay().toNanos();
    this.fsyncIntervalNanos = config.fsyncInterval().toNanos();
    this.random = new SplittableRandom(config.randomSeed());
    if (config.journal() != null) {
      WriteJournal.Recovered<K, V> opened =
          WriteJournal.open(config.journal(), config.keyCodec(), config.valueCodec());
      this.journal = opened.journal();
      WriteJournal.Recovery<K, V> recovery = opened.recovery();
      this.journalReport = recovery.report();
      this.nextSeq = recovery.maxSeq();
      long now = ticker.read();
      for (WriteJournal.Replayed<K, V> r : recovery.pending()) {
        Op<V> op = new Op<>(r.value(), r.delete(), r.seq(), r.seq(), now);
        pending.put(r.key(), op);
        visible.put(r.key(), op);
      }
    } else {
      this.journal = null;
      this.journalReport = null;
    }
    ThreadFactory factory = config.threadFactory();
    if (factory == null) {
      factory =
          r -> {
            Thread t = new Thread(r, "dsblocks-cache-writer-" + THREAD_IDS.incrementAndGet());
            t.setDaemon(true);
            return t;
          };
    }
    this.writer = factory.newThread(this::runWriter);
    if (writer == null) {
      throw new IllegalStateException("threadFactory returned null for cache '" + name + "'");
    }
    writer.start();
  }

  /** Returns what the journal held at start, or null without a journal. */
  JournalReport journalReport() {
    return journalReport;
  }

  /**
   * Queues a write; returns when it is queued (and journaled). Throws, leaving nothing queued, if
   * the queue stays full or the journal append fails.
   */
  void enqueue(K key, V value, boolean delete) {
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("write-back cache '" + name + "' is closed");
      }
      Op<V> prior = pending.get(key);
      if (prior == null && pending.size() >= config.maxPending()) {
        awaitRoom(key);
        prior = pending.get(key);
      }
      long seq = nextSeq + 1;
      if (journal != null) {
        journal.appendWrite(seq, key, value, delete);
        if (config.fsyncPolicy() == FsyncPolicy.EVERY_WRITE) {
          journal.force();
        }
      }
      nextSeq = seq;
      Op<V> op =
          prior == null
              ? new Op<>(value, delete, seq, seq, ticker.read())
              : new Op<>(value, delete, seq, prior.firstSeq, prior.enqueuedAt);
      if (prior != null) {
        coalesced.increment();
      }
      pending.put(key, op); // replacing keeps the key's place in insertion order
      visible.put(key, op);
      maybeCompact();
      // Wake the writer only when its decision can change: a first write starts the delay clock,
      // a full batch is due now. Waking it on every put would cost a context switch per put.
      if (maxDelayNanos == 0
          || (prior == null && pending.size() == 1)
          || pending.size() >= config.maxBatchSize()) {
        work.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Rewrites the journal with only the writes not yet stored (in flight, then queued) once it
   * exceeds the configured size, so a queue that never drains cannot grow it without bound. Runs
   * under the lock; costs one record per outstanding key (at most maxPending + maxBatchSize).
   */
  private void maybeCompact() {
    if (journal == null || journal.size() < config.journalCompactionBytes()) {
      return;
    }
    List<WriteJournal.Replayed<K, V>> live = new ArrayList<>(inFlightKeys.size() + pending.size());
    for (int i = 0; i < inFlightKeys.size(); i++) {
      Op<V> op = inFlightOps.get(i);
      live.add(new WriteJournal.Replayed<>(inFlightKeys.get(i), op.value, op.delete, op.seq));
    }
    for (Map.Entry<K, Op<V>> e : pending.entrySet()) {
      Op<V> op = e.getValue();
      live.add(new WriteJournal.Replayed<>(e.getKey(), op.value, op.delete, op.seq));
    }
    journal.rewrite(live);
  }

  private void awaitRoom(K key) {
    if (config.overflowPolicy() == OverflowPolicy.FAIL_FAST) {
      throw full(key, 0);
    }
    long timeout = config.offerTimeout().toNanos();
    long nanos = timeout;
    try {
      while (pending.size() >= config.maxPending() && !pending.containsKey(key) && !closed) {
        if (nanos <= 0) {
          throw full(key, timeout);
        }
        nanos = notFull.awaitNanos(nanos);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WriteBackQueueFullException(
          "interrupted while waiting for room in the write-back queue of cache '" + name + "'");
    }
    if (closed) {
      throw new IllegalStateException("write-back cache '" + name + "' is closed");
    }
  }

  private WriteBackQueueFullException full(K key, long waitedNanos) {
    return new WriteBackQueueFullException(
        "write-back queue of cache '"
            + name
            + "' is full ("
            + config.maxPending()
            + " pending keys, policy "
            + config.overflowPolicy()
            + ", waited "
            + TimeUnit.NANOSECONDS.toMillis(waitedNanos)
            + " ms); write to key "
            + key
            + " refused");
  }

  /** Returns the queued or in-flight operation of {@code key}, or null. Lock-free. */
  Op<V> lookup(K key) {
    return visible.get(key);
  }

  long pendingCount() {
    lock.lock();
    try {
      return pending.size();
    } finally {
      lock.unlock();
    }
  }

  long coalescedCount() {
    return coalesced.sum();
  }

  long storedCount() {
    return stored.sum();
  }

  long failedCount() {
    return failed.sum();
  }

  /** Waits until every write queued before the call is stored or given up on. */
  boolean flush(long timeout, TimeUnit unit) throws InterruptedException {
    long nanos = unit.toNanos(timeout);
    lock.lock();
    try {
      long target = nextSeq;
      if (target > flushTarget) {
        flushTarget = target;
        work.signal();
      }
      while (oldestOutstanding() <= target) {
        if (nanos <= 0) {
          return false;
        }
        nanos = progress.awaitNanos(nanos);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  private long oldestOutstanding() {
    long oldest = inFlightFirstSeq;
    if (!pending.isEmpty()) {
      oldest = Math.min(oldest, pending.values().iterator().next().firstSeq);
    }
    return oldest;
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      work.signal();
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
    boolean interrupted = false;
    while (writer.isAlive()) {
      try {
        writer.join();
      } catch (InterruptedException e) {
        interrupted = true; // draining is what close() promises; finish it, then re-interrupt
      }
    }
    if (journal != null) {
      journal.close();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void runWriter() {
    List<K> keys = new ArrayList<>();
    List<Op<V>> ops = new ArrayList<>();
    while (true) {
      keys.clear();
      ops.clear();
      lock.lock();
      try {
        if (!awaitBatch()) {
          return;
        }
        Iterator<Map.Entry<K, Op<V>>> it = pending.entrySet().iterator();
        while (it.hasNext() && keys.size() < config.maxBatchSize()) {
          Map.Entry<K, Op<V>> e = it.next();
          keys.add(e.getKey());
          ops.add(e.getValue());
          it.remove();
        }
        inFlightFirstSeq = ops.get(0).firstSeq;
        inFlightKeys.addAll(keys);
        inFlightOps.addAll(ops);
        notFull.signalAll();
      } finally {
        lock.unlock();
      }
      Throwable error = storeWithRetries(keys, ops);
      if (error != null) {
        giveUp(keys, ops, error);
      }
      lock.lock();
      try {
        for (int i = 0; i < keys.size(); i++) {
          visible.remove(keys.get(i), ops.get(i));
          if (journal != null) {
            journal.appendDone(ops.get(i).seq);
          }
        }
        stored.add(error == null ? keys.size() : 0);
        inFlightFirstSeq = Long.MAX_VALUE;
        inFlightKeys.clear();
        inFlightOps.clear();
        if (journal != null && pending.isEmpty()) {
          journal.reset(); // everything journaled is stored: keep the file small
        } else {
          maybeCompact();
        }
        progress.signalAll();
      } catch (RuntimeException e) {
        // A failed DONE append only means the write is replayed (idempotently) after a restart.
        inFlightFirstSeq = Long.MAX_VALUE;
        inFlightKeys.clear();
        inFlightOps.clear();
        progress.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * Waits (holding the lock) until a batch should be taken: full, old enough, flush requested or
   * closing. Returns false when closed and drained. Forces the journal on the interval policy.
   */
  private boolean awaitBatch() {
    while (true) {
      maybeForce();
      if (pending.isEmpty()) {
        if (closed) {
          return false;
        }
        awaitUninterruptibly(journalDirtyWait());
        continue;
      }
      Op<V> head = pending.values().iterator().next();
      if (closed || pending.size() >= config.maxBatchSize() || flushTarget >= head.firstSeq) {
        return true;
      }
      long wait = maxDelayNanos - (ticker.read() - head.enqueuedAt);
      if (wait <= 0) {
        return true;
      }
      awaitUninterruptibly(Math.min(wait, journalDirtyWait()));
    }
  }

  private long journalDirtyWait() {
    return journal != null && config.fsyncPolicy() == FsyncPolicy.INTERVAL
        ? fsyncIntervalNanos
        : Long.MAX_VALUE;
  }

  private void maybeForce() {
    if (journal != null && config.fsyncPolicy() == FsyncPolicy.INTERVAL) {
      long now = ticker.read();
      if (now - lastForce >= fsyncIntervalNanos) {
        try {
          journal.force();
        } catch (RuntimeException e) {
          // Retried at the next interval; the records are still in the page cache.
        }
        lastForce = now;
      }
    }
  }

  private void awaitUninterruptibly(long nanos) {
    try {
      if (nanos == Long.MAX_VALUE) {
        work.await();
      } else {
        work.awaitNanos(nanos);
      }
    } catch (InterruptedException e) {
      // The writer is owned by the cache and stops only through close(), which drains first.
    }
  }

  /** Returns null on success, else the last error after all attempts. */
  private Throwable storeWithRetries(List<K> keys, List<Op<V>> ops) {
    Map<K, V> puts = new LinkedHashMap<>();
    List<K> deletes = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      if (ops.get(i).delete) {
        deletes.add(keys.get(i));
      } else {
        puts.put(keys.get(i), ops.get(i).value);
      }
    }
    Throwable last = null;
    for (int attempt = 1; attempt <= config.maxAttempts(); attempt++) {
      try {
        if (!puts.isEmpty()) {
          store.writeAll(puts);
        }
        if (!deletes.isEmpty()) {
          store.deleteAll(deletes);
        }
        return null;
      } catch (Exception e) {
        last = e;
      }
      if (attempt < config.maxAttempts()) {
        for (CacheListener<K, V> l : listeners) {
          try {
            l.onWriteBackRetry(keys.size(), attempt, last);
          } catch (RuntimeException ignored) {
            // a listener must not break the writer
          }
        }
        backoff(attempt);
      }
    }
    return last;
  }

  private void backoff(int attempt) {
    long base = config.initialBackoff().toNanos();
    long cap = config.maxBackoff().toNanos();
    long delay = attempt >= 62 ? cap : Math.min(cap, base << Math.min(attempt - 1, 30));
    double factor = 1.0 + config.jitter() * (2.0 * random.nextDouble() - 1.0);
    long nanos = (long) (delay * factor);
    if (nanos > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(nanos);
      } catch (InterruptedException e) {
        // not interruptible: see awaitUninterruptibly
      }
    }
  }

  private void giveUp(List<K> keys, List<Op<V>> ops, Throwable error) {
    failed.add(keys.size());
    WriteFailureHandler<K, V> handler = config.failureHandler();
    if (handler == null) {
      return;
    }
    for (int i = 0; i < keys.size(); i++) {
      Op<V> op = ops.get(i);
      try {
        handler.onFailure(keys.get(i), op.delete ? null : op.value, error, config.maxAttempts());
      } catch (RuntimeException ignored) {
        // the handler must not stop the writer
      }
    }
  }
}
