package org.moe4j.tools.analyze;

import org.moe4j.trace.RoutingTrace;

/**
 * The first tokens of a trace with their text and routing at every MoE layer, for the report's
 * per-token view. Tokens without text in the trace show as {@code [id]}.
 */
public record TokenView(String label, int[] layers, String[] texts, int[] tokens, int[] positions, int[][][] experts,
                        float[][][] weights) {

    public static TokenView of(String label, RoutingTrace trace, RoutingTable t, int limit) {
        int n = Math.min(limit, t.tokens());
        String[] texts = new String[n];
        int[] tokens = new int[n], positions = new int[n];
        int[][][] experts = new int[n][][];
        float[][][] weights = new float[n][][];
        for (int i = 0; i < n; i++) {
            tokens[i] = t.token(i);
            positions[i] = t.pos(i);
            String s = trace.text(t.token(i));
            // a new sequence starts on its own line, so separate prompts do not run together
            String sep = i > 0 && t.seq(i) != t.seq(i - 1) ? "\n" : "";
            texts[i] = sep + (s != null ? s : "[" + t.token(i) + "]");
            experts[i] = new int[t.layerCount()][];
            weights[i] = new float[t.layerCount()][];
            for (int li = 0; li < t.layerCount(); li++) {
                experts[i][li] = t.selected(i, li);
                weights[i][li] = t.weights(i, li);
            }
        }
        return new TokenView(label, t.layers(), texts, tokens, positions, experts, weights);
    }
}
