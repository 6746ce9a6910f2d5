package org.moe4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moe4j.gguf.GGUFFile;
import org.moe4j.gguf.GGUFReader;
import org.moe4j.gguf.GGUFWriter;

class WordPieceTokenizerTest {
    @Test
    void normalizesAndSplitsLikeBert() {
        Tokenizer bert = TokenizerTestData.load(TokenizerTestData.vocabulary("bert-bge"));
        WordPieceTokenizer wpm = (WordPieceTokenizer) bert;
        assertThat(wpm.words("H\u00E9llo,WORLD! caf\u00E9\u4E16\u754C x\u0301y $5"))
                .containsExactly("hello", ",", "world", "!", "cafe", "\u4E16", "\u754C", "xy", "$", "5");
        int unk = 100;
        assertThat(bert.encode("\uD83E\uDD99", false, false)).containsExactly(unk);
    }

    /** Vocabularies that kept BERT's {@code ##} spelling are matched piece by piece. */
    @Test
    void hashContinuationVocabulary(@TempDir Path dir) {
        String[] tokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "hello", "##s", "world", "un", "##aff", "##able", ","};
        int[] types = {3, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1};
        Path file = dir.resolve("bert.gguf");
        new GGUFWriter().putString("tokenizer.ggml.model", "bert").putStrings("tokenizer.ggml.tokens", tokens)
                .putInts("tokenizer.ggml.token_type", types).putUInt32("tokenizer.ggml.unknown_token_id", 1)
                .putUInt32("tokenizer.ggml.bos_token_id", 2).putUInt32("tokenizer.ggml.seperator_token_id", 3)
                .write(file);
        try (GGUFFile f = GGUFReader.open(file)) {
            Tokenizer t = Tokenizer.fromGGUF(f);
            assertThat(t.encode("Unaffable worlds, hello xyz", true, false)).containsExactly(2, 7, 8, 9, 6, 5, 10, 4, 1, 3);
            assertThat(t.decode(new int[] {7, 8, 9, 6, 5})).isEqualTo(" unaffable worlds");
        }
    }
}
