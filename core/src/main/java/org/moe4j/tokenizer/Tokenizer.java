package org.moe4j.tokenizer;

import java.util.OptionalInt;
import org.moe4j.gguf.GGUFFile;

/**
 * Text to token ids and back, for the vocabulary stored in a GGUF file. Implementations reproduce the
 * reference engine (llama.cpp) token for token: SentencePiece (score-ordered merges with byte fallback),
 * byte-level BPE with the pre-tokenizer named in the file, and WordPiece. Instances are immutable and safe to
 * share between threads.
 */
public interface Tokenizer {

    /**
     * The tokenizer described by {@code tokenizer.ggml.*} metadata; the algorithm comes from
     * {@code tokenizer.ggml.model}: {@code llama} (SentencePiece), {@code gpt2} (byte-level BPE) or
     * {@code bert} (WordPiece).
     *
     * @throws IllegalArgumentException if the file has no vocabulary or names an unsupported model or pre-tokenizer
     */
    static Tokenizer fromGGUF(GGUFFile f) {
        String model = f.getString("tokenizer.ggml.model", null);
        if (model == null) {
            throw new IllegalArgumentException("GGUF file has no tokenizer: tokenizer.ggml.model is missing");
        }
        TokenizerKind kind = TokenizerKind.forModel(model);
        return switch (kind) {
            case SENTENCE_PIECE -> new SentencePieceTokenizer(VocabularyLoader.load(f, kind, null));
            case WORD_PIECE -> new WordPieceTokenizer(VocabularyLoader.load(f, kind, null));
            case BYTE_PAIR -> BytePairTokenizer.load(f);
        };
    }

    /**
     * Token ids for a text.
     *
     * @param addSpecial   add BOS/EOS (WordPiece: CLS/SEP) as the model's metadata asks
     * @param parseSpecial emit text that spells a control token (e.g. {@code <|im_start|>}) as that token;
     *                     otherwise such text is tokenized like any other. User-defined tokens always match.
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /**
     * The text of a token sequence: the concatenated {@link #tokenBytes} decoded as UTF-8 (invalid bytes
     * become U+FFFD), with the SentencePiece leading space of the text removed as {@link StreamingDecoder} does.
     */
    String decode(int[] ids);

    /** The token's vocabulary entry as stored (e.g. {@code ▁the}, {@code Ġthe}, {@code <0x0A>}). */
    String piece(int id);

    /**
     * The bytes the token contributes to decoded text: byte tokens give their byte, byte-level BPE pieces are
     * mapped back to bytes, SentencePiece {@code ▁} becomes a space, control and unknown tokens give nothing.
     */
    byte[] tokenBytes(int id);

    int vocabSize();

    /** The beginning-of-sequence token, or -1. */
    int bos();

    /** The end-of-sequence token, or -1. */
    int eos();

    /** Whether generation stops at this token (EOS, EOT, EOM and end-of-turn tokens such as {@code <|im_end|>}). */
    boolean isEndOfGeneration(int id);

    boolean isControl(int id);

    /** The id of a vocabulary entry, by its exact stored text. */
    OptionalInt tokenId(String piece);

    /** Whether encoding puts a space before the text (SentencePiece), which decoding then removes again. */
    boolean addsSpacePrefix();

    /** A decoder for a token stream that starts a text (see {@link StreamingDecoder}). */
    default StreamingDecoder newStreamingDecoder() {
        return new StreamingDecoder(this);
    }
}
