package org.moe4j.tools.analyze;

import java.util.List;

/**
 * Local routing consistency: for windows of {@code window} consecutive tokens of one sequence, how many
 * distinct experts each MoE layer needs, i.e. the expert-cache size that would serve the whole window
 * without a miss. Every window position of every sequence at least {@code window} long counts once.
 *
 * @param meanDistinct per MoE layer (index into the table's layers), the mean over windows (NaN: no window fits)
 * @param maxDistinct  per MoE layer, the largest
 * @param windows      number of windows measured per layer
 */
public record WindowConsistency(int window, double[] meanDistinct, int[] maxDistinct, long windows) {

    static WindowConsistency of(RoutingTable t, int w) {
        int layers = t.layerCount();
        double[] mean = new double[layers];
        int[] max = new int[layers];
        long windows = 0;
        List<int[]> seqs = t.sequenceRanges();
        int[] inWindow = new int[t.experts()];
        for (int li = 0; li < layers; li++) {
            long sum = 0;
            long count = 0;
            for (int[] range : seqs) {
                if (range[1] - range[0] < w) continue;
                java.util.Arrays.fill(inWindow, 0);
                int distinct = 0;
                for (int i = range[0]; i < range[1]; i++) {
                    for (int x : t.selected(i, li)) if (inWindow[x]++ == 0) distinct++;
                    if (i - range[0] >= w) {
                        for (int x : t.selected(i - w, li)) if (--inWindow[x] == 0) distinct--;
                    }
                    if (i - range[0] >= w - 1) {
                        sum += distinct;
                        count++;
                        max[li] = Math.max(max[li], distinct);
                    }
                }
            }
            mean[li] = count > 0 ? (double) sum / count : Double.NaN;
            windows = count;
        }
        return new WindowConsistency(w, mean, max, windows);
    }
}
