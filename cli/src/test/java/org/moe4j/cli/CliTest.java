package org.moe4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.moe4j.testing.Manifest;
import org.moe4j.testing.SharedData;
import org.moe4j.testing.Tolerance;

/** The command line, end to end: the same checks outside tools make. */
class CliTest {
    @TempDir
    Path dir;

    @Test
    void logitsCommandReproducesTheGoldensInBothModes() {
        for (String name : new String[]{"qwen3moe", "deepseek2-v3", "llama-moe.Q4_K_M"}) {
            Manifest.Case c = Manifest.get(name);
            String ids = Arrays.stream(c.tokenIds()).mapToObj(Integer::toString).collect(Collectors.joining(","));
            for (String mode : new String[]{"batch", "sequential"}) {
                Path out = dir.resolve(name + "-" + mode + ".f32");
                String[] args = c.isQuantized()
                        ? new String[]{"logits", "--model", c.modelFile().toString(), "--tokens", ids, "--mode", mode, "--out", out.toString(), "--float-activations"}
                        : new String[]{"logits", "--model", c.modelFile().toString(), "--tokens", ids, "--mode", mode, "--out", out.toString()};
                assertThat(Main.run(args)).isZero();
                float[] got = SharedData.readF32(out);
                float[] gold = c.f32(c.isQuantized() ? "logits_batch_dequant" : "logits_batch");
                assertThat(got).hasSize(gold.length);
                Tolerance.assertClose(name + " " + mode, got, 0, gold, 0, gold.length, 1e-4, 1e-4);
            }
        }
    }

    @Test
    void badInputGivesAClearErrorAndExitCode() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run("logits", "--model", Manifest.get("olmoe").modelFile().toString(), "--tokens", "1,99999",
                    "--out", dir.resolve("x.f32").toString());
            assertThat(code).isEqualTo(1);
            assertThat(Main.run("run", "--model", dir.resolve("missing.gguf").toString(), "hi")).isEqualTo(1);
        } finally {
            System.setErr(old);
        }
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("token id 99999").contains("outside the vocabulary")
                .contains("model file not found");
    }

    @Test
    void chatJsonModeAnswersAConversation() throws Exception {
        String conversation = "{\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"hi\"},"
                + "{\"role\":\"assistant\",\"content\":\"hello\"},{\"role\":\"user\",\"content\":\"more\"}]}";
        String out = capture(conversation, "chat", "--json", "--model", Manifest.get("olmoe").modelFile().toString(), "-n", "8", "--greedy");
        JsonNode reply = new ObjectMapper().readTree(out);
        assertThat(reply.get("role").asText()).isEqualTo("assistant");
        assertThat(reply.get("usage").get("completion_tokens").asInt()).isBetween(1, 8);
        assertThat(reply.get("usage").get("prompt_tokens").asInt()).isGreaterThan(10);
        // deterministic with greedy decoding
        assertThat(capture(conversation, "chat", "--json", "--model", Manifest.get("olmoe").modelFile().toString(), "-n", "8", "--greedy"))
                .isEqualTo(out);
    }

    @Test
    void runAndChatWithTheExpertCacheGiveTheSameTextAndWriteStatistics() throws Exception {
        String model = Manifest.get("qwen3moe").modelFile().toString();
        String plain = capture("", "run", "--model", model, "-n", "24", "--greedy", "And it came to pass");
        Path stats = dir.resolve("stats.json");
        Path profile = dir.resolve("profile.json");
        // 300 KiB hold 5 of the 32 experts: nearly every token reads some
        String cached = capture("", "run", "--model", model, "-n", "24", "--greedy", "--expert-cache", "300KiB", "--stats",
                "--stats-json", stats.toString(), "--save-profile", profile.toString(), "And it came to pass");
        assertThat(cached).isEqualTo(plain);
        JsonNode s = new ObjectMapper().readTree(stats.toFile());
        for (String key : new String[]{"hit_rate", "bytes_read", "stall_seconds", "tokens_per_s"}) assertThat(s.has(key)).as(key).isTrue();
        assertThat(s.get("bytes_read").asLong()).isPositive();
        assertThat(s.get("tokens_per_s").asDouble()).isPositive();
        assertThat(s.get("capacity_experts").asInt()).isEqualTo(5);
        assertThat(s.get("layers")).hasSize(2);
        assertThat(s.get("memory").get("rss_bytes").asLong()).isPositive();
        assertThat(profile).exists();

        String conversation = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        String chat = capture(conversation, "chat", "--json", "--model", model, "-n", "8", "--greedy");
        assertThat(capture(conversation, "chat", "--json", "--model", model, "-n", "8", "--greedy", "--expert-cache", "300KiB",
                "--cache-policy", "pinned", "--cache-profile", profile.toString(), "--stats-json", stats.toString())).isEqualTo(chat);
        assertThat(new ObjectMapper().readTree(stats.toFile()).get("policy").asText()).startsWith("pinned");

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.run("run", "--model", model, "-n", "4", "--expert-cache", "100KiB", "hi")).isEqualTo(1);
            assertThat(Main.run("run", "--model", model, "-n", "4", "--cache-policy", "lru", "hi")).isEqualTo(1);
            assertThat(Main.run("run", "--model", model, "-n", "4", "--expert-cache", "lots", "hi")).isEqualTo(1);
        } finally {
            System.setErr(old);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("cannot hold one token's working set")
                .contains("--cache-policy needs --expert-cache SIZE").contains("is not a size");
    }

    /**
     * run and chat --json, sampled, with a cache two experts larger than one token's working set in a layer
     * (so tokens keep reading experts), on architectures with plain, shared-expert and biased experts.
     */
    @ParameterizedTest
    @ValueSource(strings = {"qwen3moe", "deepseek2-v3", "gpt-oss", "llama-moe.Q4_K_M"})
    void runAndChatGiveTheSameOutputWithASmallExpertCache(String name) throws Exception {
        Path model = Manifest.get(name).modelFile();
        int capacity;
        int experts;
        long budget;
        try (org.moe4j.model.Model m = org.moe4j.model.ModelLoader.load(model, org.moe4j.model.LoadOptions.defaults())) {
            var layout = org.moe4j.moe.cache.ExpertLayout.of(m, org.moe4j.moe.cache.ExpertReader.alignment(model));
            capacity = layout.maxTopK() + 2;
            experts = layout.keys().size();
            budget = layout.slotBytes() * capacity;
        }
        assertThat(capacity).as("the cache must not hold every expert").isLessThan(experts);
        String[] run = {"run", "--model", model.toString(), "-n", "24", "--temp", "0.9", "--seed", "5", "And it came to pass"};
        Path stats = dir.resolve(name + "-run.json");
        assertThat(capture("", with(run, "--expert-cache", Long.toString(budget), "--stats-json", stats.toString())))
                .isEqualTo(capture("", run));
        assertCacheStatistics(stats, capacity);

        String conversation = "{\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}";
        String[] chat = {"chat", "--json", "--model", model.toString(), "-n", "12", "--temp", "0.9", "--seed", "9"};
        Path chatStats = dir.resolve(name + "-chat.json");
        assertThat(capture(conversation, with(chat, "--expert-cache", Long.toString(budget), "--stats-json", chatStats.toString())))
                .isEqualTo(capture(conversation, chat));
        assertCacheStatistics(chatStats, capacity);
    }

    private static String[] with(String[] args, String... more) {
        String[] r = Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, r, args.length, more.length);
        return r;
    }

    private static void assertCacheStatistics(Path file, int capacity) throws Exception {
        JsonNode s = new ObjectMapper().readTree(file.toFile());
        assertThat(s.get("expert_cache").asBoolean()).isTrue();
        assertThat(s.get("capacity_experts").asInt()).isEqualTo(capacity);
        assertThat(s.get("hit_rate").asDouble()).isBetween(0.0, 1.0);
        assertThat(s.get("bytes_read").asLong()).as("a cache started empty has read experts").isPositive();
        assertThat(s.get("stall_seconds").asDouble()).isNotNegative();
        assertThat(s.get("tokens_per_s").asDouble()).isPositive();
    }

    @Test
    void runTraceHoldsThePromptAndTheGeneratedTokensOnly() throws Exception {
        Path trace = dir.resolve("run.jsonl");
        String model = Manifest.get("qwen3moe").modelFile().toString();
        capture("", "run", "--model", model, "-n", "6", "--greedy", "--no-echo", "--trace", trace.toString(), "Hello world");
        var lines = java.nio.file.Files.readAllLines(trace);
        ObjectMapper m = new ObjectMapper();
        java.util.Set<Integer> seqs = new java.util.TreeSet<>();
        java.util.Set<Integer> positions = new java.util.TreeSet<>();
        for (String l : lines) {
            JsonNode r = m.readTree(l);
            seqs.add(r.get("seq").asInt());
            positions.add(r.get("pos").asInt());
        }
        int prompt;
        try (var llm = org.moe4j.api.Moe4j.load(Path.of(model))) {
            prompt = llm.tokenize("Hello world").length;
        }
        // the JIT warm-up runs before the trace is installed; the last generated token is never fed back
        assertThat(seqs).hasSize(1);
        assertThat(positions).hasSize(prompt + 6 - 1);
        assertThat(lines).hasSize((prompt + 6 - 1) * 2);
    }

    private static String capture(String stdin, String... args) {
        InputStream oldIn = System.in;
        PrintStream oldOut = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.run(args)).isZero();
        } finally {
            System.setIn(oldIn);
            System.setOut(oldOut);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
