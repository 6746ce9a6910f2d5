package org.moe4j.tools.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moe4j.gguf.GGUFReader;
import org.moe4j.gguf.GGUFWriter;
import org.moe4j.tokenizer.Tokenizer;

class BpeTrainerTest {
    private static final Path CORPUS = org.moe4j.testing.SharedData.root().resolve("corpus");

    @Test
    void mergesTheMostFrequentPairsFirst() {
        BpeVocabulary v = new BpeTrainer(260).train(List.of("aaab aaab aaab ab ab"), null);
        // 256 bytes, three merges, end-of-text
        assertThat(v.size()).isEqualTo(260);
        assertThat(v.token(v.eos())).isEqualTo("<|endoftext|>");
        assertThat(v.token(256)).isEqualTo("aa");
        assertThat(v.encode("aaab")).hasSizeLessThan(4);
        assertThat(spelled(v, v.encode("aaab ab zq"))).isEqualTo("aaab\u0120ab\u0120zq"); // byte-level spelling of the space
    }

    @Test
    void mergeAllReplacesNonOverlappingOccurrencesLeftFirst() {
        assertThat(BpeTrainer.mergeAll(new int[]{1, 1, 1, 2}, 1, 1, 9)).containsExactly(9, 1, 2);
        assertThat(BpeTrainer.mergeAll(new int[]{1, 2, 1, 2}, 1, 2, 9)).containsExactly(9, 9);
        int[] none = {3, 4};
        assertThat(BpeTrainer.mergeAll(none, 1, 2, 9)).isSameAs(none);
    }

    @Test
    void rejectsTooSmallVocabularies() {
        assertThatThrownBy(() -> new BpeTrainer(100)).hasMessageContaining("between 258");
    }

    /** moe4j's tokenizer, reading the trained vocabulary from GGUF, encodes held-out corpus text exactly like the trainer. */
    @Test
    void moe4jTokenizerReproducesTheTrainersEncodingOnTheCorpus(@TempDir Path dir) throws Exception {
        List<TrainingCorpus.Part> parts = List.of(
                TrainingCorpus.split("kjv", Files.readString(CORPUS.resolve("kjv.txt")).substring(0, 250_000), 10),
                TrainingCorpus.split("sotu", Files.readString(CORPUS.resolve("state_of_the_union.txt")).substring(0, 250_000), 10));
        BpeVocabulary v = new BpeTrainer(1024).train(parts.stream().map(TrainingCorpus.Part::train).toList(), null);
        GGUFWriter w = new GGUFWriter();
        w.putString("general.architecture", "qwen3moe");
        v.writeTo(w);
        Path f = dir.resolve("vocab.gguf");
        w.write(f);
        try (var g = GGUFReader.open(f)) {
            Tokenizer tok = Tokenizer.fromGGUF(g);
            assertThat(tok.vocabSize()).isEqualTo(1024);
            for (TrainingCorpus.Part p : parts) {
                int[] mine = v.encode(p.heldOut());
                assertThat(tok.encode(p.heldOut(), false, false)).containsExactly(mine);
                assertThat(tok.decode(mine)).isEqualTo(p.heldOut());
            }
            assertThat(BpeVocabulary.fromGGUF(g).encode("And it came to pass")).containsExactly(v.encode("And it came to pass"));
        }
    }

    private static String spelled(BpeVocabulary v, int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) sb.append(v.token(id));
        return sb.toString();
    }
}
