package io.dsblocks.loadbalancer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded {@code -standalone.jar} (built at {@code package}, before this integration test runs)
 * is executable on its own: {@code java -jar ... --config f --check} exits 0 for a valid file and 2
 * with a one-line message for an invalid one.
 */
@Tag("integration")
class StandaloneJarTest {
  @TempDir Path tmp;

  private static Path jar() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("target"))) {
      return s.filter(p -> p.getFileName().toString().endsWith("-standalone.jar"))
          .findFirst()
          .orElse(null);
    }
  }

  private record Run(int code, String out, String err) {}

  private static Run java(Path jar, String... args) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> cmd = new java.util.ArrayList<>(List.of(java.toString(), "-jar", jar.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out, err);
  }

  @Test
  void checksConfigurationsInAChildJvm() throws Exception {
    Path jar = jar();
    assumeTrue(jar != null, "the standalone jar is built at package; run with mvn verify");
    Path ok = tmp.resolve("ok.yaml");
    Files.writeString(
        ok,
        "mode: tcp\nlisten: 0\npools:\n  db: {strategy: leastConnections, endpoints: [127.0.0.1:5432]}\n");
    Run good = java(jar, "--config", ok.toString(), "--check");
    assertThat(good.code()).as(good.err()).isZero();
    assertThat(good.out()).startsWith(ok + ": OK (mode tcp, pools [db])");

    Path bad = tmp.resolve("bad.yaml");
    Files.writeString(
        bad, "mode: tcp\npools:\n  db: {strategy: leastConections, endpoints: [127.0.0.1:5432]}\n");
    Run invalid = java(jar, "--config", bad.toString(), "--check");
    assertThat(invalid.code()).isEqualTo(2);
    assertThat(invalid.out()).isEmpty();
    assertThat(invalid.err().lines()).hasSize(1);
    assertThat(invalid.err())
        .startsWith(
            bad
                + ":3:18: pools.db.strategy: unknown strategy 'leastConections' (did you mean 'leastConnections'?)");
  }
}
