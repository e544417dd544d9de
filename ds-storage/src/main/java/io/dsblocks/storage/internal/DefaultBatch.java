package io.dsblocks.storage.internal;

import io.dsblocks.storage.ObjectInfo;
import io.dsblocks.storage.ObjectStore;
import io.dsblocks.storage.StorageException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.Lock;

/**
 * {@link ObjectStore.Batch}: puts share one {@link CommitGroup}. The store's gate is taken per
 * call, not for the batch's lifetime, so an open batch never blocks {@link
 * DefaultObjectStore#close()}.
 *
 * <p>Not thread-safe.
 */
final class DefaultBatch implements ObjectStore.Batch {
  private final DefaultObjectStore store;
  private final CommitGroup group;
  private boolean done;

  DefaultBatch(DefaultObjectStore store) {
    this.store = store;
    this.group = new CommitGroup(store);
  }

  private void checkOpen() {
    if (done) {
      throw new IllegalStateException("batch was already committed or closed");
    }
  }

  @Override
  public void put(String key, InputStream data, Map<String, String> metadata) {
    Validation.key(key);
    Objects.requireNonNull(data, "data");
    Validation.metadata(metadata);
    checkOpen();
    Lock l = store.enter();
    try {
      new PutOperation(store, group, key, metadata).run(data);
    } finally {
      l.unlock();
    }
  }

  @Override
  public void delete(String key) {
    Validation.key(key);
    checkOpen();
    // Only recorded here: whether the key is live is decided at commit, in call order.
    group.addDraft(CommitGroup.Draft.delete(key));
  }

  @Override
  public int size() {
    return group.drafts();
  }

  @Override
  public List<ObjectInfo> commit() {
    checkOpen();
    done = true;
    Lock l = store.enter();
    try {
      return group.commit();
    } catch (RuntimeException | Error e) {
      group.abort();
      throw e;
    } finally {
      l.unlock();
      group.close();
    }
  }

  @Override
  public void close() {
    if (done) {
      return;
    }
    done = true;
    Lock l;
    try {
      l = store.enter();
    } catch (StorageException closed) {
      // The store is closed: its index is gone, and with it anything left to release.
      group.close();
      return;
    }
    try {
      group.abort();
    } finally {
      l.unlock();
      group.close();
    }
  }
}
