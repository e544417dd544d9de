package io.dsblocks.examples.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ObjectStoreExampleTest {

  @Test
  void dedupsTheSecondVersionAndDetectsAFlippedBit() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    ObjectStoreExample.Result r =
        ObjectStoreExample.runGenerated(200, new PrintStream(buffer, true, StandardCharsets.UTF_8));
    // 10 % of files edited plus 40 new ones: the second version must cost far less than its size.
    assertThat(r.v2GrowthBytes()).isLessThan(r.v2LogicalBytes() / 3);
    assertThat(r.reductionRatio()).isGreaterThan(2.0);
    assertThat(r.restoredIdentical()).isTrue();
    assertThat(r.corruptionDetected()).isTrue();
    assertThat(r.damagedObjects()).isPositive();
    assertThat(r.intactObjectsReadable()).isPositive();
    assertThat(buffer.toString(StandardCharsets.UTF_8)).contains("flipped one bit in pack");
  }
}
