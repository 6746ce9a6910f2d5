package org.moe4j.tokenizer;

import java.util.List;
import org.moe4j.gguf.GGUFFile;

/**
 * Byte-level BPE (GPT-2 family): the pre-tokenizer cuts the text into words, each word is spelled in the
 * byte-level alphabet and merged pair by pair, always the pair with the lowest merge rank (ties: leftmost).
 */
final class BytePairTokenizer extends AbstractTokenizer {
    private final PreTokenizer preTokenizer;
    private final BpeMerges merges;

    private BytePairTokenizer(Vocabulary vocab, PreTokenizer preTokenizer, BpeMerges merges) {
        super(vocab);
        this.preTokenizer = preTokenizer;
        this.merges = merges;
    }

    static BytePairTokenizer load(GGUFFile f) {
        PreTokenizer pre = PreTokenizers.forName(f.getString("tokenizer.ggml.pre", ""));
        Vocabulary vocab = VocabularyLoader.load(f, TokenizerKind.BYTE_PAIR, pre);
        String[] mergeLines = f.getStringArray("tokenizer.ggml.merges");
        if (mergeLines == null) {
            if (!pre.name().equals("kimi-k2")) { // Kimi-K2 files carry no merges, as in the reference
                throw new IllegalArgumentException("byte-level BPE vocabulary without tokenizer.ggml.merges");
            }
            mergeLines = new String[0];
        }
        return new BytePairTokenizer(vocab, pre, BpeMerges.build(vocab, mergeLines));
    }

    @Override
    void encode(String text, List<Fragment> fragments, boolean addSpecial, IntList out) {
        SpecialTokens special = vocab.special();
        if (addSpecial && special.addBos() && special.bos() >= 0) {
            out.add(special.bos());
        }
        WordMerger merger = new WordMerger();
        for (Fragment f : fragments) {
            if (f.isToken()) {
                out.add(f.token());
                continue;
            }
            for (String word : preTokenizer.split(text.substring(f.start(), f.end()))) {
                merger.encode(ByteUnicode.encode(word), out);
            }
        }
        if (addSpecial && special.addEos() && special.eos() >= 0) {
            out.add(special.eos());
        }
    }

    @Override
    byte[] normalTokenBytes(String text) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(text.length());
        text.codePoints().forEach(cp -> {
            int b = ByteUnicode.byteOf(cp);
            if (b >= 0) {
                bytes.write(b);
            } else {
                // not in the byte-level alphabet: the reference writes a visible marker instead of failing
                StringBuilder marker = new StringBuilder("[UNK_BYTE_0x");
                for (byte u : Utf8.bytes(Character.toString(cp))) {
                    marker.append(String.format("%02x", u & 0xFF));
                }
                bytes.writeBytes(Utf8.bytes(marker.append(text).append(']').toString()));
            }
        });
        return bytes.toByteArray();
    }

    /** Merges one word at a time; the buffers are reused across the words of one encode call. */
    private final class WordMerger {
        private int[] symbol = new int[64];
        private int[] prev = new int[64];
        private int[] next = new int[64];
        private boolean[] merged = new boolean[64];
        private final MergeQueue queue = new MergeQueue();

        void encode(String word, IntList out) {
            if (preTokenizer.ignoreMerges()) {
                int id = vocab.id(word);
                if (id >= 0) {
                    out.add(id);
                    return;
                }
            }
            int n = word.length(); // byte-level words are made of BMP characters only
            ensureCapacity(n);
            for (int i = 0; i < n; i++) {
                symbol[i] = merges.symbolOf(word.charAt(i));
                prev[i] = i - 1;
                next[i] = i + 1 < n ? i + 1 : -1;
                merged[i] = false;
            }
            queue.clear();
            for (int i = 1; i < n; i++) {
                queuePair(i - 1, i);
            }
            while (!queue.isEmpty()) {
                queue.pop();
                int l = queue.poppedLeft;
                int r = queue.poppedRight;
                // stale when a side was merged away or changed since the pair was queued
                if (merged[l] || merged[r] || symbol[l] != queue.poppedA || symbol[r] != queue.poppedB) {
                    continue;
                }
                symbol[l] = BpeMerges.resultOf(merges.find(symbol[l], symbol[r]));
                merged[r] = true;
                next[l] = next[r];
                if (next[r] >= 0) {
                    prev[next[r]] = l;
                }
                queuePair(prev[l], l);
                queuePair(l, next[l]);
            }
            for (int i = 0; i != -1 && n > 0; i = next[i]) {
                emit(word, i, out);
            }
        }

        private void queuePair(int l, int r) {
            if (l < 0 || r < 0 || symbol[l] < 0 || symbol[r] < 0) {
                return;
            }
            long merge = merges.find(symbol[l], symbol[r]);
            if (merge >= 0) {
                // rank in the high half; the low half (the result) is the same for equal ranks
                queue.push(merge, l, r, symbol[l], symbol[r]);
            }
        }

        private void emit(String word, int i, IntList out) {
            int token = merges.tokenOf(symbol[i]);
            if (token >= 0) {
                out.add(token);
                return;
            }
            // the reference looks up each UTF-8 byte of the piece on its own; only ASCII bytes can match
            String text = symbol[i] >= 0 ? merges.text(symbol[i]) : String.valueOf(word.charAt(i));
            for (int k = 0; k < text.length(); k++) {
                char c = text.charAt(k);
                int id = c < 0x80 ? vocab.id(String.valueOf(c)) : -1;
                if (id >= 0) {
                    out.add(id);
                }
            }
        }

        private void ensureCapacity(int n) {
            if (symbol.length < n) {
                int cap = Math.max(n, symbol.length * 2);
                symbol = new int[cap];
                prev = new int[cap];
                next = new int[cap];
                merged = new boolean[cap];
            }
        }
    }
}
