package org.moe4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.moe4j.gguf.GGUFFile;
import org.moe4j.gguf.GGUFReader;
import org.moe4j.gguf.GGUFWriter;

/**
 * Guards against quadratic behaviour. Limits are CPU time of this thread (the build machine is shared, wall
 * time is not meaningful) and generous: they include JIT warm-up; a quadratic algorithm would miss them by
 * orders of magnitude.
 */
class PerformanceTest {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private static String megabyteOfText() {
        String base = String.join("", TokenizerTestData.cases(TokenizerTestData.vocabulary("gpt-2")).stream()
                .map(TokenizerTestData.Case::text).toList());
        StringBuilder sb = new StringBuilder(1 << 20);
        while (sb.length() < (1 << 20)) {
            sb.append(base).append(" The quick brown fox jumps over the lazy dog. ");
        }
        return sb.toString();
    }

    private static double cpuSeconds(Runnable r) {
        long t0 = THREADS.getCurrentThreadCpuTime();
        r.run();
        return (THREADS.getCurrentThreadCpuTime() - t0) / 1e9;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-spm", "gpt-2", "deepseek-llm", "bert-bge"})
    void encodesAMegabyteQuickly(String name) {
        Tokenizer t = TokenizerTestData.load(TokenizerTestData.vocabulary(name));
        String text = megabyteOfText();
        int[][] ids = new int[1][];
        double seconds = cpuSeconds(() -> ids[0] = t.encode(text, true, true));
        assertThat(ids[0].length).isGreaterThan(100_000);
        assertThat(seconds).as("CPU seconds to encode 1 MB with " + name).isLessThan(5.0);
    }

    @Test
    void spmMergesALongWordWithoutSpaces() {
        Tokenizer t = TokenizerTestData.load(TokenizerTestData.vocabulary("llama-spm"));
        String text = "abcdefghij".repeat(50_000);
        double seconds = cpuSeconds(() -> t.encode(text, false, false));
        assertThat(seconds).isLessThan(5.0);
    }

    /** A synthetic byte-level vocabulary of 150k tokens and merges, the size of Qwen's or LLaMA 3's. */
    @Test
    void loadsA150kVocabularyQuickly(@TempDir Path dir) {
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(String.valueOf(ByteUnicode.charOf(b)));
        }
        Set<String> seen = new HashSet<>(tokens);
        List<String> merges = new ArrayList<>();
        Random random = new Random(42);
        while (tokens.size() < 150_000) {
            String left = tokens.get(random.nextInt(tokens.size()));
            String right = tokens.get(random.nextInt(Math.min(tokens.size(), 5000)));
            if (left.length() + right.length() <= 16 && seen.add(left + right)) {
                tokens.add(left + right);
                merges.add(left + " " + right);
            }
        }
        Path file = dir.resolve("big.gguf");
        new GGUFWriter().putString("tokenizer.ggml.model", "gpt2").putString("tokenizer.ggml.pre", "qwen2")
                .putStrings("tokenizer.ggml.tokens", tokens.toArray(String[]::new))
                .putStrings("tokenizer.ggml.merges", merges.toArray(String[]::new))
                .write(file);
        try (GGUFFile f = GGUFReader.open(file)) {
            f.getStringArray("tokenizer.ggml.tokens"); // reading the file is not the tokenizer's cost
            Tokenizer[] t = new Tokenizer[1];
            double seconds = cpuSeconds(() -> t[0] = Tokenizer.fromGGUF(f));
            assertThat(t[0].vocabSize()).isEqualTo(150_000);
            assertThat(seconds).as("CPU seconds to load a 150k vocabulary").isLessThan(1.5);
            String text = "hello world";
            assertThat(t[0].decode(t[0].encode(text, false, false))).isEqualTo(text);
        }
    }
}
