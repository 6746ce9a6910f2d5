package org.moe4j.tokenizer;

/**
 * The cursor the hand-written splitters walk a segment with. Positions outside the segment read as "no
 * character" (code point -1, no flags), which is how lookaheads such as {@code (?!\S)} see a segment's end.
 */
final class SegmentScanner {
    static final int NONE = -1;

    private final int[] cps;
    final int from;
    final int to;
    private final IntList out;
    private int pieceStart;

    SegmentScanner(int[] cps, int from, int to, IntList out) {
        this.cps = cps;
        this.from = from;
        this.to = to;
        this.out = out;
        this.pieceStart = from;
    }

    int cp(int pos) {
        return pos >= from && pos < to ? cps[pos] : NONE;
    }

    int flags(int pos) {
        return pos >= from && pos < to ? CodepointFlags.of(cps[pos]) : 0;
    }

    /** Ends the current piece at {@code end}; returns its length (0 pieces are not emitted). */
    int emit(int end) {
        int len = end - pieceStart;
        if (len > 0) {
            out.add(len);
        }
        pieceStart = end;
        return len;
    }

    static boolean isLetter(int flags) {
        return (flags & CodepointFlags.LETTER) != 0;
    }

    static boolean isNumber(int flags) {
        return (flags & CodepointFlags.NUMBER) != 0;
    }

    static boolean isWhitespace(int flags) {
        return (flags & CodepointFlags.WHITESPACE) != 0;
    }

    /** {@code [^\s\p{L}\p{N}]}: a real character that is neither whitespace, letter nor number. */
    static boolean isOther(int flags) {
        return flags != 0 && (flags & (CodepointFlags.WHITESPACE | CodepointFlags.LETTER | CodepointFlags.NUMBER)) == 0;
    }

    /** Length of an English contraction ('s 't 'm 'd 're 've 'll) starting at {@code pos}, or 0. */
    int contractionLength(int pos, boolean ignoreCase) {
        if (cp(pos) != '\'' || pos + 1 >= to) {
            return 0;
        }
        int next = ignoreCase ? lower(cp(pos + 1)) : cp(pos + 1);
        if (next == 's' || next == 't' || next == 'm' || next == 'd') {
            return 2;
        }
        if (pos + 2 < to) {
            int nextNext = ignoreCase ? lower(cp(pos + 2)) : cp(pos + 2);
            if ((next == 'r' && nextNext == 'e') || (next == 'v' && nextNext == 'e') || (next == 'l' && nextNext == 'l')) {
                return 3;
            }
        }
        return 0;
    }

    private static int lower(int cp) {
        return cp < 0 ? cp : CodepointFlags.toLower(cp);
    }
}
