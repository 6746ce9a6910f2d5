package org.moe4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.moe4j.gguf.GGUFFile;
import org.moe4j.gguf.GGUFReader;
import org.moe4j.testing.SharedData;

/** The vocabularies of the conformance models load with the special tokens the conformance README states. */
class ModelVocabularyTest {
    private static Tokenizer load(String model) {
        Path p = SharedData.models().resolve(model + ".gguf");
        try (GGUFFile f = GGUFReader.open(p)) {
            return Tokenizer.fromGGUF(f);
        }
    }

    @Test
    void llamaMoeHasTheSentencePieceVocabulary() {
        Tokenizer t = load("llama-moe");
        assertThat(t).isInstanceOf(SentencePieceTokenizer.class);
        assertThat(t.vocabSize()).isEqualTo(1024);
        assertThat(t.bos()).isEqualTo(1);
        assertThat(t.eos()).isEqualTo(2);
        assertThat(t.piece(0)).isEqualTo("<unk>");
        assertThat(t.isEndOfGeneration(2)).isTrue();
        assertThat(t.encode("", true, false)).containsExactly(1);
        assertThat(t.tokenBytes(3 + 'A')).isEqualTo(new byte[] {'A'}); // <0x41>
    }

    @Test
    void qwen3moeHasTheByteLevelVocabulary() {
        Tokenizer t = load("qwen3moe");
        assertThat(t).isInstanceOf(BytePairTokenizer.class);
        assertThat(t.vocabSize()).isEqualTo(1024);
        assertThat(t.bos()).isEqualTo(1023);
        assertThat(t.eos()).isEqualTo(1023);
        assertThat(t.piece(1023)).isEqualTo("<|endoftext|>");
        assertThat(t.isEndOfGeneration(1023)).isTrue();
        assertThat(t.isControl(1023)).isTrue();
        assertThat(t.encode("<|endoftext|>", false, true)).containsExactly(1023);
        String text = "The quick brown fox jumps over the lazy dog.";
        assertThat(t.decode(t.encode(text, true, false))).isEqualTo(text);
    }
}
