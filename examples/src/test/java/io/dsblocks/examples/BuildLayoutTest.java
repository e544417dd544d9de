package io.dsblocks.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Guards the conventions of DESIGN.md section 1 that the build itself cannot express. */
class BuildLayoutTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  private static String read(String relative) throws IOException {
    return Files.readString(ROOT.resolve(relative));
  }

  private static List<String> all(Pattern p, String text) {
    List<String> found = new ArrayList<>();
    Matcher m = p.matcher(text);
    while (m.find()) {
      found.add(m.group(1));
    }
    return found;
  }

  private static List<String> libraryModules() throws IOException {
    List<String> modules = all(Pattern.compile("<module>([^<]+)</module>"), read("pom.xml"));
    modules.removeIf(m -> !m.startsWith("ds-"));
    return modules;
  }

  @Test
  void bomPinsEveryLibraryModuleAtTheProjectVersion() throws IOException {
    String rootPom = read("pom.xml");
    String bom = read("bom/pom.xml");
    String rootVersion =
        all(
                Pattern.compile("<artifactId>dsblocks-parent</artifactId>\\s*<version>([^<]+)"),
                rootPom)
            .get(0);
    String bomVersion =
        all(Pattern.compile("<artifactId>dsblocks-bom</artifactId>\\s*<version>([^<]+)"), bom)
            .get(0);

    assertThat(bomVersion).isEqualTo(rootVersion);
    assertThat(all(Pattern.compile("<artifactId>(ds-[^<]+)</artifactId>"), bom))
        .containsExactlyInAnyOrderElementsOf(libraryModules());
  }

  @Test
  void everyLibraryModuleDeclaresItsAutomaticModuleNameAndNoVersions() throws IOException {
    for (String module : libraryModules()) {
      String pom = read(module + "/pom.xml");
      String name = module.substring("ds-".length());
      assertThat(pom).as(module).contains("<module.name>io.dsblocks." + name + "</module.name>");
      // Versions live in the root pom only; the one <version> allowed is the parent's.
      assertThat(all(Pattern.compile("<version>([^<]+)</version>"), pom))
          .as("versions written in %s/pom.xml", module)
          .hasSize(1);
    }
  }

  @Test
  void leavesDependOnNoOtherModule() throws IOException {
    for (String leaf : List.of("ds-ratelimit", "ds-sharding")) {
      assertThat(
              all(Pattern.compile("<artifactId>(ds-[^<]+)</artifactId>"), read(leaf + "/pom.xml")))
          .as("ds-* dependencies of leaf %s", leaf)
          .containsOnly(leaf);
    }
  }
}
