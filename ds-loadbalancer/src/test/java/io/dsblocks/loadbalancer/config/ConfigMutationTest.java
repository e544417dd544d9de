package io.dsblocks.loadbalancer.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.loadbalancer.internal.config.ConfigReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property: misspelling any schema key of the documented example gives an error that names exactly
 * that line (and the misspelt key), whatever the key and wherever it sits.
 */
class ConfigMutationTest {
  private static final Pattern KEY_LINE =
      Pattern.compile("^(\\s*(?:-\\s+)?)([A-Za-z][A-Za-z0-9]*):(\\s|$)");

  @TempDir Path tmp;

  @Test
  void everyMisspeltSchemaKeyIsReportedAtItsLine() {
    ExampleDir dir = new ExampleDir(tmp);
    String[] lines = dir.text().split("\n", -1);
    Set<String> schema = ConfigReader.schemaKeys();
    Random random = new Random(20261201L);
    List<Integer> mutated = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      Matcher m = KEY_LINE.matcher(lines[i]);
      if (!m.find() || !schema.contains(m.group(2))) {
        continue;
      }
      String key = m.group(2);
      String typo = typo(key, random);
      String[] copy = lines.clone();
      copy[i] = m.group(1) + typo + lines[i].substring(m.end(2));
      int line = i + 1;
      ConfigException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              ConfigException.class,
              () -> dir.parse(String.join("\n", copy)),
              () -> "no error for '" + typo + "' at line " + line);
      assertThat(e.line()).as("%s → %s: %s", key, typo, e.getMessage()).isEqualTo(line);
      assertThat(e.column()).as(e.getMessage()).isEqualTo(m.group(1).length() + 1);
      assertThat(e.problem()).as(e.getMessage()).startsWith("unknown key '" + typo + "'");
      mutated.add(line);
    }
    // The example's keys are nearly all schema keys: make sure the property covered them.
    assertThat(mutated).hasSizeGreaterThan(90);
  }

  /** A seeded typo: drop, double or swap a character, or append one. */
  private static String typo(String key, Random r) {
    int p = r.nextInt(key.length());
    switch (r.nextInt(4)) {
      case 0:
        return key.length() > 1 ? key.substring(0, p) + key.substring(p + 1) : key + "x";
      case 1:
        return key.substring(0, p + 1) + key.charAt(p) + key.substring(p + 1);
      case 2:
        if (p + 1 < key.length() && key.charAt(p) != key.charAt(p + 1)) {
          return key.substring(0, p) + key.charAt(p + 1) + key.charAt(p) + key.substring(p + 2);
        }
        return key + "s";
      default:
        return key + "z";
    }
  }
}
