package io.dsblocks.loadbalancer;

import java.util.ArrayList;
import java.util.List;

/** Endpoint fixtures. */
public final class TestEndpoints {
  private TestEndpoints() {}

  /** {@code n} endpoints {@code e0..e(n-1)} on 10.0.0.x:8080, weight 1. */
  public static List<Endpoint> endpoints(int n) {
    List<Endpoint> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(endpoint("e" + i, 1));
    }
    return list;
  }

  /** One endpoint with an id and weight. */
  public static Endpoint endpoint(String id, int weight) {
    return Endpoint.builder().id(id).host("10.0.0.1").port(8080).weight(weight).build();
  }

  /** One endpoint with an id, weight and zone. */
  public static Endpoint endpoint(String id, int weight, String zone) {
    return Endpoint.builder().id(id).host("10.0.0.1").port(8080).weight(weight).zone(zone).build();
  }
}
