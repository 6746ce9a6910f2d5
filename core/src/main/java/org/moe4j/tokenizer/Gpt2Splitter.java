package org.moe4j.tokenizer;

/** GPT-2's pre-tokenizer: {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}. */
final class Gpt2Splitter extends HandWrittenSplitter {
    @Override
    void scan(SegmentScanner s) {
        int pos = s.from;
        while (pos < s.to) {
            int cp = s.cp(pos);
            int contraction = s.contractionLength(pos, false);
            if (contraction > 0) {
                pos += contraction;
                s.emit(pos);
                continue;
            }
            int space = cp == ' ' ? 1 : 0;
            int flags = s.flags(pos + space);
            if (SegmentScanner.isLetter(flags)) {
                pos += space;
                while (SegmentScanner.isLetter(s.flags(pos))) {
                    pos++;
                }
                s.emit(pos);
                continue;
            }
            if (SegmentScanner.isNumber(flags)) {
                pos += space;
                while (SegmentScanner.isNumber(s.flags(pos))) {
                    pos++;
                }
                s.emit(pos);
                continue;
            }
            if (SegmentScanner.isOther(flags)) {
                pos += space;
                while (SegmentScanner.isOther(s.flags(pos))) {
                    pos++;
                }
                s.emit(pos);
                continue;
            }
            int next = whitespaceRun(s, pos, false);
            pos = next > pos ? next : pos + 1;
            s.emit(pos);
        }
    }

    @Override
    public String toString() {
        return "gpt2 splitter";
    }
}
