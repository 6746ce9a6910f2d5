package org.moe4j.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moe4j.testing.Manifest;
import org.moe4j.testing.SharedData;

/** perplexity with a trace, then analyze on that trace, as a user would run them. */
class RoutingCommandsTest {
    @TempDir
    Path dir;

    @Test
    void perplexityWithAPolicyThenAnalyzeItsTrace() throws Exception {
        Path text = dir.resolve("text.txt");
        Files.writeString(text, Files.readString(SharedData.root().resolve("corpus/kjv.txt")).substring(0, 8_000));
        Path model = Manifest.get("olmoe").modelFile();
        Path trace = dir.resolve("ppl.trace");
        Path pplJson = dir.resolve("ppl.json");
        String out = Commands.run(new PerplexityCommand(), "-m", model.toString(), "-f", text.toString(), "-c", "64", "--windows", "3",
                "-t", "2", "--policy", "mask=0", "--policy", "top-p=0.5:max=6", "--trace", trace.toString(), "--json", pplJson.toString());
        assertThat(out).startsWith("perplexity ").contains("active experts per token and layer");
        JsonNode ppl = new ObjectMapper().readTree(pplJson.toFile());
        assertThat(ppl.get("policy").asText()).isEqualTo("top-p=0.5:min=1:max=6 mask=0");
        double active = ppl.get("average_active_experts").asDouble();
        assertThat(active).isBetween(1.0, 6.0);

        Path json = dir.resolve("summary.json");
        Path html = dir.resolve("report.html");
        Commands.run(new AnalyzeCommand(), trace.toString(), "--html", html.toString(), "--json", json.toString());
        JsonNode s = new ObjectMapper().readTree(json.toFile()).get("traces").get(0);
        assertThat(s.get("sequences").asInt()).as("one sequence per window").isEqualTo(3);
        assertThat(s.get("tokens").asInt()).isEqualTo(3 * 64);
        assertThat(s.get("averageActiveExperts").asDouble()).isCloseTo(active, org.assertj.core.data.Offset.offset(1e-9));
        for (JsonNode b : s.get("balance")) assertThat(b.get("load").get(0).asLong()).as("masked expert 0").isZero();
        assertThat(Files.readString(html)).contains("moe4j-data").contains("echarts");
        assertThat(dir.resolve("report-charts/load.png")).exists();
        assertThat(Files.size(dir.resolve("report-charts/windows.png"))).isGreaterThan(1000);
    }
}
