package io.dsblocks.loadbalancer.internal;

import io.dsblocks.loadbalancer.Endpoint;
import java.util.List;

/**
 * One immutable view of a balancer: members, candidates and the strategy's structure over them.
 * Published through a volatile field; {@code pick} reads nothing else that a rebuild changes.
 *
 * <p>Immutable and thread-safe.
 */
final class Snapshot<E extends Endpoint> {
  final EndpointState<E>[] members;
  final List<E> memberList;
  final EndpointState<E>[] candidates;
  final Selector<E> selector;
  final int eligible;
  final int available;
  final double healthyShare;
  final boolean panic;
  final boolean ramping;
  final long rampRefreshAt;

  Snapshot(
      EndpointState<E>[] members,
      List<E> memberList,
      EndpointState<E>[] candidates,
      Selector<E> selector,
      int eligible,
      int available,
      double healthyShare,
      boolean panic,
      boolean ramping,
      long rampRefreshAt) {
    this.members = members;
    this.memberList = memberList;
    this.candidates = candidates;
    this.selector = selector;
    this.eligible = eligible;
    this.available = available;
    this.healthyShare = healthyShare;
    this.panic = panic;
    this.ramping = ramping;
    this.rampRefreshAt = rampRefreshAt;
  }
}
