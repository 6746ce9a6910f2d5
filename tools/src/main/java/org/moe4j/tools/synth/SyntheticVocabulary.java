package org.moe4j.tools.synth;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A byte-level BPE vocabulary of any size for synthetic models: the 256 byte symbols of GPT-2's
 * byte-to-unicode table, then merges of existing tokens (biased towards letters and short pieces so the
 * tokens look like text), and {@code <|endoftext|>} as the last id. Every merge's parts and result are
 * tokens, so any byte-level BPE tokenizer accepts it.
 */
public final class SyntheticVocabulary {
    public final String[] tokens;
    public final int[] types;
    public final String[] merges;
    public final int eos;

    private SyntheticVocabulary(String[] tokens, int[] types, String[] merges, int eos) {
        this.tokens = tokens;
        this.types = types;
        this.merges = merges;
        this.eos = eos;
    }

    public static SyntheticVocabulary generate(int size, long seed) {
        if (size < 258) throw new IllegalArgumentException("vocabulary size must be at least 258");
        char[] byteChar = byteToUnicode();
        List<String> toks = new ArrayList<>(size);
        Set<String> seen = new HashSet<>();
        for (int b = 0; b < 256; b++) {
            String s = String.valueOf(byteChar[b]);
            toks.add(s);
            seen.add(s);
        }
        // letters, space-prefixed letters and digits make most pieces
        List<Integer> common = new ArrayList<>();
        for (int b = 'a'; b <= 'z'; b++) common.add(b);
        for (int b = 'A'; b <= 'Z'; b++) common.add(b);
        common.add(' ' & 0xff);
        SplittableRandom rnd = new SplittableRandom(seed);
        List<String> merges = new ArrayList<>();
        int target = size - 1;
        int attempts = 0;
        while (toks.size() < target && attempts++ < size * 50) {
            int left = rnd.nextInt(4) == 0 ? common.get(rnd.nextInt(common.size())) : 256 + rnd.nextInt(Math.max(1, toks.size() - 256));
            if (left >= toks.size()) left = common.get(rnd.nextInt(common.size()));
            int right = rnd.nextInt(3) == 0 ? rnd.nextInt(Math.max(1, toks.size())) : common.get(rnd.nextInt(common.size()));
            String a = toks.get(left);
            String b = toks.get(right);
            String m = a + b;
            if (m.length() > 12 || !seen.add(m)) continue;
            toks.add(m);
            merges.add(a + " " + b);
        }
        while (toks.size() < target) { // pad with unreachable but valid pieces if merges ran dry
            String filler = "<|unused_" + toks.size() + "|>";
            toks.add(filler);
        }
        toks.add("<|endoftext|>");
        int[] types = new int[toks.size()];
        java.util.Arrays.fill(types, 1);
        for (int i = 0; i < toks.size(); i++) if (toks.get(i).startsWith("<|")) types[i] = 3;
        return new SyntheticVocabulary(toks.toArray(String[]::new), types, merges.toArray(String[]::new), toks.size() - 1);
    }

    /** GPT-2's reversible byte-to-unicode table: printable bytes map to themselves, the rest above U+0100. */
    static char[] byteToUnicode() {
        char[] map = new char[256];
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[b] = printable ? (char) b : (char) (256 + n++);
        }
        return map;
    }
}
