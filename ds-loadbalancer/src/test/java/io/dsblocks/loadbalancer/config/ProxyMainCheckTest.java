package io.dsblocks.loadbalancer.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.loadbalancer.proxy.ProxyMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ProxyMain --check} and bad command lines: exit codes and one-line messages. */
class ProxyMainCheckTest {
  @TempDir Path tmp;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return ProxyMain.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void checkOfAValidFileExitsZeroWithoutBinding() throws Exception {
    Path f = tmp.resolve("ok.yaml");
    // Port 1 cannot be bound by a non-root process and is privileged: --check must not try.
    Files.writeString(
        f,
        "listen: {host: 127.0.0.1, port: 1}\npools:\n  web: {strategy: p2c, endpoints: [h:1, h:2]}\n"
            + "routes: [{name: all, pool: web}]\n");
    assertThat(run("--config", f.toString(), "--check")).isEqualTo(ProxyMain.EXIT_OK);
    assertThat(out())
        .isEqualTo(f + ": OK (mode http, pools [web], 1 routes)" + System.lineSeparator());
    assertThat(err()).isEmpty();
  }

  @Test
  void invalidFileExitsTwoWithOneLineNamingThePosition() throws Exception {
    Path f = tmp.resolve("bad.yaml");
    Files.writeString(
        f,
        "pools:\n  web: {strategy: p2c, endpoints: [h:1]}\nroutes:\n  - name: all\n    pool: wbe\n");
    assertThat(run("--config", f.toString(), "--check")).isEqualTo(ProxyMain.EXIT_INVALID);
    assertThat(err())
        .isEqualTo(
            f
                + ":5:11: routes[0].pool: unknown pool 'wbe' (did you mean 'web'?); pools are [web]"
                + System.lineSeparator());
    assertThat(out()).isEmpty();
    // The same without --check: it fails before binding anything, with the same line.
    err.reset();
    assertThat(run("--config", f.toString())).isEqualTo(ProxyMain.EXIT_INVALID);
    assertThat(err().lines()).hasSize(1);
    assertThat(err()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void missingFileExitsTwo() {
    assertThat(run("--config", tmp.resolve("none.yaml").toString(), "--check"))
        .isEqualTo(ProxyMain.EXIT_INVALID);
    assertThat(err())
        .isEqualTo(
            tmp.resolve("none.yaml")
                + ": cannot read the configuration file: no such file"
                + System.lineSeparator());
  }

  @Test
  void badFlagsExitTwoWithUsage() {
    assertThat(run("--bogus")).isEqualTo(ProxyMain.EXIT_INVALID);
    assertThat(err())
        .startsWith("error: unknown flag '--bogus'")
        .contains("usage: ProxyMain --config");
    err.reset();
    assertThat(run("--check")).isEqualTo(ProxyMain.EXIT_INVALID);
    assertThat(err()).startsWith("error: --check needs --config <file>");
    err.reset();
    assertThat(run("--config", "x.yaml", "--backend", "h:1")).isEqualTo(ProxyMain.EXIT_INVALID);
    assertThat(err()).startsWith("error: --config cannot be combined with");
    err.reset();
    assertThat(run("--backend", "h:x")).isEqualTo(ProxyMain.EXIT_INVALID);
    assertThat(err()).startsWith("error: --backend must be host:port, was 'h:x'");
    err.reset();
    assertThat(run("--config")).isEqualTo(ProxyMain.EXIT_INVALID);
    assertThat(err()).startsWith("error: --config needs a value");
  }
}
