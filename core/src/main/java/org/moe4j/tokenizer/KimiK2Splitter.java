package org.moe4j.tokenizer;

/**
 * Kimi-K2's pre-tokenizer: runs of Han ideographs, then LLaMA-3-like words whose letters exclude Han
 * (with an optional contraction suffix), numbers in groups of up to three, punctuation and whitespace.
 */
final class KimiK2Splitter extends HandWrittenSplitter {
    @Override
    void scan(SegmentScanner s) {
        int pos = s.from;
        while (pos < s.to) {
            int cp = s.cp(pos);
            int flags = s.flags(pos);
            if (CodepointFlags.isHan(cp)) {
                while (CodepointFlags.isHan(s.cp(pos))) {
                    pos++;
                }
                s.emit(pos);
                continue;
            }
            boolean leadCandidate = !(cp == '\r' || cp == '\n' || SegmentScanner.isLetter(flags) || SegmentScanner.isNumber(flags));
            if (isNonHanLetter(s, pos) || (leadCandidate && isNonHanLetter(s, pos + 1))) {
                if (leadCandidate) {
                    pos++;
                }
                while (isNonHanLetter(s, pos)) {
                    pos++;
                }
                pos += s.contractionLength(pos, true);
                s.emit(pos);
                continue;
            }
            if (SegmentScanner.isNumber(flags)) {
                int groupStart = pos;
                while (SegmentScanner.isNumber(s.flags(pos))) {
                    if (++pos - groupStart >= 3) {
                        s.emit(pos);
                        groupStart = pos;
                    }
                }
                s.emit(pos);
                continue;
            }
            int space = cp == ' ' ? 1 : 0;
            if (SegmentScanner.isOther(s.flags(pos + space))) {
                pos += space;
                while (SegmentScanner.isOther(s.flags(pos))) {
                    pos++;
                }
                while (s.cp(pos) == '\r' || s.cp(pos) == '\n') {
                    pos++;
                }
                s.emit(pos);
                continue;
            }
            int next = whitespaceRun(s, pos, true);
            pos = next > pos ? next : pos + 1;
            s.emit(pos);
        }
    }

    private static boolean isNonHanLetter(SegmentScanner s, int pos) {
        return SegmentScanner.isLetter(s.flags(pos)) && !CodepointFlags.isHan(s.cp(pos));
    }

    @Override
    public String toString() {
        return "kimi-k2 splitter";
    }
}
