package org.moe4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SentencePiece and byte-level BPE are lossless: decoding the tokens of a text gives the text back, except
 * where the encoding contains tokens that render nothing (control or unknown tokens), where the reference
 * cannot round-trip either. WordPiece lower-cases and drops accents, so it is not tested here.
 */
class RoundTripTest {
    static Stream<Path> losslessVocabularies() {
        return TokenizerTestData.vocabularies().stream().filter(p -> !TokenizerTestData.shortName(p).startsWith("bert"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("losslessVocabularies")
    void decodeOfEncodeGivesTheTextBack(Path vocab) {
        Tokenizer tokenizer = TokenizerTestData.load(vocab);
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (TokenizerTestData.Case c : TokenizerTestData.cases(vocab)) {
            int[] ids = tokenizer.encode(c.text(), false, false);
            if (Arrays.stream(ids).anyMatch(id -> tokenizer.tokenBytes(id).length == 0)) {
                continue;
            }
            checked++;
            String decoded = tokenizer.decode(ids);
            if (!decoded.equals(c.text())) {
                failures.add(c + " -> '" + decoded + "'");
            }
        }
        assertThat(failures).isEmpty();
        assertThat(checked).isEqualTo(46);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("losslessVocabularies")
    void decodeOfEncodeWithSpecialTokensGivesTheTextBack(Path vocab) {
        Tokenizer tokenizer = TokenizerTestData.load(vocab);
        String text = "Hello world, this is a test: 3.14 \uD83E\uDD99 \u6211\u60F3 caf\u00E9\n";
        assertThat(tokenizer.decode(tokenizer.encode(text, true, false))).isEqualTo(text);
    }
}
