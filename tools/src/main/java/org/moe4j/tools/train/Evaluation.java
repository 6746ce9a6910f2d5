package org.moe4j.tools.train;

import java.util.List;
import java.util.Locale;

/**
 * Held-out perplexity, overall and per corpus file, and the expert load of the held-out tokens
 * ({@code load[file][block][expert]}: (token, choice) pairs routed).
 */
public record Evaluation(double perplexity, List<String> names, double[] perplexities, int tokens, long[][][] load) {

    /** Load over all files: {@code [block][expert]}. */
    public long[][] totalLoad() {
        long[][] t = new long[load[0].length][load[0][0].length];
        for (long[][] f : load) ExpertLoad.add(t, f);
        return t;
    }

    /**
     * How much each expert specialises in the first file: the share of the expert's held-out load that comes
     * from that file ({@code [block][expert]}), to compare with the file's share of all tokens.
     */
    public double[][] firstFileShare() {
        long[][] all = totalLoad();
        double[][] s = new double[all.length][all[0].length];
        for (int l = 0; l < all.length; l++) {
            for (int e = 0; e < all[l].length; e++) s[l][e] = all[l][e] == 0 ? 0 : (double) load[0][l][e] / all[l][e];
        }
        return s;
    }

    public String summary() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "held-out ppl %.2f", perplexity));
        if (names.size() > 1) {
            sb.append(" (");
            for (int i = 0; i < names.size(); i++) {
                if (i > 0) sb.append(", ");
                sb.append(String.format(Locale.ROOT, "%s %.2f", names.get(i), perplexities[i]));
            }
            sb.append(')');
        }
        return sb.toString();
    }
}
