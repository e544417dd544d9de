package io.dsblocks.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.dsblocks.benchmarks.report.JmhReport.Row;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class JmhReportTest {

  private static String sample() throws IOException {
    try (InputStream in = JmhReportTest.class.getResourceAsStream("/sample-jmh.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void parsesRowsWithImplSeparatedFromOtherParams() throws IOException {
    List<Row> rows = JmhReport.parse(sample());

    assertThat(rows).hasSize(6);
    Row first = rows.get(0);
    assertThat(first.impl()).isEqualTo("dsblocks");
    assertThat(first.score()).isEqualTo(30.0);
    assertThat(first.error()).isEqualTo(1.5);
    assertThat(first.allocBytesPerOp()).isEqualTo(0.001);
    assertThat(rows.get(1).error()).isNaN();
    assertThat(rows.get(3).params()).containsExactly(Map.entry("nodes", "100"));
    assertThat(rows.get(5).impl()).isNull();
  }

  @Test
  void ratiosAreTimesFasterThanBestPeerForBothModes() throws IOException {
    List<Row> rows = JmhReport.parse(sample());
    Map<Row, Double> ratios = JmhReport.ratios(rows);

    // avgt: lower is better; best peer is guava at 45 ns.
    assertThat(ratios.get(rows.get(0))).isCloseTo(1.5, within(1e-9));
    assertThat(ratios.get(rows.get(1))).isCloseTo(1.0, within(1e-9));
    assertThat(ratios.get(rows.get(2))).isCloseTo(0.75, within(1e-9));
    // thrpt: higher is better.
    assertThat(ratios.get(rows.get(3))).isCloseTo(4.0, within(1e-9));
    // a group without peers is compared with itself.
    assertThat(ratios.get(rows.get(5))).isCloseTo(1.0, within(1e-9));
  }

  @Test
  void writesMarkdownAndWellFormedSvg(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("r.json");
    Files.writeString(json, sample());
    Path md = dir.resolve("r.md");
    Path svg = dir.resolve("r.svg");

    JmhReport.main(new String[] {json.toString(), md.toString(), svg.toString()});

    String markdown = Files.readString(md);
    assertThat(markdown)
        .contains(
            "| TokenBucketBenchmark.tryAcquire |  | 1 | **dsblocks** | 30.0 | ± 1.500 | ns/op")
        .contains("1.50×")
        .contains("| RouteBenchmark.route | nodes=100 | 2 | treemap-ring | 100 | ± 5.000 | ops/us")
        .contains("JMH: 1.37");
    Document doc =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(new ByteArrayInputStream(Files.readAllBytes(svg)));
    assertThat(doc.getDocumentElement().getNodeName()).isEqualTo("svg");
    assertThat(doc.getElementsByTagName("rect").getLength()).isEqualTo(1 + 6);
  }

  @Test
  void rejectsMalformedJsonWithOffset() {
    assertThatThrownBy(() -> JmhReport.parse("[{\"a\": }]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("offset 7");
    assertThatThrownBy(() -> JmhReport.parse("{}"))
        .hasMessageContaining("Expected a JSON array of JMH results");
  }
}
