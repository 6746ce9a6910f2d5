package org.moe4j.tools.train;

import java.util.ArrayList;
import java.util.List;

/**
 * The corpus as token ids: one training stream (the files' training parts, joined by the end-of-text token)
 * and one held-out stream per file.
 */
public final class TokenStreams {
    final int[] train;
    final List<String> names;
    final List<int[]> heldOut;

    private TokenStreams(int[] train, List<String> names, List<int[]> heldOut) {
        this.train = train;
        this.names = names;
        this.heldOut = heldOut;
    }

    public static TokenStreams encode(List<TrainingCorpus.Part> parts, BpeVocabulary vocab) {
        List<int[]> trains = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<int[]> held = new ArrayList<>();
        int total = 0;
        for (TrainingCorpus.Part p : parts) {
            int[] t = vocab.encode(p.train());
            trains.add(t);
            total += t.length + 1;
            names.add(p.name());
            held.add(vocab.encode(p.heldOut()));
        }
        int[] all = new int[total];
        int at = 0;
        for (int[] t : trains) {
            System.arraycopy(t, 0, all, at, t.length);
            at += t.length;
            all[at++] = vocab.eos();
        }
        return new TokenStreams(all, List.copyOf(names), List.copyOf(held));
    }

    public int trainTokens() {
        return train.length;
    }

    public int heldOutTokens() {
        int n = 0;
        for (int[] h : heldOut) n += h.length;
        return n;
    }
}
