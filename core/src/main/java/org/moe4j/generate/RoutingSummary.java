package org.moe4j.generate;

import java.util.Arrays;

/**
 * How often each expert of each MoE layer was selected over one sequence (prompt and generated tokens),
 * and the average number of active experts per token and layer. Filled on the engine thread; read it
 * once the sequence finished.
 */
public final class RoutingSummary {
    private final int[] layers;
    private final long[][] counts;
    private final long[] tokens;

    RoutingSummary(int[] moeLayers, int[] expertCounts) {
        this.layers = moeLayers.clone();
        this.counts = new long[layers.length][];
        for (int i = 0; i < layers.length; i++) counts[i] = new long[expertCounts[i]];
        this.tokens = new long[layers.length];
    }

    void add(int layerIndex, int[] experts, int count) {
        long[] c = counts[layerIndex];
        for (int j = 0; j < count; j++) c[experts[j]]++;
        tokens[layerIndex]++;
    }

    /** Block indices of the MoE layers, in order. */
    public int[] layers() {
        return layers.clone();
    }

    /** Selections of each expert at the i-th MoE layer. */
    public long[] expertCounts(int i) {
        return counts[i].clone();
    }

    /** Tokens routed at the i-th MoE layer. */
    public long tokens(int i) {
        return tokens[i];
    }

    /** Average experts selected per token at the i-th MoE layer (NaN before any routing). */
    public double averageActive(int i) {
        return tokens[i] == 0 ? Double.NaN : (double) Arrays.stream(counts[i]).sum() / tokens[i];
    }

    /** Average experts selected per (token, MoE layer) pair (NaN before any routing). */
    public double averageActive() {
        long sel = 0, tok = 0;
        for (int i = 0; i < layers.length; i++) {
            sel += Arrays.stream(counts[i]).sum();
            tok += tokens[i];
        }
        return tok == 0 ? Double.NaN : (double) sel / tok;
    }
}
