package org.moe4j.trace;

import java.nio.charset.StandardCharsets;
import java.util.function.IntFunction;
import org.moe4j.gguf.GGUFFile;
import org.moe4j.tokenizer.Tokenizer;

/** Token texts for a trace from a tokenizer. */
public final class TokenTexts {
    private TokenTexts() {
    }

    /** Token texts from the tokenizer of a model file, or null when the file has none moe4j can read. */
    public static IntFunction<String> of(GGUFFile f) {
        try {
            return of(Tokenizer.fromGGUF(f));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The text a token adds to decoded output; tokens that add none (control tokens such as BOS) show their
     * vocabulary entry, so the per-token view still shows where they are. A token holding part of a UTF-8
     * character shows U+FFFD.
     */
    public static IntFunction<String> of(Tokenizer tok) {
        return id -> {
            byte[] b = tok.tokenBytes(id);
            return b.length > 0 ? new String(b, StandardCharsets.UTF_8) : tok.piece(id);
        };
    }
}
