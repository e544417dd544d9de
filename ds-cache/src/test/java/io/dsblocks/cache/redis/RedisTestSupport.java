package io.dsblocks.cache.redis;

import io.lettuce.core.api.sync.RedisCommands;

/** Server-side facts the tests assert on. */
final class RedisTestSupport {

  private RedisTestSupport() {}

  /** Returns {@code total_commands_processed} from {@code INFO stats}. */
  static long totalCommands(RedisCommands<String, String> redis) {
    for (String line : redis.info("stats").split("\r?\n")) {
      if (line.startsWith("total_commands_processed:")) {
        return Long.parseLong(line.substring("total_commands_processed:".length()).trim());
      }
    }
    throw new IllegalStateException("no total_commands_processed in INFO stats");
  }

  /**
   * Returns how many commands the server processed while {@code action} ran, not counting the
   * {@code INFO} calls that measure it.
   */
  static long commandsDuring(RedisCommands<String, String> redis, Runnable action) {
    // The INFO that reads the counter is counted after it replies, so a back-to-back pair of
    // reads differs by one: that is the measurement's own cost.
    long first = totalCommands(redis);
    long base = totalCommands(redis) - first;
    long before = totalCommands(redis);
    action.run();
    long after = totalCommands(redis);
    return after - before - base;
  }
}
