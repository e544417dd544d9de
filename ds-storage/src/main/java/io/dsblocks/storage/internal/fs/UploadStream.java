package io.dsblocks.storage.internal.fs;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * An output stream whose bytes are consumed, as they come, by a task reading an input stream on its
 * own thread: it adapts the store's pull-style {@code put(key, InputStream)} to a push-style {@code
 * OutputStream} without buffering the whole file. The pipe holds at most {@link #DEPTH} buffers of
 * {@link #BUFFER} bytes, so a slow store applies back-pressure to the writer.
 *
 * <p>If the consumer fails it keeps draining (discarding) until end of stream, so the writer never
 * blocks forever; the writer sees the failure on its next write or at close.
 */
final class UploadStream extends OutputStream {
  static final int BUFFER = 64 << 10;
  static final int DEPTH = 8;
  private static final byte[] EOF = new byte[0];

  /** Called on the caller's thread after the consumer finished successfully. */
  interface Completion {
    void complete() throws IOException;
  }

  private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(DEPTH);
  private final Thread consumer;
  private final Completion completion;
  private volatile Throwable failure;
  private byte[] buf = new byte[BUFFER];
  private int pos;
  private boolean closed;

  UploadStream(String threadName, Consumer<InputStream> task, Completion completion) {
    this.completion = completion;
    this.consumer =
        new Thread(
            () -> {
              PipeInput in = new PipeInput();
              try {
                task.accept(in);
              } catch (Throwable t) {
                failure = t;
              } finally {
                in.drain();
              }
            },
            threadName);
    consumer.setDaemon(true);
    consumer.start();
  }

  @Override
  public void write(int b) throws IOException {
    ensureWritable();
    if (pos == buf.length) {
      send();
    }
    buf[pos++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    ensureWritable();
    while (len > 0) {
      if (pos == buf.length) {
        send();
      }
      int n = Math.min(len, buf.length - pos);
      System.arraycopy(b, off, buf, pos, n);
      pos += n;
      off += n;
      len -= n;
    }
  }

  private void ensureWritable() throws IOException {
    if (closed) {
      throw new IOException("stream closed");
    }
    Throwable f = failure;
    if (f != null) {
      throw new IOException("upload failed: " + f.getMessage(), f);
    }
  }

  private void send() throws IOException {
    enqueue(buf);
    buf = new byte[BUFFER];
    pos = 0;
  }

  private void enqueue(byte[] b) throws IOException {
    try {
      queue.put(b);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while uploading");
    }
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (pos > 0) {
      enqueue(java.util.Arrays.copyOf(buf, pos));
    }
    buf = null;
    enqueue(EOF);
    try {
      consumer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the upload");
    }
    Throwable f = failure;
    if (f instanceof RuntimeException r) {
      throw r;
    }
    if (f instanceof Error err) {
      throw err;
    }
    if (f != null) {
      throw new IOException("upload failed: " + f.getMessage(), f);
    }
    completion.complete();
  }

  /** The consumer's side of the pipe. */
  private final class PipeInput extends InputStream {
    private byte[] cur = new byte[0];
    private int at;
    private boolean eof;

    private boolean fill() throws IOException {
      while (!eof && at == cur.length) {
        try {
          cur = queue.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("upload interrupted");
        }
        at = 0;
        if (cur == EOF) {
          eof = true;
        }
      }
      return !eof;
    }

    @Override
    public int read() throws IOException {
      return fill() ? cur[at++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      java.util.Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      if (!fill()) {
        return -1;
      }
      int n = Math.min(len, cur.length - at);
      System.arraycopy(cur, at, b, off, n);
      at += n;
      return n;
    }

    void drain() {
      while (!eof) {
        try {
          eof = queue.take() == EOF;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
