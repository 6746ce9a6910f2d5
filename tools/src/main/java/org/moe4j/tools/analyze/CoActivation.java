package org.moe4j.tools.analyze;

/**
 * Which experts one MoE layer selects together: {@code counts[i][j]} = tokens that selected both i and j
 * (i != j); the diagonal holds each expert's own load.
 */
public record CoActivation(int layer, long[][] counts) {
    static CoActivation of(RoutingTable t, int li) {
        int e = t.experts();
        long[][] c = new long[e][e];
        for (int i = 0; i < t.tokens(); i++) {
            int[] s = t.selected(i, li);
            for (int a : s) for (int b : s) c[a][b]++;
        }
        return new CoActivation(t.layer(li), c);
    }
}
