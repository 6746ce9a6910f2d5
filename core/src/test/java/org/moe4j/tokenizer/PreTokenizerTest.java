package org.moe4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreTokenizerTest {
    private static final String GPT2_REGEX = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
    private static final String LLAMA3_REGEX = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"
            + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static List<String> texts() {
        List<String> texts = new ArrayList<>();
        TokenizerTestData.cases(TokenizerTestData.vocabulary("gpt-2")).forEach(c -> texts.add(c.text()));
        texts.add("Hello World HELLO world's I'M 'Re\u00A0x\u3000y \u2028z  \n\n  end  ");
        return texts;
    }

    private static List<String> split(SplitRule rule, String text) {
        return new PreTokenizer("test", List.of(rule), false, false, false).split(text);
    }

    @Test
    void everyPreTokenizerKeepsAllTheText() {
        for (String name : PreTokenizers.names()) {
            PreTokenizer pre = PreTokenizers.forName(name);
            for (String text : texts()) {
                assertThat(String.join("", pre.split(text))).as(name + " on '" + text + "'").isEqualTo(text);
            }
        }
    }

    /** The reference's hand-written splitters stand for these regexes; on this text they agree. */
    @Test
    void handWrittenSplittersAgreeWithTheirRegexes() {
        for (String text : texts()) {
            assertThat(split(new Gpt2Splitter(), text)).as("gpt2 '" + text + "'")
                    .isEqualTo(split(new RegexSplitRule(GPT2_REGEX + "|\\s+"), text));
            assertThat(split(new Llama3Splitter(), text)).as("llama3 '" + text + "'")
                    .isEqualTo(split(new RegexSplitRule(LLAMA3_REGEX), text));
        }
    }

    @Test
    void llama3GroupsDigitsByThreeAndKeepsOneLeadingCharacter() {
        PreTokenizer pre = PreTokenizers.forName("llama-bpe");
        assertThat(pre.split("Hello world 1234567 it's\n\n(ok)"))
                .containsExactly("Hello", " world", " ", "123", "456", "7", " it", "'s", "\n\n", "(ok", ")");
        assertThat(pre.ignoreMerges()).isTrue();
        assertThat(pre.addBos()).isTrue();
    }

    @Test
    void gpt2KeepsTheSpaceBeforeAWordAndSplitsContractions() {
        PreTokenizer pre = PreTokenizers.forName("gpt-2");
        assertThat(pre.split("I'll  go 42x")).containsExactly("I", "'ll", " ", " go", " 42", "x");
    }

    @Test
    void qwen2SplitsEveryDigit() {
        assertThat(PreTokenizers.forName("qwen2").split("abc 2024!")).containsExactly("abc", " ", "2", "0", "2", "4", "!");
    }

    @Test
    void gpt4oSplitsCamelCaseAndKeepsContractionsOnWords() {
        assertThat(PreTokenizers.forName("gpt-4o").split("HelloWorld don't 12345"))
                .containsExactly("Hello", "World", " don't", " ", "123", "45");
    }

    @Test
    void deepseekLlmSplitsLettersPunctuationCjkAndDigits() {
        assertThat(PreTokenizers.forName("deepseek-llm").split("Hello, \u4E16\u754C 42\n"))
                .containsExactly("Hello", ",", " ", "\u4E16\u754C", " ", "42", "\n");
    }

    @Test
    void kimiK2SeparatesHanFromOtherLetters() {
        assertThat(PreTokenizers.forName("kimi-k2").split("abc\u4E16\u754Cdef's"))
                .containsExactly("abc", "\u4E16\u754C", "def's");
    }

    @Test
    void longRunsDoNotOverflowTheStack() {
        String letters = "a".repeat(200_000) + "B".repeat(100_000) + " " + "\u00E9".repeat(100_000);
        for (String name : List.of("gpt-4o", "tekken", "qwen2", "deepseek-v3", "seed-coder", "poro-chat", "deepseek-llm")) {
            PreTokenizer pre = PreTokenizers.forName(name);
            assertThat(String.join("", pre.split(letters))).as(name).hasSize(letters.length());
        }
    }
}
