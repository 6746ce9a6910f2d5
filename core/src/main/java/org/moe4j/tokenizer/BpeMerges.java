package org.moe4j.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The merge table of a byte-level BPE vocabulary, over symbol ids instead of strings so that merging a word
 * needs no string building. A symbol is any string that can take part in a merge: vocabulary tokens keep their
 * token id as symbol id, and the rare merge operands or results that are not tokens get ids after the
 * vocabulary. A merge's rank is its line number in {@code tokenizer.ggml.merges}; the first line wins.
 */
final class BpeMerges {
    private static final long EMPTY = -1L;

    private final Vocabulary vocab;
    private final Map<String, Integer> extraIds = new HashMap<>();
    private final List<String> extraTexts = new ArrayList<>();
    /** Symbol of every single character below U+0200, which covers the whole byte-level alphabet. */
    private final int[] charSymbols = new int[0x200];
    private long[] keys;
    private long[] values;
    private int mask;

    private BpeMerges(Vocabulary vocab, int expected) {
        this.vocab = vocab;
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[capacity];
        values = new long[capacity];
        mask = capacity - 1;
        Arrays.fill(keys, EMPTY);
    }

    static BpeMerges build(Vocabulary vocab, String[] merges) {
        BpeMerges table = new BpeMerges(vocab, merges.length);
        for (int rank = 0; rank < merges.length; rank++) {
            String m = merges[rank];
            int space = m.indexOf(' ', 1); // a merge may start with a space, so search from the second char
            if (space < 0) {
                continue;
            }
            String leftText = m.substring(0, space);
            String rightText = m.substring(space + 1);
            int left = table.intern(leftText);
            int right = table.intern(rightText);
            int result = table.intern(leftText.concat(rightText));
            table.putIfAbsent(key(left, right), ((long) rank << 32) | result);
        }
        for (char c = 0; c < table.charSymbols.length; c++) {
            table.charSymbols[c] = table.symbolOf(String.valueOf(c));
        }
        return table;
    }

    /** The symbol id of a string, or -1 if it occurs in no token and no merge. */
    int symbolOf(String text) {
        int id = vocab.id(text);
        if (id >= 0) {
            return id;
        }
        Integer extra = extraIds.get(text);
        return extra == null ? -1 : extra;
    }

    int symbolOf(char c) {
        return c < charSymbols.length ? charSymbols[c] : symbolOf(String.valueOf(c));
    }

    /** The token a symbol spells, or -1 if it is not a vocabulary entry. */
    int tokenOf(int symbol) {
        return symbol >= 0 && symbol < vocab.size() ? symbol : -1;
    }

    String text(int symbol) {
        return symbol < vocab.size() ? vocab.text(symbol) : extraTexts.get(symbol - vocab.size());
    }

    /** {@code rank << 32 | resultSymbol} of the merge of two adjacent symbols, or -1 if they do not merge. */
    long find(int left, int right) {
        long k = key(left, right);
        for (int i = slot(k); ; i = (i + 1) & mask) {
            long stored = keys[i];
            if (stored == k) {
                return values[i];
            }
            if (stored == EMPTY) {
                return -1;
            }
        }
    }

    /** The merged symbol of a {@link #find} result. */
    static int resultOf(long merge) {
        return (int) merge;
    }

    private int intern(String text) {
        int id = symbolOf(text);
        if (id >= 0) {
            return id;
        }
        id = vocab.size() + extraTexts.size();
        extraTexts.add(text);
        extraIds.put(text, id);
        return id;
    }

    private void putIfAbsent(long k, long value) {
        for (int i = slot(k); ; i = (i + 1) & mask) {
            if (keys[i] == k) {
                return;
            }
            if (keys[i] == EMPTY) {
                keys[i] = k;
                values[i] = value;
                return;
            }
        }
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long k) {
        return (int) ((k * 0x9E3779B97F4A7C15L) >>> 40) & mask;
    }
}
