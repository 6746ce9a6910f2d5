package org.moe4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moe4j.gguf.GGUFFile;
import org.moe4j.gguf.GGUFReader;
import org.moe4j.gguf.GGUFWriter;

/** BOS/EOS policy, special-token parsing, end-of-generation detection and token rendering. */
class SpecialTokensTest {
    private static Tokenizer vocab(String name) {
        return TokenizerTestData.load(TokenizerTestData.vocabulary(name));
    }

    private static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void addSpecialFollowsTheMetadataAndTheModelDefaults() {
        Tokenizer spm = vocab("llama-spm");
        assertThat(spm.encode("Hello", true, false)).startsWith(1).doesNotContain(2);
        assertThat(spm.encode("Hello", false, false)).doesNotContain(1);

        Tokenizer gpt2 = vocab("gpt-2"); // no add_bos_token key: byte-level BPE adds nothing by default
        assertThat(gpt2.encode("Hello", true, false)).isEqualTo(gpt2.encode("Hello", false, false));

        Tokenizer deepseek = vocab("deepseek-llm"); // add_bos_token = true
        assertThat(deepseek.encode("Hello", true, false)).startsWith(100000);
        assertThat(deepseek.bos()).isEqualTo(100000);
        assertThat(deepseek.eos()).isEqualTo(100001);

        Tokenizer bert = vocab("bert-bge");
        int[] ids = bert.encode("Hello world", true, false);
        assertThat(ids[0]).isEqualTo(101);
        assertThat(ids[ids.length - 1]).isEqualTo(102);
        assertThat(bert.eos()).isEqualTo(-1);
    }

    @Test
    void parseSpecialTurnsControlTokenTextIntoTheToken() {
        Tokenizer gpt2 = vocab("gpt-2");
        int[] parsed = gpt2.encode("Hello<|endoftext|> world", false, true);
        assertThat(parsed).contains(50256);
        assertThat(gpt2.encode("Hello<|endoftext|> world", false, false)).doesNotContain(50256);
        int[] hello = gpt2.encode("Hello", false, false);
        int[] world = gpt2.encode(" world", false, false);
        assertThat(parsed).isEqualTo(concat(hello, new int[] {50256}, world));

        Tokenizer spm = vocab("llama-spm");
        // after a special token SentencePiece starts a new text, with its own space prefix
        assertThat(spm.encode("<s>hi</s>", false, true)).isEqualTo(concat(new int[] {1}, spm.encode("hi", false, false), new int[] {2}));
        assertThat(spm.encode("<s>", false, false)).doesNotContain(1);
    }

    @Test
    void userDefinedTokensAlwaysMatch() {
        Tokenizer mpt = vocab("mpt"); // runs of spaces are user-defined tokens
        int[] ids = mpt.encode("a    b", false, false);
        assertThat(ids).contains(mpt.tokenId("    ").getAsInt());
    }

    @Test
    void phi3TokensEatTheWhitespaceThatFollowsThem() {
        Tokenizer phi3 = vocab("phi-3");
        int end = phi3.tokenId("<|end|>").getAsInt();
        assertThat(phi3.encode("Hi<|end|>\n  there", false, true))
                .isEqualTo(concat(phi3.encode("Hi", false, false), new int[] {end}, phi3.encode("there", false, false)));
    }

    @Test
    void endOfGeneration() {
        Tokenizer gpt2 = vocab("gpt-2");
        assertThat(gpt2.isEndOfGeneration(50256)).isTrue();
        assertThat(gpt2.isEndOfGeneration(0)).isFalse();
        assertThat(gpt2.isEndOfGeneration(-1)).isFalse();

        Tokenizer phi3 = vocab("phi-3");
        assertThat(phi3.isEndOfGeneration(32000)).isTrue(); // <|endoftext|>, the EOS
        assertThat(phi3.isEndOfGeneration(phi3.tokenId("<|end|>").getAsInt())).isTrue();
        assertThat(phi3.isEndOfGeneration(phi3.tokenId("<|assistant|>").getAsInt())).isFalse();
        assertThat(phi3.isControl(phi3.tokenId("<|end|>").getAsInt())).isTrue();

        Tokenizer spm = vocab("llama-spm");
        assertThat(spm.isEndOfGeneration(2)).isTrue();
        assertThat(spm.isEndOfGeneration(1)).isFalse();
    }

    @Test
    void tokenBytesRenderWhatTheTokenContributes() {
        Tokenizer spm = vocab("llama-spm");
        assertThat(str(spm.tokenBytes(spm.tokenId("<0x0A>").getAsInt()))).isEqualTo("\n");
        assertThat(str(spm.tokenBytes(spm.tokenId("\u2581Hello").getAsInt()))).isEqualTo(" Hello");
        assertThat(spm.tokenBytes(1)).isEmpty();
        assertThat(spm.tokenBytes(0)).isEmpty(); // <unk>
        assertThat(spm.piece(1)).isEqualTo("<s>");

        Tokenizer gpt2 = vocab("gpt-2");
        assertThat(str(gpt2.tokenBytes(gpt2.tokenId("\u0120world").getAsInt()))).isEqualTo(" world");
        assertThat(gpt2.tokenBytes(gpt2.tokenId("\u010A").getAsInt())).isEqualTo(new byte[] {'\n'});
        assertThat(gpt2.tokenBytes(50256)).isEmpty();
        assertThat(gpt2.tokenId("no such token").isPresent()).isFalse();
        assertThat(gpt2.piece(gpt2.tokenId("Hello").getAsInt())).isEqualTo("Hello");

        Tokenizer bert = vocab("bert-bge");
        assertThat(bert.decode(bert.encode("Hello World", false, false))).isEqualTo(" hello world");
    }

    @Test
    void unknownModelIsRejectedByName(@TempDir Path dir) {
        Path file = dir.resolve("t5.gguf");
        new GGUFWriter().putString("tokenizer.ggml.model", "t5")
                .putStrings("tokenizer.ggml.tokens", new String[] {"<pad>", "</s>", "<unk>"})
                .write(file);
        try (GGUFFile f = GGUFReader.open(file)) {
            assertThatThrownBy(() -> Tokenizer.fromGGUF(f)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'t5'");
        }
    }

    @Test
    void unknownPreTokenizerIsRejectedByName(@TempDir Path dir) {
        Path file = dir.resolve("bpe.gguf");
        new GGUFWriter().putString("tokenizer.ggml.model", "gpt2").putString("tokenizer.ggml.pre", "no-such-pre")
                .putStrings("tokenizer.ggml.tokens", new String[] {"a", "b", "ab"})
                .putStrings("tokenizer.ggml.merges", new String[] {"a b"})
                .write(file);
        try (GGUFFile f = GGUFReader.open(file)) {
            assertThatThrownBy(() -> Tokenizer.fromGGUF(f)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'no-such-pre'");
        }
    }

    @Test
    void harmonyVocabularyEndsGenerationAtReturnAndCallButNotAtEnd(@TempDir Path dir) {
        String[] tokens = {"a", "b", "ab", "<|endoftext|>", "<|return|>", "<|call|>", "<|end|>", "<|channel|>", "<|start|>"};
        int[] types = {1, 1, 1, 3, 3, 3, 3, 3, 3};
        Path file = dir.resolve("harmony.gguf");
        new GGUFWriter().putString("tokenizer.ggml.model", "gpt2").putString("tokenizer.ggml.pre", "gpt-4o")
                .putStrings("tokenizer.ggml.tokens", tokens).putInts("tokenizer.ggml.token_type", types)
                .putStrings("tokenizer.ggml.merges", new String[] {"a b"})
                .putUInt32("tokenizer.ggml.bos_token_id", 3).putUInt32("tokenizer.ggml.eos_token_id", 4)
                .write(file);
        try (GGUFFile f = GGUFReader.open(file)) {
            Tokenizer t = Tokenizer.fromGGUF(f);
            assertThat(t.isEndOfGeneration(4)).isTrue();
            assertThat(t.isEndOfGeneration(5)).isTrue();
            assertThat(t.isEndOfGeneration(3)).isTrue();
            assertThat(t.isEndOfGeneration(6)).as("<|end|> only ends a message").isFalse();
            assertThat(str(t.tokenBytes(7))).isEqualTo("<|channel|>"); // harmony markers are always rendered
            assertThat(t.isControl(7)).isFalse();
            assertThat(t.encode("ab<|channel|>ab", false, false)).containsExactly(2, 7, 2);
            assertThat(t.encode("ab<|return|>", false, true)).containsExactly(2, 4);
        }
    }

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
    }
}
