package org.moe4j.tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.moe4j.gguf.GGUFFile;
import org.moe4j.gguf.GGUFReader;
import org.moe4j.testing.SharedData;

/** The reference tokenizer test vectors of the shared conformance data (see its README). */
final class TokenizerTestData {
    static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    /** One test string and the token ids the reference produced for it. */
    record Case(int index, String text, int[] expected) {
        @Override
        public String toString() {
            return "#" + index + " " + text.replace("\n", "\\n").replace("\t", "\\t");
        }
    }

    private TokenizerTestData() {
    }

    static Path folder() {
        Path dir = SharedData.conformance().resolve("tokenizer");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("tokenizer conformance data missing: " + dir);
        }
        return dir;
    }

    /** Every vocabulary file of the conformance folder, e.g. {@code ggml-vocab-gpt-2.gguf}. */
    static List<Path> vocabularies() {
        try (Stream<Path> files = Files.list(folder())) {
            return files.filter(p -> p.getFileName().toString().endsWith(".gguf")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path vocabulary(String name) {
        Path p = folder().resolve("ggml-vocab-" + name + ".gguf");
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("tokenizer conformance vocabulary missing: " + p);
        }
        return p;
    }

    static String shortName(Path vocab) {
        return vocab.getFileName().toString().replaceFirst("^ggml-vocab-", "").replaceFirst("\\.gguf$", "");
    }

    /** Tokenizers are immutable, so test classes share one per vocabulary file instead of reloading it. */
    private static final Map<Path, Tokenizer> LOADED = new ConcurrentHashMap<>();

    static Tokenizer load(Path vocab) {
        return LOADED.computeIfAbsent(vocab.toAbsolutePath().normalize(), p -> {
            try (GGUFFile f = GGUFReader.open(p)) {
                return Tokenizer.fromGGUF(f);
            }
        });
    }

    static List<Case> cases(Path vocab) {
        try {
            String inp = Files.readString(Path.of(vocab + ".inp"), StandardCharsets.UTF_8);
            List<String> out = Files.readAllLines(Path.of(vocab + ".out"), StandardCharsets.UTF_8);
            if (!inp.endsWith(SEPARATOR)) {
                throw new IllegalStateException(vocab + ".inp does not end with the test separator");
            }
            String[] texts = inp.substring(0, inp.length() - SEPARATOR.length()).split(SEPARATOR, -1);
            if (texts.length != out.size()) {
                throw new IllegalStateException(vocab + ": " + texts.length + " inputs but " + out.size() + " outputs");
            }
            List<Case> cases = new ArrayList<>();
            for (int i = 0; i < texts.length; i++) {
                String line = out.get(i).strip();
                int[] ids = line.isEmpty() ? new int[0] : Arrays.stream(line.split(" ")).mapToInt(Integer::parseInt).toArray();
                cases.add(new Case(i, texts[i], ids));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
