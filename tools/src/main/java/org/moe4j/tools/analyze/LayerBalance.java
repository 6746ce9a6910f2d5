package org.moe4j.tools.analyze;

import java.util.ArrayList;
import java.util.List;

/**
 * How evenly one MoE layer spreads its tokens over its experts.
 *
 * @param load              selections of each expert (tokens that routed to it)
 * @param cv                coefficient of variation of the load: population standard deviation / mean
 * @param maxOverMean       largest load / mean load
 * @param entropyBits       entropy of the load shares {@code load / sum(load)}, in bits
 * @param normalizedEntropy entropy / log2(experts): 1 = perfectly even
 * @param dead              experts never selected
 * @param dominant          experts selected at least {@link #DOMINANT_FACTOR} times as often as the mean
 */
public record LayerBalance(int layer, long[] load, double cv, double maxOverMean, double entropyBits,
                           double normalizedEntropy, int[] dead, int[] dominant) {
    public static final double DOMINANT_FACTOR = 2.0;

    static LayerBalance of(RoutingTable t, int li) {
        int e = t.experts();
        long[] load = new long[e];
        for (int i = 0; i < t.tokens(); i++) {
            for (int x : t.selected(i, li)) load[x]++;
        }
        return of(t.layer(li), load);
    }

    static LayerBalance of(int layer, long[] load) {
        int e = load.length;
        long total = 0, max = 0;
        for (long c : load) {
            total += c;
            max = Math.max(max, c);
        }
        double mean = (double) total / e;
        double var = 0;
        for (long c : load) var += (c - mean) * (c - mean);
        var /= e;
        double entropy = 0;
        for (long c : load) {
            if (c == 0) continue;
            double p = (double) c / total;
            entropy -= p * Math.log(p) / Math.log(2);
        }
        List<Integer> dead = new ArrayList<>(), dominant = new ArrayList<>();
        for (int x = 0; x < e; x++) {
            if (load[x] == 0) dead.add(x);
            else if (load[x] >= DOMINANT_FACTOR * mean) dominant.add(x);
        }
        return new LayerBalance(layer, load, mean > 0 ? Math.sqrt(var) / mean : Double.NaN, mean > 0 ? max / mean : Double.NaN,
                entropy, e > 1 ? entropy / (Math.log(e) / Math.log(2)) : Double.NaN,
                dead.stream().mapToInt(Integer::intValue).toArray(), dominant.stream().mapToInt(Integer::intValue).toArray());
    }
}
