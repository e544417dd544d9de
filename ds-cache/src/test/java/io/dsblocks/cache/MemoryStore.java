package io.dsblocks.cache;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** An in-memory store that records every operation and can be told to fail. */
final class MemoryStore implements CacheStore<String, String> {
  /** One operation as the store saw it; value null = delete. */
  record Op(String key, String value) {}

  final Map<String, String> data = new ConcurrentHashMap<>();
  final List<Op> history = new CopyOnWriteArrayList<>();
  final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
  final AtomicInteger loads = new AtomicInteger();

  /** Number of upcoming batch/write calls that throw. */
  final AtomicInteger failNext = new AtomicInteger();

  volatile boolean failAlways;
  volatile Consumer<String> beforeWrite = k -> {};

  /** While non-null, batch calls announce themselves on {@link #batchStarted} and wait here. */
  volatile CountDownLatch gate;

  final Semaphore batchStarted = new Semaphore(0);

  private void pass() throws InterruptedException {
    CountDownLatch g = gate;
    if (g != null) {
      batchStarted.release();
      g.await();
    }
  }

  private void maybeFail() throws Exception {
    if (failAlways || failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new java.io.IOException("store unavailable");
    }
  }

  @Override
  public String load(String key) {
    loads.incrementAndGet();
    return data.get(key);
  }

  @Override
  public void write(String key, String value) throws Exception {
    beforeWrite.accept(key);
    maybeFail();
    data.put(key, value);
    history.add(new Op(key, value));
  }

  @Override
  public void delete(String key) throws Exception {
    beforeWrite.accept(key);
    maybeFail();
    data.remove(key);
    history.add(new Op(key, null));
  }

  @Override
  public void writeAll(Map<String, String> entries) throws Exception {
    pass();
    maybeFail();
    batchSizes.add(entries.size());
    for (Map.Entry<String, String> e : entries.entrySet()) {
      data.put(e.getKey(), e.getValue());
      history.add(new Op(e.getKey(), e.getValue()));
    }
  }

  @Override
  public void deleteAll(Collection<String> keys) throws Exception {
    pass();
    maybeFail();
    batchSizes.add(keys.size());
    for (String k : keys) {
      data.remove(k);
      history.add(new Op(k, null));
    }
  }

  List<String> historyOf(String key) {
    List<String> out = new ArrayList<>();
    for (Op op : history) {
      if (op.key().equals(key)) {
        out.add(op.value() == null ? "<deleted>" : op.value());
      }
    }
    return out;
  }
}
