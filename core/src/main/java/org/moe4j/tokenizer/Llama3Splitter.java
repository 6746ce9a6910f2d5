package org.moe4j.tokenizer;

/**
 * LLaMA 3's pre-tokenizer: {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
 * ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+}.
 */
final class Llama3Splitter extends HandWrittenSplitter {
    @Override
    void scan(SegmentScanner s) {
        int pos = s.from;
        while (pos < s.to) {
            int cp = s.cp(pos);
            int flags = s.flags(pos);
            int contraction = s.contractionLength(pos, true);
            if (contraction > 0) {
                pos += contraction;
                s.emit(pos);
                continue;
            }
            if (!(cp == '\r' || cp == '\n' || SegmentScanner.isNumber(flags))
                    && (SegmentScanner.isLetter(flags) || SegmentScanner.isLetter(s.flags(pos + 1)))) {
                pos++;
                while (SegmentScanner.isLetter(s.flags(pos))) {
                    pos++;
                }
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
            // the reference tests the current character here, not the one after the optional space
            if (SegmentScanner.isOther(s.flags(pos + space)) || (space == 1 && s.flags(pos + 1) == 0)) {
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

    @Override
    public String toString() {
        return "llama3 splitter";
    }
}
