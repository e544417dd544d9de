package io.dsblocks.examples.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WriteBackExampleTest {

  @Test
  void coalescesWritesAndReplaysTheJournalAfterTheCrash() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    WriteBackExample.Result r =
        WriteBackExample.run(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    assertThat(r.hitRate()).isBetween(0.3, 1.0);
    assertThat(r.storeCalls()).isLessThan(r.puts() / 2); // batching: far fewer round trips
    assertThat(r.coalesced()).isPositive();
    assertThat(r.replayed()).isEqualTo(40); // 100 puts to 40 keys, none stored before the crash
    assertThat(r.replayedValueStored()).isTrue();
    assertThat(buffer.toString(StandardCharsets.UTF_8)).contains("replayed from the journal");
  }
}
