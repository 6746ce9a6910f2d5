package org.moe4j.tools.train;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.moe4j.gguf.GGUFFile;
import org.moe4j.gguf.GGUFWriter;
import org.moe4j.tokenizer.ByteLevelWords;

/**
 * A trained byte-level BPE vocabulary: tokens (the 256 bytes first, in byte order), merge rules in rank order
 * and the end-of-text token. Encodes text the way GGUF engines do with {@code tokenizer.ggml.model = gpt2}:
 * split by the pre-tokenizer, then in each word merge the adjacent pair of lowest rank (leftmost on ties)
 * until no rule applies.
 */
public final class BpeVocabulary {
    private final String[] tokens;
    private final String[] merges;
    private final int eos;
    private final Map<String, Integer> ids = new HashMap<>();
    private final Map<Long, long[]> rules = new HashMap<>(); // (left, right) -> {rank, result}
    private final Map<String, int[]> cache = new HashMap<>();
    private final ByteLevelWords splitter = ByteLevelWords.of(BpeTrainer.PRE_TOKENIZER);

    public BpeVocabulary(String[] tokens, String[] merges, int eos) {
        if (tokens.length < 257) throw new IllegalArgumentException("a byte-level vocabulary needs at least 257 tokens");
        this.tokens = tokens.clone();
        this.merges = merges.clone();
        this.eos = eos;
        for (int i = 0; i < tokens.length; i++) ids.putIfAbsent(tokens[i], i);
        for (int b = 0; b < 256; b++) {
            if (!tokens[b].equals(String.valueOf(ByteLevelWords.charOf(b)))) {
                throw new IllegalArgumentException("token " + b + " is not the byte-level character of byte " + b);
            }
        }
        for (int r = 0; r < merges.length; r++) {
            String m = merges[r];
            int space = m.indexOf(' ', 1);
            Integer a = space < 0 ? null : ids.get(m.substring(0, space));
            Integer b = space < 0 ? null : ids.get(m.substring(space + 1));
            Integer result = space < 0 ? null : ids.get(m.substring(0, space) + m.substring(space + 1));
            if (a == null || b == null || result == null) {
                throw new IllegalArgumentException("merge rule " + r + " '" + m + "' does not join two tokens into a token");
            }
            rules.putIfAbsent(key(a, b), new long[]{r, result});
        }
    }

    /** Reads the vocabulary a GGUF file (model or checkpoint) stores under {@code tokenizer.ggml.*}. */
    public static BpeVocabulary fromGGUF(GGUFFile f) {
        String[] tokens = f.getStringArray("tokenizer.ggml.tokens");
        String[] merges = f.getStringArray("tokenizer.ggml.merges");
        if (tokens == null || merges == null) {
            throw new IllegalArgumentException(f + " has no byte-level BPE vocabulary");
        }
        return new BpeVocabulary(tokens, merges, f.getInt("tokenizer.ggml.eos_token_id", tokens.length - 1));
    }

    public int size() {
        return tokens.length;
    }

    public int eos() {
        return eos;
    }

    public String token(int id) {
        return tokens[id];
    }

    /** Token ids of a text (no special tokens are added or parsed). */
    public synchronized int[] encode(String text) {
        IntBuffer out = new IntBuffer(text.length() / 3 + 16);
        for (String word : splitter.split(text)) {
            int[] w = cache.computeIfAbsent(word, this::encodeWord);
            out.add(w);
        }
        return out.toArray();
    }

    private int[] encodeWord(String word) {
        byte[] utf8 = word.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int[] s = new int[utf8.length];
        for (int i = 0; i < s.length; i++) s[i] = utf8[i] & 0xFF;
        int n = s.length;
        while (n > 1) {
            long bestRank = Long.MAX_VALUE;
            int at = -1;
            int result = -1;
            for (int i = 0; i + 1 < n; i++) {
                long[] rule = rules.get(key(s[i], s[i + 1]));
                if (rule != null && rule[0] < bestRank) {
                    bestRank = rule[0];
                    at = i;
                    result = (int) rule[1];
                }
            }
            if (at < 0) break;
            s[at] = result;
            System.arraycopy(s, at + 2, s, at + 1, n - at - 2);
            n--;
        }
        return Arrays.copyOf(s, n);
    }

    /** Writes the {@code tokenizer.ggml.*} keys: model gpt2, the pre-tokenizer, tokens, types, merges, EOS. */
    public void writeTo(GGUFWriter w) {
        int[] types = new int[tokens.length];
        Arrays.fill(types, 1); // normal
        types[eos] = 3;        // control
        w.putString("tokenizer.ggml.model", "gpt2");
        w.putString("tokenizer.ggml.pre", BpeTrainer.PRE_TOKENIZER);
        w.putStrings("tokenizer.ggml.tokens", tokens);
        w.putInts("tokenizer.ggml.token_type", types);
        w.putStrings("tokenizer.ggml.merges", merges);
        w.putUInt32("tokenizer.ggml.bos_token_id", eos);
        w.putUInt32("tokenizer.ggml.eos_token_id", eos);
        w.putBool("tokenizer.ggml.add_bos_token", false);
    }

    private static long key(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    /** A growable int array. */
    private static final class IntBuffer {
        private int[] a;
        private int n;

        IntBuffer(int capacity) {
            a = new int[Math.max(16, capacity)];
        }

        void add(int[] v) {
            if (n + v.length > a.length) a = Arrays.copyOf(a, Math.max(a.length * 2, n + v.length));
            System.arraycopy(v, 0, a, n, v.length);
            n += v.length;
        }

        int[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}
