package org.moe4j.tools.analyze;

import java.util.ArrayList;
import java.util.List;

/**
 * Every figure of the analysis of one trace: what the JSON summary holds and the report draws.
 *
 * @param moeLayers        block indices of the MoE layers; per-layer arrays follow this order
 * @param activeExperts    average selected experts per token, per MoE layer
 * @param coActivation     co-activation matrices of the layers listed in {@code matrixLayers}
 * @param transitions      one per pair of consecutive MoE layers; {@code counts} only for pairs starting in {@code matrixLayers}
 * @param matrixLayers     block indices whose expert-by-expert matrices are included (all, unless too large)
 */
public record TraceSummary(String label, String model, int experts, int topK, int[] moeLayers, int tokens, int sequences,
                           double[] activeExperts, double averageActiveExperts, List<LayerBalance> balance,
                           List<CoActivation> coActivation, List<LayerTransition> transitions,
                           List<WindowConsistency> windows, int[] matrixLayers) {

    /** Expert-by-expert matrices are kept for every layer up to this many cells in total, else for one layer. */
    static final long MATRIX_CELL_BUDGET = 400_000;

    /**
     * @param detailLayer block index whose matrices are always kept (-1: the first MoE layer)
     * @param windowSizes window lengths for local consistency
     */
    public static TraceSummary of(String label, String model, int topK, RoutingTable t, int detailLayer, int[] windowSizes) {
        int layers = t.layerCount();
        int e = t.experts();
        double[] active = new double[layers];
        long totalSel = 0;
        for (int li = 0; li < layers; li++) {
            long s = 0;
            for (int i = 0; i < t.tokens(); i++) s += t.selected(i, li).length;
            active[li] = t.tokens() > 0 ? (double) s / t.tokens() : Double.NaN;
            totalSel += s;
        }
        boolean all = (long) layers * e * e * 2 <= MATRIX_CELL_BUDGET;
        int detail = detailLayer >= 0 ? t.indexOfBlock(detailLayer) : 0;
        if (detailLayer >= 0 && detail < 0) {
            throw new IllegalArgumentException("block " + detailLayer + " has no routing in this trace (MoE layers: "
                    + java.util.Arrays.toString(t.layers()) + ")");
        }
        List<LayerBalance> balance = new ArrayList<>();
        List<CoActivation> co = new ArrayList<>();
        List<LayerTransition> tr = new ArrayList<>();
        List<Integer> matrixLayers = new ArrayList<>();
        for (int li = 0; li < layers; li++) {
            balance.add(LayerBalance.of(t, li));
            boolean keep = all || li == detail;
            if (keep) {
                co.add(CoActivation.of(t, li));
                matrixLayers.add(t.layer(li));
            }
            if (li + 1 < layers) tr.add(LayerTransition.of(t, li, keep));
        }
        List<WindowConsistency> ws = new ArrayList<>();
        for (int w : windowSizes) ws.add(WindowConsistency.of(t, w));
        return new TraceSummary(label, model, e, topK, t.layers(), t.tokens(), t.sequences(), active,
                t.tokens() > 0 && layers > 0 ? (double) totalSel / ((long) t.tokens() * layers) : Double.NaN,
                balance, co, tr, ws, matrixLayers.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Window lengths 1, 2, 4, ... up to the longest sequence (at most 1024). */
    public static int[] defaultWindows(RoutingTable t) {
        int longest = 0;
        for (int[] r : t.sequenceRanges()) longest = Math.max(longest, r[1] - r[0]);
        List<Integer> w = new ArrayList<>();
        for (int x = 1; x <= Math.min(longest, 1024); x *= 2) w.add(x);
        return w.stream().mapToInt(Integer::intValue).toArray();
    }
}
