package org.moe4j.tools.train;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.moe4j.tokenizer.ByteLevelWords;

/**
 * Trains a byte-level BPE vocabulary (GPT-2 style): the text is cut into words by the named pre-tokenizer
 * (the same code moe4j's tokenizer runs), every word is spelled as bytes, and the most frequent adjacent pair
 * of symbols is merged into a new token until the vocabulary has the requested size. Ties go to the pair whose
 * symbols were created first, so training is deterministic.
 */
public final class BpeTrainer {
    /** The pre-tokenizer the vocabulary is trained with and declares in {@code tokenizer.ggml.pre}. */
    public static final String PRE_TOKENIZER = "gpt-2";
    static final String END_OF_TEXT = "<|endoftext|>";

    private final int vocabSize;

    /** @param vocabSize tokens in the result: 256 bytes, the merges and the end-of-text token */
    public BpeTrainer(int vocabSize) {
        if (vocabSize < 258 || vocabSize > 1 << 20) {
            throw new IllegalArgumentException("vocabulary size must be between 258 and 1048576, is " + vocabSize);
        }
        this.vocabSize = vocabSize;
    }

    /** Trains on the texts; {@code progress} receives the number of merges made so far (may be null). */
    public BpeVocabulary train(List<String> texts, IntConsumer progress) {
        Words words = countWords(texts);
        List<String> tokens = new ArrayList<>(vocabSize);
        Map<String, Integer> ids = new HashMap<>();
        for (int b = 0; b < 256; b++) {
            String s = String.valueOf(ByteLevelWords.charOf(b));
            ids.put(s, tokens.size());
            tokens.add(s);
        }
        PairCounts pairs = new PairCounts();
        for (int w = 0; w < words.count(); w++) pairs.addWord(words.symbols.get(w), words.freq.get(w), w);
        List<String> merges = new ArrayList<>();
        while (tokens.size() < vocabSize - 1) {
            long best = pairs.best();
            if (best < 0) break; // every word is a single token already
            int a = (int) (best >>> 32);
            int b = (int) best;
            String text = tokens.get(a) + tokens.get(b);
            Integer existing = ids.get(text);
            int merged;
            if (existing != null) {
                merged = existing; // the same text reached by another pair: one token, two merge rules
            } else {
                merged = tokens.size();
                ids.put(text, merged);
                tokens.add(text);
            }
            merges.add(tokens.get(a) + " " + tokens.get(b));
            for (int w : pairs.wordsWith(best)) {
                int[] old = words.symbols.get(w);
                int[] now = mergeAll(old, a, b, merged);
                if (now != old) {
                    long f = words.freq.get(w);
                    pairs.removeWord(old, f);
                    pairs.addWord(now, f, w);
                    words.symbols.set(w, now);
                }
            }
            pairs.forget(best);
            if (progress != null) progress.accept(merges.size());
        }
        tokens.add(END_OF_TEXT);
        return new BpeVocabulary(tokens.toArray(String[]::new), merges.toArray(String[]::new), tokens.size() - 1);
    }

    /** The number of merges training makes at most (the length of a progress bar). */
    public int maxMerges() {
        return vocabSize - 257;
    }

    private record Words(List<int[]> symbols, List<Long> freq) {
        int count() {
            return symbols.size();
        }
    }

    private static Words countWords(List<String> texts) {
        ByteLevelWords splitter = ByteLevelWords.of(PRE_TOKENIZER);
        Map<String, long[]> counts = new HashMap<>();
        List<String> order = new ArrayList<>();
        for (String text : texts) {
            for (String w : splitter.split(text)) {
                long[] c = counts.get(w);
                if (c == null) {
                    counts.put(w, c = new long[1]);
                    order.add(w);
                }
                c[0]++;
            }
        }
        Words words = new Words(new ArrayList<>(order.size()), new ArrayList<>(order.size()));
        for (String w : order) {
            byte[] utf8 = w.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            int[] s = new int[utf8.length];
            for (int i = 0; i < s.length; i++) s[i] = utf8[i] & 0xFF; // token id of a byte is the byte
            words.symbols.add(s);
            words.freq.add(counts.get(w)[0]);
        }
        return words;
    }

    /** The word with every non-overlapping occurrence of (a, b), leftmost first, replaced by {@code merged}. */
    static int[] mergeAll(int[] s, int a, int b, int merged) {
        int n = 0;
        int[] out = null;
        for (int i = 0; i < s.length; i++) {
            if (i + 1 < s.length && s[i] == a && s[i + 1] == b) {
                if (out == null) {
                    out = new int[s.length - 1];
                    System.arraycopy(s, 0, out, 0, i);
                    n = i;
                }
                out[n++] = merged;
                i++;
            } else if (out != null) {
                out[n++] = s[i];
            }
        }
        return out == null ? s : java.util.Arrays.copyOf(out, n);
    }

    /** Occurrence counts of adjacent symbol pairs, with the words each pair occurs in. */
    private static final class PairCounts {
        private final Map<Long, long[]> count = new HashMap<>();
        private final Map<Long, List<Integer>> where = new HashMap<>();

        static long key(int a, int b) {
            return ((long) a << 32) | (b & 0xFFFFFFFFL);
        }

        void addWord(int[] s, long f, int word) {
            for (int i = 0; i + 1 < s.length; i++) {
                long k = key(s[i], s[i + 1]);
                count.computeIfAbsent(k, x -> new long[1])[0] += f;
                List<Integer> ws = where.computeIfAbsent(k, x -> new ArrayList<>());
                if (ws.isEmpty() || ws.get(ws.size() - 1) != word) ws.add(word);
            }
        }

        void removeWord(int[] s, long f) {
            for (int i = 0; i + 1 < s.length; i++) {
                long k = key(s[i], s[i + 1]);
                long[] c = count.get(k);
                c[0] -= f;
                if (c[0] <= 0) count.remove(k);
            }
        }

        /** Words that may contain the pair (some no longer do after earlier merges). */
        List<Integer> wordsWith(long k) {
            List<Integer> ws = where.get(k);
            return ws == null ? List.of() : new ArrayList<>(new java.util.LinkedHashSet<>(ws));
        }

        void forget(long k) {
            count.remove(k);
            where.remove(k);
        }

        /** The most frequent pair occurring at least twice; ties: smaller left id, then smaller right id. */
        long best() {
            long bestKey = -1;
            long bestCount = 1;
            for (Map.Entry<Long, long[]> e : count.entrySet()) {
                long c = e.getValue()[0];
                long k = e.getKey();
                if (c > bestCount || (c == bestCount && bestKey >= 0 && Long.compareUnsigned(k, bestKey) < 0)) {
                    bestCount = c;
                    bestKey = k;
                }
            }
            return bestKey;
        }
    }
}
