package org.moe4j.tools.analyze;

/**
 * How well one MoE layer's choice predicts the next MoE layer's, over the tokens of a trace.
 *
 * @param counts            {@code counts[i][j]} = tokens that selected i in {@code from} and j in {@code to}, or null
 *                          when matrices were left out of the summary
 * @param top1Accuracy      share of tokens whose best expert in {@code to} is the one most often following their best
 *                          expert in {@code from} (fitted and scored on the same tokens)
 * @param top1Baseline      the same without knowing {@code from}: share of the most frequent best expert in {@code to}
 * @param mutualInformation mutual information between the two best experts, in bits
 * @param normalizedMutualInformation mutual information / entropy of the best expert in {@code to} (0: no help, 1: determined)
 * @param setRecall         predicting {@code to}'s whole selection as the experts with the most co-occurrences with
 *                          {@code from}'s selection ({@code counts} summed over it), the share of it predicted right:
 *                          what a prefetcher driven by this matrix would hit
 */
public record LayerTransition(int from, int to, long[][] counts, double top1Accuracy, double top1Baseline,
                              double mutualInformation, double normalizedMutualInformation, double setRecall) {

    static LayerTransition of(RoutingTable t, int li, boolean keepCounts) {
        int e = t.experts();
        long[][] c = new long[e][e];
        long[][] top = new long[e][e];
        long n = 0;
        for (int i = 0; i < t.tokens(); i++) {
            int[] a = t.selected(i, li), b = t.selected(i, li + 1);
            for (int x : a) for (int y : b) c[x][y]++;
            if (a.length > 0 && b.length > 0) {
                top[a[0]][b[0]]++;
                n++;
            }
        }
        long hits = 0;
        long[] col = new long[e], row = new long[e];
        for (int x = 0; x < e; x++) {
            long best = 0;
            for (int y = 0; y < e; y++) {
                best = Math.max(best, top[x][y]);
                row[x] += top[x][y];
                col[y] += top[x][y];
            }
            hits += best;
        }
        long colMax = 0;
        double mi = 0, hTo = 0;
        for (int y = 0; y < e; y++) {
            colMax = Math.max(colMax, col[y]);
            if (col[y] > 0) hTo -= (double) col[y] / n * log2((double) col[y] / n);
        }
        for (int x = 0; x < e; x++) {
            for (int y = 0; y < e; y++) {
                if (top[x][y] == 0) continue;
                double pxy = (double) top[x][y] / n;
                mi += pxy * log2(pxy / ((double) row[x] / n * col[y] / n));
            }
        }
        return new LayerTransition(t.layer(li), t.layer(li + 1), keepCounts ? c : null,
                n > 0 ? (double) hits / n : Double.NaN, n > 0 ? (double) colMax / n : Double.NaN,
                n > 0 ? mi : Double.NaN, hTo > 0 ? mi / hTo : Double.NaN, setRecall(t, li, c));
    }

    private static double setRecall(RoutingTable t, int li, long[][] c) {
        int e = t.experts();
        long[] score = new long[e];
        boolean[] picked = new boolean[e];
        double sum = 0;
        int tokens = 0;
        for (int i = 0; i < t.tokens(); i++) {
            int[] a = t.selected(i, li), b = t.selected(i, li + 1);
            if (a.length == 0 || b.length == 0) continue;
            java.util.Arrays.fill(score, 0);
            java.util.Arrays.fill(picked, false);
            for (int x : a) for (int y = 0; y < e; y++) score[y] += c[x][y];
            for (int r = 0; r < b.length; r++) {
                int best = -1;
                for (int y = 0; y < e; y++) {
                    if (!picked[y] && (best < 0 || score[y] > score[best])) best = y;
                }
                picked[best] = true;
            }
            int hit = 0;
            for (int y : b) if (picked[y]) hit++;
            sum += (double) hit / b.length;
            tokens++;
        }
        return tokens > 0 ? sum / tokens : Double.NaN;
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
