package io.dsblocks.storage.internal;

import static io.dsblocks.storage.internal.TestStores.small;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.storage.RepositoryLockedException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepositoryLockTest {
  @TempDir Path dir;

  @Test
  void aSecondOpenInTheSameJvmFailsUntilTheFirstCloses() {
    DefaultObjectStore first = TestStores.create(dir, small().build());
    assertThatThrownBy(() -> TestStores.open(dir, small().build()))
        .isInstanceOf(RepositoryLockedException.class)
        .hasMessageContaining("already open in this JVM")
        .hasMessageContaining(dir.resolve("lock").toString())
        .satisfies(
            e ->
                assertThat(((RepositoryLockedException) e).lockFile())
                    .isEqualTo(dir.resolve("lock").toString()));
    first.close();
    TestStores.open(dir, small().build()).close();
  }

  @Test
  @Tag("integration")
  void aSecondProcessGetsALockErrorNamingThePathAndTheHolder() throws Exception {
    TestStores.create(dir, small().build()).close();
    Process child = ChildProcess.start(dir.resolve("child.err"), "hold", dir.toString());
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).startsWith("OPEN");
      assertThatThrownBy(() -> TestStores.open(dir, small().build()))
          .isInstanceOf(RepositoryLockedException.class)
          .hasMessageContaining("is locked by another process (pid=" + child.pid() + ")")
          .hasMessageContaining(dir.resolve("lock").toString());
      child.getOutputStream().close(); // tells the child to close the store and exit
      assertThat(out.readLine()).isEqualTo("CLOSED");
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).isZero();
      TestStores.open(dir, small().build()).close();
    } finally {
      child.destroyForcibly();
    }
  }

  @Test
  @Tag("integration")
  void aKilledHolderLeavesNoStaleLock() throws Exception {
    TestStores.create(dir, small().build()).close();
    Process child = ChildProcess.start(dir.resolve("child.err"), "hold", dir.toString());
    BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    assertThat(out.readLine()).startsWith("OPEN");
    child.destroyForcibly();
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    TestStores.open(dir, small().build()).close();
  }
}
