package org.moe4j.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moe4j.gguf.GGUFReader;
import picocli.CommandLine;

class TrainCommandTest {
    @Test
    void parsesDurations() {
        assertThat(TrainCommand.parseDuration("45m")).isEqualTo(2700);
        assertThat(TrainCommand.parseDuration("1h")).isEqualTo(3600);
        assertThat(TrainCommand.parseDuration("90s")).isEqualTo(90);
        assertThat(TrainCommand.parseDuration("12")).isEqualTo(12);
        assertThatThrownBy(() -> TrainCommand.parseDuration("soon")).hasMessageContaining("45m");
        assertThatThrownBy(() -> TrainCommand.parseDuration("-5m")).hasMessageContaining("duration");
    }

    @Test
    void denseBaselineHasTheSameTotalSize() {
        TrainCommand moe = new TrainCommand();
        new CommandLine(moe).parseArgs("--out", "x.gguf");
        TrainCommand dense = new TrainCommand();
        new CommandLine(dense).parseArgs("--out", "x.gguf", "--dense");
        assertThat(dense.shape().experts()).isEqualTo(1);
        assertThat(dense.shape().totalParams()).isBetween(moe.shape().totalParams() - 10_000, moe.shape().totalParams());
        assertThat(moe.shape().totalParams()).isBetween(5_000_000L, 6_000_000L);
    }

    /** The whole command on a small text: tokenizer, a few steps, checkpoint, export, and the export check. */
    @Test
    void trainsAndExportsEndToEnd(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("t.txt"), "And God said, Let there be light: and there was light.\n".repeat(400));
        Path out = dir.resolve("m.gguf");
        int rc = new CommandLine(new TrainCommand()).execute("--corpus", text.toString(), "--out", out.toString(),
                "--vocab", "300", "--dim", "32", "--layers", "1", "--heads", "2", "--kv-heads", "1", "--head-dim", "16",
                "--experts", "4", "--expert-hidden", "32", "--ctx", "16", "--batch", "4", "--steps", "3", "--threads", "2",
                "--type", "Q8_0", "--eval-every", "2");
        assertThat(rc).isZero();
        assertThat(dir.resolve("m.gguf.ckpt")).exists();
        try (var f = GGUFReader.open(out)) {
            assertThat(f.getString("general.architecture", "")).isEqualTo("qwen3moe");
            assertThat(f.getInt("qwen3moe.expert_count", 0)).isEqualTo(4);
            assertThat(f.tensorInfo("blk.0.ffn_gate_exps.weight").orElseThrow().type().name()).isEqualTo("Q8_0");
            assertThat(f.tensorInfo("blk.0.ffn_gate_inp.weight").orElseThrow().type().name()).isEqualTo("F32");
        }
        // resuming with a new --steps continues the same run to the new length
        TrainCommand resumed = new TrainCommand();
        assertThat(new CommandLine(resumed).execute("--corpus", text.toString(), "--out", out.toString(), "--resume",
                "--steps", "5", "--threads", "1")).isZero();
        assertThat(org.moe4j.tools.train.Checkpoint.load(dir.resolve("m.gguf.ckpt")).state().step()).isEqualTo(5);

        assertThat(new CommandLine(new TrainCommand()).execute("--out", out.toString(), "--heads", "6", "--kv-heads", "4",
                "--corpus", text.toString())).as("heads not a multiple of kv-heads").isNotZero();
        var err = new java.io.StringWriter();
        CommandLine huge = new CommandLine(new TrainCommand());
        huge.setErr(new java.io.PrintWriter(err));
        assertThat(huge.execute("--out", out.toString(), "--corpus", text.toString(), "--vocab", "300", "--ctx", "2048",
                "--batch", "4096")).as("a batch that cannot fit in memory").isNotZero();
        assertThat(err.toString()).contains("GiB of memory");
    }
}
