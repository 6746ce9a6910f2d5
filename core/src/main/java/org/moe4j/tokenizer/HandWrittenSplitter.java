package org.moe4j.tokenizer;

/**
 * Base of the splitters the reference implements by hand instead of by regex, for speed. Their results are
 * what the reference produces, including where they deviate from the regex they stand for.
 */
abstract class HandWrittenSplitter implements SplitRule {
    @Override
    public final IntList split(CodepointText text, IntList segments) {
        IntList out = new IntList(segments.size() * 4);
        int start = 0;
        for (int s = 0; s < segments.size(); s++) {
            int end = start + segments.get(s);
            scan(new SegmentScanner(text.cps, start, end, out));
            start = end;
        }
        return out;
    }

    abstract void scan(SegmentScanner s);

    /** {@code \s*[\r\n]+|\s+(?!\S)|\s+} at {@code pos}; returns the new position, or {@code pos} if no whitespace. */
    static int whitespaceRun(SegmentScanner s, int pos, boolean lineBreaksFirst) {
        int count = 0;
        int afterLastBreak = 0;
        while (SegmentScanner.isWhitespace(s.flags(pos + count))) {
            int c = s.cp(pos + count);
            if (c == '\r' || c == '\n') {
                afterLastBreak = pos + count + 1;
            }
            count++;
        }
        if (lineBreaksFirst && afterLastBreak > 0) {
            return afterLastBreak;
        }
        if (count > 1 && s.cp(pos + count) != SegmentScanner.NONE) {
            return pos + count - 1; // leave the last space to the word that follows
        }
        return pos + count;
    }
}
