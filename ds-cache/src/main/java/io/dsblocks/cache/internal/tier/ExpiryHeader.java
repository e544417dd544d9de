package io.dsblocks.cache.internal.tier;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.time.Duration;

/**
 * The 8 bytes in front of every stored value: the absolute wall-clock time (epoch milliseconds) at
 * which it expires, or 0 for never. Absolute, not relative, because a persistent tier outlives the
 * process: a TTL counted from "now" would restart on every reopen.
 *
 * <p>Written in native byte order, which is what Chronicle Bytes' {@code readLong} reads back; a
 * Chronicle Map file is not portable between byte orders anyway.
 */
public final class ExpiryHeader {
  /** Size of the header in bytes. */
  public static final int SIZE = Long.BYTES;

  /** Stored when the value never expires. */
  public static final long NEVER = 0L;

  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

  private ExpiryHeader() {}

  /**
   * Returns {@code header + payload} in one new array.
   *
   * @param expiresAtMillis epoch millis, or {@link #NEVER}
   * @param payload the encoded value
   * @return the stored bytes
   */
  public static byte[] prepend(long expiresAtMillis, byte[] payload) {
    byte[] stored = new byte[SIZE + payload.length];
    LONG.set(stored, 0, expiresAtMillis);
    System.arraycopy(payload, 0, stored, SIZE, payload.length);
    return stored;
  }

  /**
   * Reads the expiry from stored bytes.
   *
   * @param stored bytes produced by {@link #prepend}
   * @return epoch millis, or {@link #NEVER}
   */
  public static long expiresAt(byte[] stored) {
    return (long) LONG.get(stored, 0);
  }

  /**
   * Returns whether a value with this expiry is expired at {@code nowMillis}.
   *
   * @param expiresAtMillis epoch millis, or {@link #NEVER}
   * @param nowMillis the current wall-clock time
   * @return true if expired
   */
  public static boolean expired(long expiresAtMillis, long nowMillis) {
    return expiresAtMillis != NEVER && nowMillis >= expiresAtMillis;
  }

  /**
   * Returns the absolute expiry for a TTL starting now, rounding the TTL up to whole milliseconds
   * (a positive TTL never becomes "already expired") and saturating instead of overflowing.
   *
   * @param nowMillis the current wall-clock time
   * @param ttl a positive TTL
   * @return epoch millis, never {@link #NEVER}
   */
  public static long expiryFor(long nowMillis, Duration ttl) {
    if (ttl.getSeconds() >= Long.MAX_VALUE / 1000 - 1) {
      return Long.MAX_VALUE;
    }
    long ttlMillis = ttl.getSeconds() * 1000 + (ttl.getNano() + 999_999) / 1_000_000;
    long at = nowMillis + ttlMillis;
    if (((nowMillis ^ at) & (ttlMillis ^ at)) < 0) { // overflow
      return Long.MAX_VALUE;
    }
    return at == NEVER ? 1 : at;
  }
}
