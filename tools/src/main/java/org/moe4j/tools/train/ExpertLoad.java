package org.moe4j.tools.train;

import java.util.Locale;

/** Balance of expert load: the least and most loaded expert of any block, relative to the mean load. */
record ExpertLoad(double minOverMean, double maxOverMean) {

    static ExpertLoad of(long[][] load) {
        double min = Double.POSITIVE_INFINITY, max = 0;
        for (long[] layer : load) {
            long sum = 0;
            for (long c : layer) sum += c;
            if (sum == 0) continue;
            double mean = (double) sum / layer.length;
            for (long c : layer) {
                min = Math.min(min, c / mean);
                max = Math.max(max, c / mean);
            }
        }
        return new ExpertLoad(min == Double.POSITIVE_INFINITY ? 1 : min, max == 0 ? 1 : max);
    }

    static void add(long[][] into, long[][] load) {
        for (int l = 0; l < into.length; l++) for (int e = 0; e < into[l].length; e++) into[l][e] += load[l][e];
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "load min/mean %.2f max/mean %.2f", minOverMean, maxOverMean);
    }
}
