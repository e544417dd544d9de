package io.dsblocks.ratelimit.redis;

import io.lettuce.core.api.sync.RedisCommands;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads server-side facts the tests assert on: command counters and the server clock. */
final class RedisTestSupport {

  private RedisTestSupport() {}

  /**
   * Returns the {@code calls} count of one command from {@code INFO commandstats} (0 if absent).
   */
  static long commandCalls(RedisCommands<String, String> redis, String command) {
    return commandCalls(redis).getOrDefault(command, 0L);
  }

  /** Returns the {@code calls} count of every command in {@code INFO commandstats}. */
  static Map<String, Long> commandCalls(RedisCommands<String, String> redis) {
    Map<String, Long> calls = new HashMap<>();
    for (String line : redis.info("commandstats").split("\r?\n")) {
      if (line.startsWith("cmdstat_")) {
        int colon = line.indexOf(':');
        int start = line.indexOf("calls=", colon) + "calls=".length();
        int end = line.indexOf(',', start);
        calls.put(
            line.substring("cmdstat_".length(), colon), Long.parseLong(line.substring(start, end)));
      }
    }
    return calls;
  }

  /** Returns {@code total_commands_processed} from {@code INFO stats}. */
  static long totalCommands(RedisCommands<String, String> redis) {
    String info = redis.info("stats");
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("total_commands_processed:")) {
        return Long.parseLong(line.substring("total_commands_processed:".length()).trim());
      }
    }
    throw new IllegalStateException("no total_commands_processed in INFO stats");
  }

  /** Returns the server's clock ({@code TIME}) in microseconds. */
  static long serverMicros(RedisCommands<String, String> redis) {
    List<String> time = redis.time();
    return Long.parseLong(time.get(0)) * 1_000_000L + Long.parseLong(time.get(1));
  }
}
