package org.moe4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every test string of every conformance vocabulary tokenizes to exactly the reference's ids (no BOS/EOS,
 * special-token text taken as plain text).
 */
class TokenizerConformanceTest {
    static final List<String> EXPECTED = List.of("bert-bge", "deepseek-coder", "deepseek-llm", "falcon", "gpt-2",
            "llama-spm", "mpt", "phi-3", "refact", "starcoder");

    static Stream<Path> vocabularies() {
        return TokenizerTestData.vocabularies().stream();
    }

    @Test
    void allExpectedVocabulariesArePresent() {
        List<String> names = TokenizerTestData.vocabularies().stream().map(TokenizerTestData::shortName).toList();
        assertThat(names).containsAll(EXPECTED);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vocabularies")
    void matchesReferenceTokenization(Path vocab) {
        Tokenizer tokenizer = TokenizerTestData.load(vocab);
        List<TokenizerTestData.Case> cases = TokenizerTestData.cases(vocab);
        assertThat(cases).hasSize(46);
        List<String> failures = new ArrayList<>();
        for (TokenizerTestData.Case c : cases) {
            int[] actual = tokenizer.encode(c.text(), false, false);
            if (!Arrays.equals(actual, c.expected())) {
                failures.add(c + "\n    expected " + Arrays.toString(c.expected()) + "\n    actual   " + Arrays.toString(actual));
            }
        }
        assertThat(failures).as("mismatches for " + TokenizerTestData.shortName(vocab)).isEmpty();
    }
}
