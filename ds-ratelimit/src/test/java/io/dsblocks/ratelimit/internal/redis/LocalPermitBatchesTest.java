package io.dsblocks.ratelimit.internal.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LocalPermitBatchesTest {

  private final AtomicLong now = new AtomicLong();
  private final LocalPermitBatches batches = new LocalPermitBatches(10, 1_000, now::get);

  @Test
  void servesAddedPermitsUntilUsedUp() {
    assertThat(batches.tryTake("k", 1, now.get())).isFalse();
    batches.add("k", 3, now.get());
    assertThat(batches.available("k", now.get())).isEqualTo(3);
    assertThat(batches.tryTake("k", 2, now.get())).isTrue();
    assertThat(batches.tryTake("k", 2, now.get())).as("only 1 left").isFalse();
    assertThat(batches.tryTake("k", 1, now.get())).isTrue();
    assertThat(batches.tryTake("k", 1, now.get())).isFalse();
    assertThat(batches.tryTake("other", 1, now.get())).isFalse();
  }

  @Test
  void permitsExpireAfterMaxAgeCountedFromTheOldestGrant() {
    batches.add("k", 5, now.get());
    now.set(500);
    batches.add("k", 5, now.get()); // joins the batch but keeps the earlier deadline (strict side)
    assertThat(batches.available("k", now.get())).isEqualTo(10);
    now.set(999);
    assertThat(batches.tryTake("k", 1, now.get())).isTrue();
    now.set(1_000);
    assertThat(batches.available("k", now.get())).isZero();
    assertThat(batches.tryTake("k", 1, now.get())).isFalse();
    batches.add("k", 2, now.get());
    assertThat(batches.available("k", now.get())).as("fresh deadline after expiry").isEqualTo(2);
    batches.add("k", 0, now.get());
    assertThat(batches.available("k", now.get())).isEqualTo(2);
  }
}
