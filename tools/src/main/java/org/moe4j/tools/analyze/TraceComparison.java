package org.moe4j.tools.analyze;

/**
 * Two traces of models with the same MoE layout side by side: per MoE layer, how differently they load
 * their experts.
 *
 * @param loadJensenShannonBits per common MoE layer, the Jensen-Shannon divergence of the two load-share
 *                              distributions in bits (0: identical shares, 1: disjoint experts)
 * @param topExpertOverlap      per common MoE layer, |A's top-k busiest ∩ B's top-k busiest| / k with k = the trained top-k
 *                              (or 8 when unknown)
 */
public record TraceComparison(String a, String b, int[] layers, double[] loadJensenShannonBits, double[] topExpertOverlap) {

    /** Null when the traces do not share MoE layers with the same expert count. */
    public static TraceComparison of(TraceSummary a, TraceSummary b) {
        if (a.experts() != b.experts()) return null;
        java.util.List<Integer> common = new java.util.ArrayList<>();
        for (int l : a.moeLayers()) for (int m : b.moeLayers()) if (l == m) common.add(l);
        if (common.isEmpty()) return null;
        int n = common.size();
        int[] layers = new int[n];
        double[] js = new double[n], overlap = new double[n];
        int k = Math.max(1, a.topK() > 0 ? a.topK() : 8);
        for (int i = 0; i < n; i++) {
            layers[i] = common.get(i);
            long[] la = loadOf(a, layers[i]), lb = loadOf(b, layers[i]);
            js[i] = jensenShannon(la, lb);
            overlap[i] = overlap(la, lb, Math.min(k, la.length));
        }
        return new TraceComparison(a.label(), b.label(), layers, js, overlap);
    }

    private static long[] loadOf(TraceSummary s, int layer) {
        for (LayerBalance lb : s.balance()) if (lb.layer() == layer) return lb.load();
        throw new IllegalStateException("no layer " + layer);
    }

    static double jensenShannon(long[] a, long[] b) {
        double sa = 0, sb = 0;
        for (long x : a) sa += x;
        for (long x : b) sb += x;
        if (sa == 0 || sb == 0) return Double.NaN;
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            double p = a[i] / sa, q = b[i] / sb, m = (p + q) / 2;
            if (p > 0) d += 0.5 * p * Math.log(p / m);
            if (q > 0) d += 0.5 * q * Math.log(q / m);
        }
        return d / Math.log(2);
    }

    private static double overlap(long[] a, long[] b, int k) {
        boolean[] ta = top(a, k), tb = top(b, k);
        int c = 0;
        for (int i = 0; i < a.length; i++) if (ta[i] && tb[i]) c++;
        return (double) c / k;
    }

    private static boolean[] top(long[] load, int k) {
        boolean[] t = new boolean[load.length];
        for (int r = 0; r < k; r++) {
            int best = -1;
            for (int i = 0; i < load.length; i++) if (!t[i] && (best < 0 || load[i] > load[best])) best = i;
            t[best] = true;
        }
        return t;
    }
}
