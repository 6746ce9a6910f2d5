package org.moe4j.tokenizer;

import java.util.List;

/**
 * SentencePiece BPE as the reference runs it: spaces become {@code ▁}, adjacent symbols are merged greedily,
 * always the pair whose merged text is the vocabulary entry with the highest score (ties: leftmost), and
 * characters no token covers fall back to {@code <0xAB>} byte tokens.
 */
final class SentencePieceTokenizer extends AbstractTokenizer {
    static final char SPACE = '\u2581';

    SentencePieceTokenizer(Vocabulary vocab) {
        super(vocab);
    }

    @Override
    void encode(String text, List<Fragment> fragments, boolean addSpecial, IntList out) {
        SpecialTokens special = vocab.special();
        if (addSpecial && special.addBos() && special.bos() >= 0) {
            out.add(special.bos());
        }
        // the space prefix goes at the start of the text and after every special token
        boolean afterSpecial = true;
        for (Fragment f : fragments) {
            if (f.isToken()) {
                out.add(f.token());
                afterSpecial = true;
                continue;
            }
            String piece = text.substring(f.start(), f.end());
            if (special.addSpacePrefix() && afterSpecial) {
                piece = " " + piece;
            }
            new Session(piece.replace(' ', SPACE), out).run();
            afterSpecial = false;
        }
        if (addSpecial && special.addEos() && special.eos() >= 0) {
            out.add(special.eos());
        }
    }

    @Override
    byte[] normalTokenBytes(String text) {
        return Utf8.bytes(text.replace(SPACE, ' '));
    }

    /** One text: symbols start as single code points, linked in a list, and merge until no pair is a token. */
    private final class Session {
        private final String text;
        private final IntList out;
        private final int[] start;
        private final int[] length;
        private final int[] prev;
        private final int[] next;
        private final MergeQueue queue = new MergeQueue();

        Session(String text, IntList out) {
            this.text = text;
            this.out = out;
            int n = text.codePointCount(0, text.length());
            start = new int[n];
            length = new int[n];
            prev = new int[n];
            next = new int[n];
            for (int i = 0, pos = 0; i < n; i++) {
                start[i] = pos;
                length[i] = Character.charCount(text.codePointAt(pos));
                pos += length[i];
                prev[i] = i - 1;
                next[i] = i + 1 < n ? i + 1 : -1;
            }
        }

        void run() {
            if (start.length == 0) {
                return;
            }
            for (int i = 1; i < start.length; i++) {
                tryMerge(i - 1, i);
            }
            while (!queue.isEmpty()) {
                queue.pop();
                int l = queue.poppedLeft;
                int r = queue.poppedRight;
                // stale when either side was merged away or grew since the pair was queued
                if (length[l] == 0 || length[r] == 0 || length[l] + length[r] != queue.poppedA) {
                    continue;
                }
                length[l] += length[r];
                length[r] = 0;
                next[l] = next[r];
                if (next[r] >= 0) {
                    prev[next[r]] = l;
                }
                tryMerge(prev[l], l);
                tryMerge(l, next[l]);
            }
            for (int i = 0; i != -1; i = next[i]) {
                emit(i);
            }
        }

        private void tryMerge(int l, int r) {
            if (l < 0 || r < 0) {
                return;
            }
            int merged = length[l] + length[r];
            int id = vocab.id(text.substring(start[l], start[l] + merged));
            if (id >= 0) {
                queue.push(descending(vocab.score(id)), l, r, merged, 0);
            }
        }

        /**
         * Every merged symbol is a token by construction, so only single characters can miss the vocabulary;
         * they are spelled with byte tokens.
         */
        private void emit(int i) {
            String symbol = text.substring(start[i], start[i] + length[i]);
            int id = vocab.id(symbol);
            if (id >= 0) {
                out.add(id);
                return;
            }
            for (byte b : Utf8.bytes(symbol)) {
                int byteId = vocab.byteToken(b);
                if (byteId >= 0) {
                    out.add(byteId);
                }
            }
        }
    }

    /** A queue priority that pops higher scores first (the queue is a min-heap). */
    private static long descending(float score) {
        int bits = Float.floatToIntBits(score == 0f ? 0f : score);
        int ordered = bits >= 0 ? bits : bits ^ 0x7FFFFFFF;
        return -(long) ordered;
    }
}
