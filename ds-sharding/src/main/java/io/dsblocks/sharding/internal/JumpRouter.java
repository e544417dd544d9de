package io.dsblocks.sharding.internal;

import io.dsblocks.sharding.Node;
import io.dsblocks.sharding.ShardRouter;
import java.util.Arrays;

/**
 * Jump consistent hash over slots, plus a stable-id layer: slot {@code i} holds a node; adding
 * appends a slot; removing node X moves the last slot's node into X's slot and drops the last slot.
 * Jump's own movement is ideal for the last slot only, so removing a non-last node moves X's keys
 * and the last slot's keys (about 2/n instead of 1/n). Immutable.
 *
 * @param <N> node type
 */
public final class JumpRouter<N extends Node> extends AbstractRouter<N> {
  private final int buckets;

  JumpRouter(RouterSpec spec, Node[] slotOrder) {
    super(spec, slotOrder);
    this.buckets = slotOrder.length;
  }

  @Override
  protected int slotOf(long hash) {
    return Mix.jump(hash, buckets);
  }

  @Override
  public ShardRouter<N> withNode(N node) {
    requireAddable(node);
    Node[] next = Arrays.copyOf(slots, slots.length + 1);
    next[slots.length] = node;
    return new JumpRouter<>(spec, next);
  }

  @Override
  public ShardRouter<N> withoutNode(String id) {
    requireRemovable(id);
    int s = slotIndexOf(id);
    Node[] next = Arrays.copyOf(slots, slots.length - 1);
    if (s != slots.length - 1) {
      next[s] = slots[slots.length - 1];
    }
    return new JumpRouter<>(spec, next);
  }
}
