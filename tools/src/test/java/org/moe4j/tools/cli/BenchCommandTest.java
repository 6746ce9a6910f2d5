package org.moe4j.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moe4j.testing.Manifest;
import picocli.CommandLine;

class BenchCommandTest {
    @TempDir
    Path dir;

    @Test
    void tracingOverheadPrintsEveryModeAndRefusesATraceOfItsOwn() throws Exception {
        String model = Manifest.get("olmoe").modelFile().toString();
        JsonNode r = new ObjectMapper().readTree(Commands.run(new BenchCommand(), "-m", model, "--tracing-overhead", "-n", "5", "-r", "1",
                "-t", "1", "--json"));
        assertThat(r.get("decode_tokens").asInt()).isEqualTo(5);
        assertThat(r.get("rounds").asInt()).isEqualTo(1);
        assertThat(r.get("rows").findValuesAsText("mode")).containsExactly("none", "binary", "jsonl", "binary+scores");
        for (JsonNode row : r.get("rows")) {
            assertThat(row.get("tokens_per_s").asDouble()).isPositive();
            if (!row.get("mode").asText().equals("none")) assertThat(row.get("trace_bytes").asLong()).isPositive();
        }

        String table = Commands.run(new BenchCommand(), "-m", model, "--tracing-overhead", "-n", "3", "-r", "1", "-t", "1");
        assertThat(table).contains("3 decode steps, median of 1 interleaved rounds").contains("| binary+scores ").contains("time in writer");

        int rc = new CommandLine(new BenchCommand()).execute("-m", model, "--tracing-overhead", "--trace", dir.resolve("t.trace").toString());
        assertThat(rc).isNotZero();
        assertThat(dir.resolve("t.trace")).doesNotExist();
    }
}
