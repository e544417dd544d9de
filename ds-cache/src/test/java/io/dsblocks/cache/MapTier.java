package io.dsblocks.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** An in-memory {@link CacheTier} for tests: records calls, can fail or block on demand. */
final class MapTier implements CacheTier<String, String> {
  final Map<String, String> data = new ConcurrentHashMap<>();
  final Map<String, Duration> ttls = new ConcurrentHashMap<>();
  final List<String> calls = Collections.synchronizedList(new ArrayList<>());
  final AtomicBoolean down = new AtomicBoolean();
  final AtomicInteger gets = new AtomicInteger();
  private final String name;
  private final boolean shared;
  volatile CountDownLatch getEntered;
  volatile CountDownLatch releaseGet;
  volatile CountDownLatch putEntered;
  volatile CountDownLatch releasePut;

  MapTier(String name, boolean shared) {
    this.name = name;
    this.shared = shared;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean shared() {
    return shared;
  }

  @Override
  public String get(String key) {
    gets.incrementAndGet();
    check("get " + key);
    String value = data.get(key);
    CountDownLatch entered = getEntered;
    if (entered != null) {
      entered.countDown();
      try {
        releaseGet.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return value;
  }

  @Override
  public void put(String key, String value, Duration ttl) {
    check("put " + key + "=" + value);
    CountDownLatch entered = putEntered;
    if (entered != null) {
      putEntered = null; // only the first put blocks
      entered.countDown();
      try {
        releasePut.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    data.put(key, value);
    if (ttl != null) {
      ttls.put(key, ttl);
    }
  }

  @Override
  public void putIfAbsent(String key, String value, Duration ttl) {
    check("putIfAbsent " + key + "=" + value);
    if (data.putIfAbsent(key, value) == null && ttl != null) {
      ttls.put(key, ttl);
    }
  }

  @Override
  public void remove(String key) {
    check("remove " + key);
    data.remove(key);
  }

  @Override
  public void clear() {
    check("clear");
    data.clear();
  }

  private void check(String call) {
    calls.add(call);
    if (down.get()) {
      throw new CacheTierException("tier " + name + " is down", null);
    }
  }
}
