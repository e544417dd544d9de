package io.dsblocks.examples;

import java.util.List;

/** The demo's scenarios, in the order the default run walks through them. */
final class Scenarios {
  private Scenarios() {}

  /**
   * Returns every scenario. Each module issue adds its own entry here.
   *
   * @return scenarios in run order
   */
  static List<Scenario> all() {
    return List.of(
        new io.dsblocks.examples.ratelimit.RateLimitScenario(),
        new io.dsblocks.examples.cache.CacheScenario(),
        new io.dsblocks.examples.sharding.ShardingScenario(),
        new io.dsblocks.examples.storage.StorageScenario(),
        new io.dsblocks.examples.loadbalancer.ProxyScenario());
  }
}
