package org.moe4j.tokenizer;

import java.util.List;

/**
 * The words a byte-level BPE vocabulary merges inside, cut by the pre-tokenizer that {@code tokenizer.ggml.pre}
 * names and spelled in the byte-level alphabet. A tokenizer trainer must split its corpus exactly as the
 * tokenizer that later reads the vocabulary does, so it uses this instead of a copy of the split rule.
 */
public final class ByteLevelWords {
    private final PreTokenizer preTokenizer;

    private ByteLevelWords(PreTokenizer preTokenizer) {
        this.preTokenizer = preTokenizer;
    }

    /** @throws IllegalArgumentException if moe4j does not know the pre-tokenizer */
    public static ByteLevelWords of(String preTokenizerName) {
        return new ByteLevelWords(PreTokenizers.forName(preTokenizerName));
    }

    /** The words of {@code text} in order, as written (their concatenation is the text). */
    public List<String> split(String text) {
        return preTokenizer.split(text);
    }

    /** A word's UTF-8 bytes, one byte-level alphabet character each (the spelling vocabulary entries use). */
    public static String spell(String word) {
        return ByteUnicode.encode(word);
    }

    /** The byte-level alphabet character that stands for byte {@code b}. */
    public static char charOf(int b) {
        return ByteUnicode.charOf(b);
    }
}
