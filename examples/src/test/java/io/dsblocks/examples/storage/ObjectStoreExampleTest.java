package io.dsblocks.examples.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ObjectStoreExampleTest {

  @Test
  void dedupsTheSecondVersionDetectsAFlippedBitAndRepairsFromAReplica() throws Exception {
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
    // Replica repair: the damaged local copy affects objects, both copies are found and repaired.
    ObjectStoreExample.Repair repair = r.repair();
    assertThat(repair.objectsAffected()).isPositive();
    assertThat(repair.copiesDamaged()).isEqualTo(2);
    assertThat(repair.copiesRepaired()).isEqualTo(2);
    assertThat(repair.cleanAfterRepair()).isTrue();
    assertThat(repair.objectsIdentical()).isEqualTo(repair.objects()).isPositive();
    assertThat(buffer.toString(StandardCharsets.UTF_8))
        .contains("on local:")
        .contains("on disk-b:")
        .contains("rewritten from a healthy replica");
  }
}
