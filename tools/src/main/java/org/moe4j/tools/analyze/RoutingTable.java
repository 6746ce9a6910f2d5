package org.moe4j.tools.analyze;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.moe4j.trace.RoutingTrace;
import org.moe4j.trace.TraceRecord;

/**
 * A trace rearranged token by token: tokens in (sequence, position) order, and for each token and MoE
 * layer the selected experts and weights. What every measure of the analysis is computed from.
 */
public final class RoutingTable {
    private final int[] layers;
    private final int experts;
    private final int[] seq;
    private final int[] pos;
    private final int[] token;
    private final int[][][] selected;
    private final float[][][] weights;

    private RoutingTable(int[] layers, int experts, int[] seq, int[] pos, int[] token, int[][][] selected, float[][][] weights) {
        this.layers = layers;
        this.experts = experts;
        this.seq = seq;
        this.pos = pos;
        this.token = token;
        this.selected = selected;
        this.weights = weights;
    }

    public static RoutingTable of(RoutingTrace trace) {
        TreeSet<Integer> layerSet = new TreeSet<>();
        int experts = trace.header().experts();
        Map<Long, int[]> tokens = new HashMap<>(); // (seq, pos) -> {seq, pos, token}
        for (TraceRecord r : trace.records()) {
            layerSet.add(r.layer());
            experts = Math.max(experts, r.nExpert());
            tokens.putIfAbsent(key(r.seq(), r.pos()), new int[]{r.seq(), r.pos(), r.token()});
        }
        List<int[]> order = new ArrayList<>(tokens.values());
        order.sort((a, b) -> a[0] != b[0] ? Integer.compare(a[0], b[0]) : Integer.compare(a[1], b[1]));
        int n = order.size();
        int[] seq = new int[n], pos = new int[n], tok = new int[n];
        Map<Long, Integer> index = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            int[] t = order.get(i);
            seq[i] = t[0];
            pos[i] = t[1];
            tok[i] = t[2];
            index.put(key(t[0], t[1]), i);
        }
        int[] layers = layerSet.stream().mapToInt(Integer::intValue).toArray();
        int[][][] sel = new int[n][layers.length][];
        float[][][] w = new float[n][layers.length][];
        for (TraceRecord r : trace.records()) {
            int li = Arrays.binarySearch(layers, r.layer());
            int ti = index.get(key(r.seq(), r.pos()));
            sel[ti][li] = r.experts();
            w[ti][li] = r.weights();
        }
        for (int i = 0; i < n; i++) {
            for (int l = 0; l < layers.length; l++) {
                if (sel[i][l] == null) {
                    sel[i][l] = new int[0]; // a token missing at a layer (a truncated trace) counts as routed nowhere
                    w[i][l] = new float[0];
                }
            }
        }
        return new RoutingTable(layers, experts, seq, pos, tok, sel, w);
    }

    private static long key(int seq, int pos) {
        return ((long) seq << 32) | (pos & 0xFFFFFFFFL);
    }

    /** Block indices of the MoE layers, ascending; "layer index" below means an index into this array. */
    public int[] layers() { return layers.clone(); }
    public int layerCount() { return layers.length; }
    public int layer(int li) { return layers[li]; }
    public int experts() { return experts; }
    public int tokens() { return seq.length; }
    public int seq(int t) { return seq[t]; }
    public int pos(int t) { return pos[t]; }
    public int token(int t) { return token[t]; }
    /** Experts of token {@code t} at layer index {@code li}, selection order. */
    public int[] selected(int t, int li) { return selected[t][li]; }
    public float[] weights(int t, int li) { return weights[t][li]; }

    /** Index of the MoE layer with block index {@code block}, or -1. */
    public int indexOfBlock(int block) {
        int i = Arrays.binarySearch(layers, block);
        return i >= 0 ? i : -1;
    }

    /** Number of distinct sequences. */
    public int sequences() {
        int c = 0;
        for (int t = 0; t < seq.length; t++) if (t == 0 || seq[t] != seq[t - 1]) c++;
        return c;
    }

    /** Token ranges {@code [start, end)} of each sequence, in order. */
    public List<int[]> sequenceRanges() {
        List<int[]> r = new ArrayList<>();
        int start = 0;
        for (int t = 1; t <= seq.length; t++) {
            if (t == seq.length || seq[t] != seq[t - 1]) {
                if (t > start) r.add(new int[]{start, t});
                start = t;
            }
        }
        return r;
    }
}
