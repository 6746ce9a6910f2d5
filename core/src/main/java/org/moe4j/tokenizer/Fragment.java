package org.moe4j.tokenizer;

/** A piece of the input: either a special token matched in the text, or a stretch of text still to tokenize. */
record Fragment(int token, int start, int end) {
    static Fragment text(int start, int end) {
        return new Fragment(-1, start, end);
    }

    static Fragment token(int id) {
        return new Fragment(id, 0, 0);
    }

    boolean isToken() {
        return token >= 0;
    }
}
