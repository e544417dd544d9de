package io.dsblocks.ratelimit.internal.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A Lua script and its SHA-1 digest (the name Redis caches it under for {@code EVALSHA}).
 *
 * <p>Both scripts take {@code KEYS[1]} = the Redis key and {@code ARGV} = rate, period in
 * microseconds (both divided by their gcd), burst, min permits, max permits, peek flag ({@code "1"}
 * = only report). They grant {@code g} permits with {@code min <= g <= max} (as many as available
 * up to max) or none, and reply {@code {granted, availableAfter, waitMicros}} where {@code
 * waitMicros} is the time until {@code min} permits will be available (0 if granted). Time comes
 * from the server's {@code TIME} (allowed before writes since Redis 5 replicates scripts by
 * effects), so client clocks never matter. A refusal writes nothing. Every write sets a TTL equal
 * to the time until the state is indistinguishable from a missing key (bucket full again), so idle
 * keys vanish by themselves.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class LuaScript {

  /**
   * Token bucket with exact integer arithmetic: tokens are stored multiplied by the period in
   * microseconds, and each elapsed microsecond adds {@code rate} of those units, so neither refill
   * nor consumption ever rounds. The caller divides rate and period by their gcd first, and the
   * config checks that {@code burst * period} stays below 2^53, where Lua doubles are exact.
   */
  public static final LuaScript TOKEN_BUCKET =
      new LuaScript(
          """
          local rate = tonumber(ARGV[1])
          local period = tonumber(ARGV[2])
          local full = tonumber(ARGV[3]) * period
          local min = tonumber(ARGV[4])
          local max = tonumber(ARGV[5])
          local t = redis.call('TIME')
          local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
          local st = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
          local tokens = tonumber(st[1])
          local ts = tonumber(st[2])
          if tokens == nil or ts == nil then
            tokens = full
            ts = now
          elseif now > ts then
            if (now - ts) * rate >= full - tokens then
              tokens = full
            else
              tokens = tokens + (now - ts) * rate
            end
            ts = now
          end
          local available = math.floor(tokens / period)
          if available < min or ARGV[6] == '1' then
            local wait = 0
            if available < min then
              wait = math.ceil((min * period - tokens) / rate)
            end
            return {0, available, wait}
          end
          local granted = math.min(available, max)
          tokens = tokens - granted * period
          redis.call('HSET', KEYS[1], 'tokens', tokens, 'ts', ts)
          redis.call('PEXPIRE', KEYS[1], math.ceil((full - tokens) / rate / 1000) + 1)
          return {granted, available - granted, 0}
          """);

  /**
   * GCRA: one string holding the theoretical arrival time (TAT) in microseconds. A request for
   * {@code n} is admitted when {@code max(TAT, now) + n * interval - now <= burst * interval}. The
   * TAT is an absolute time around 1.7e15 microseconds, where a double resolves 0.25 us; the 0.5 us
   * slack absorbs that rounding (the config keeps the interval at or above 10 us).
   */
  public static final LuaScript GCRA =
      new LuaScript(
          """
          local rate = tonumber(ARGV[1])
          local period = tonumber(ARGV[2])
          local burst = tonumber(ARGV[3])
          local min = tonumber(ARGV[4])
          local max = tonumber(ARGV[5])
          local interval = period / rate
          local limit = burst * interval
          local t = redis.call('TIME')
          local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
          local tat = tonumber(redis.call('GET', KEYS[1]))
          if tat == nil or tat < now then
            tat = now
          end
          local available = math.floor((limit - (tat - now) + 0.5) / interval)
          if available > burst then
            available = burst
          end
          if available < min or ARGV[6] == '1' then
            local wait = 0
            if available < min then
              wait = math.max(0, math.ceil(tat + min * interval - limit - now))
            end
            return {0, available, wait}
          end
          local granted = math.min(available, max)
          tat = tat + granted * interval
          redis.call('SET', KEYS[1], tat, 'PX', math.ceil((tat - now) / 1000) + 1)
          return {granted, available - granted, 0}
          """);

  private final String text;
  private final String sha1;

  private LuaScript(String text) {
    this.text = text;
    this.sha1 = sha1Hex(text);
  }

  /**
   * Returns the script source.
   *
   * @return the Lua text
   */
  public String text() {
    return text;
  }

  /**
   * Returns the lower-case hex SHA-1 of the source, as {@code EVALSHA} expects.
   *
   * @return the digest
   */
  public String sha1() {
    return sha1;
  }

  private static String sha1Hex(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder(40);
      for (byte b : digest) {
        hex.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
      }
      return hex.toString();
    } catch (NoSuchAlgorithmException e) {
      // Every Java platform must provide SHA-1 (MessageDigest spec), so this cannot happen.
      throw new IllegalStateException("SHA-1 unavailable", e);
    }
  }
}
