package io.dsblocks.loadbalancer.internal.config;

import io.dsblocks.loadbalancer.proxy.AccessLogRecord;
import io.dsblocks.loadbalancer.proxy.AccessLogSink;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The access log of a configuration file: event loops {@link #log} into a bounded queue (never
 * blocking; a full queue drops the record and counts it) and one daemon thread writes lines to
 * stdout, stderr or a file (appending). Nothing is opened until {@link #open()}.
 *
 * <p>Line format (space separated, {@code -} for absent values): {@code time client "method uri
 * protocol" status requestBytes responseBytes route backend attempts durationMillis traceId
 * reason}.
 *
 * <p>Thread-safe: {@code log} from any thread; {@code open}/{@code close} from one.
 */
public final class AccessLogWriter implements AccessLogSink {
  private static final int CAPACITY = 16_384;
  private static final AccessLogRecord STOP =
      new AccessLogRecord(0, null, "", "", "", 0, 0, 0, "", "", 0, 0, "", "");

  private final String destination;
  private final Path file;
  private final BlockingQueue<AccessLogRecord> queue = new ArrayBlockingQueue<>(CAPACITY);
  private final AtomicLong dropped = new AtomicLong();
  private Thread thread;
  private volatile boolean open;

  /**
   * Creates a writer.
   *
   * @param destination {@code stdout}, {@code stderr} or a file path
   * @param file the resolved file, or null for stdout/stderr
   */
  AccessLogWriter(String destination, Path file) {
    this.destination = destination;
    this.file = file;
  }

  /**
   * Where the lines go.
   *
   * @return {@code stdout}, {@code stderr} or the file path
   */
  public String destination() {
    return file != null ? file.toString() : destination;
  }

  /**
   * Records dropped because the writer fell behind (or was never opened).
   *
   * @return the count
   */
  public long dropped() {
    return dropped.get();
  }

  @Override
  public void log(AccessLogRecord record) {
    if (!open || !queue.offer(record)) {
      dropped.incrementAndGet();
    }
  }

  /**
   * Opens the destination and starts the writer thread.
   *
   * @throws IOException if the file cannot be opened
   */
  public synchronized void open() throws IOException {
    if (thread != null) {
      return;
    }
    Writer out;
    boolean closeOut;
    if (file == null) {
      PrintStream ps = destination.equals("stderr") ? System.err : System.out;
      out = new OutputStreamWriter(ps, StandardCharsets.UTF_8);
      closeOut = false;
    } else {
      out =
          Files.newBufferedWriter(
              file,
              StandardCharsets.UTF_8,
              StandardOpenOption.CREATE,
              StandardOpenOption.APPEND,
              StandardOpenOption.WRITE);
      closeOut = true;
    }
    BufferedWriter w =
        out instanceof BufferedWriter ? (BufferedWriter) out : new BufferedWriter(out);
    thread = new Thread(() -> drain(w, closeOut), "access-log");
    thread.setDaemon(true);
    open = true;
    thread.start();
  }

  /** Writes what is queued, stops the thread and closes a file destination. */
  public synchronized void close() {
    open = false;
    Thread t = thread;
    if (t == null) {
      return;
    }
    thread = null;
    // The queue may be full; the writer keeps draining, so this put completes.
    boolean interrupted = false;
    while (true) {
      try {
        queue.put(STOP);
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    try {
      t.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      interrupted = true;
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void drain(BufferedWriter w, boolean closeOut) {
    List<AccessLogRecord> batch = new ArrayList<>();
    StringBuilder sb = new StringBuilder(256);
    try {
      while (true) {
        batch.add(queue.take());
        queue.drainTo(batch);
        boolean stop = false;
        for (AccessLogRecord r : batch) {
          if (r == STOP) {
            stop = true;
            break;
          }
          sb.setLength(0);
          format(r, sb);
          w.write(sb.toString());
        }
        batch.clear();
        w.flush();
        if (stop) {
          break;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // The destination failed (disk full, closed pipe): stop writing rather than spin.
      open = false;
      System.err.println("access log '" + destination() + "' failed: " + e);
    } finally {
      try {
        if (closeOut) {
          w.close();
        } else {
          w.flush();
        }
      } catch (IOException ignored) {
        // Nothing more can be done about a destination that cannot even be flushed.
      }
    }
  }

  /**
   * Formats one record as a line.
   *
   * @param r the record
   * @param sb appended to, ending with a newline
   */
  static void format(AccessLogRecord r, StringBuilder sb) {
    sb.append(Instant.ofEpochMilli(r.startEpochMillis()))
        .append(' ')
        .append(address(r.client()))
        .append(" \"")
        .append(r.method())
        .append(' ')
        .append(r.uri())
        .append(' ')
        .append(r.protocol())
        .append("\" ")
        .append(r.status())
        .append(' ')
        .append(r.requestBytes())
        .append(' ')
        .append(r.responseBytes())
        .append(' ')
        .append(r.route())
        .append(' ')
        .append(r.backend())
        .append(' ')
        .append(r.attempts())
        .append(' ')
        .append(String.format(java.util.Locale.ROOT, "%.3f", r.durationNanos() / 1e6))
        .append(' ')
        .append(r.traceId())
        .append(' ')
        .append(r.reason())
        .append('\n');
  }

  private static String address(SocketAddress a) {
    if (a instanceof InetSocketAddress) {
      InetSocketAddress i = (InetSocketAddress) a;
      return (i.getAddress() != null ? i.getAddress().getHostAddress() : i.getHostString())
          + ":"
          + i.getPort();
    }
    return String.valueOf(a);
  }
}
