package org.moe4j.tokenizer;

import java.util.Map;

/** Token texts, scores and attributes, the text-to-id index, and the special tokens of one model. */
final class Vocabulary {
    private final TokenizerKind kind;
    private final String[] texts;
    private final float[] scores;
    private final int[] attrs;
    private final Map<String, Integer> ids;
    private final int maxTokenChars;
    private final SpecialTokens special;
    private final int[] specialTokensByLength;
    private final boolean lowercase;
    private final boolean stripAccents;
    private final int[] byteTokens = new int[256];

    Vocabulary(TokenizerKind kind, String[] texts, float[] scores, int[] attrs, Map<String, Integer> ids,
               SpecialTokens special, int[] specialTokensByLength, boolean lowercase, boolean stripAccents) {
        this.kind = kind;
        this.texts = texts;
        this.scores = scores;
        this.attrs = attrs;
        this.ids = ids;
        this.special = special;
        this.specialTokensByLength = specialTokensByLength;
        this.lowercase = lowercase;
        this.stripAccents = stripAccents;
        int max = 0;
        for (String t : texts) {
            max = Math.max(max, t.length());
        }
        this.maxTokenChars = max;
        for (int b = 0; b < 256; b++) {
            int id = id(String.format("<0x%02X>", b));
            if (id < 0 && b < 0x80) {
                id = id(String.valueOf((char) b));
            }
            byteTokens[b] = id >= 0 ? id : special.unk();
        }
    }

    TokenizerKind kind() {
        return kind;
    }

    int size() {
        return texts.length;
    }

    String text(int id) {
        return texts[id];
    }

    float score(int id) {
        return scores[id];
    }

    int attr(int id) {
        return attrs[id];
    }

    boolean has(int id, int attr) {
        return (attrs[id] & attr) != 0;
    }

    /** The id of a token text, or -1. Every token counts, special ones included, as in the reference. */
    int id(String text) {
        Integer id = ids.get(text);
        return id == null ? -1 : id;
    }

    int maxTokenChars() {
        return maxTokenChars;
    }

    SpecialTokens special() {
        return special;
    }

    /** Control, user-defined and unknown tokens, longest text first: the order special text is matched in. */
    int[] specialTokensByLength() {
        return specialTokensByLength;
    }

    boolean lowercase() {
        return lowercase;
    }

    boolean stripAccents() {
        return stripAccents;
    }

    /**
     * The token that spells one raw byte: {@code <0xAB>}, else the one-byte text itself (only possible for
     * ASCII), else the unknown token, else -1.
     */
    int byteToken(int b) {
        return byteTokens[b & 0xFF];
    }
}
