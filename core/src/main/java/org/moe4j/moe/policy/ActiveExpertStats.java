package org.moe4j.moe.policy;

import java.util.Arrays;
import java.util.Locale;
import org.moe4j.moe.RoutingDecision;
import org.moe4j.moe.RoutingObserver;

/**
 * Counts the experts that actually ran: the average number of active experts per token, per layer and
 * over all MoE layers, after every policy. Updated on the forward thread; read it between passes.
 */
public final class ActiveExpertStats implements RoutingObserver {
    private long[] decisions = new long[0];
    private long[] selected = new long[0];

    @Override
    public void onRouting(RoutingDecision d) {
        // counted per layer in onLayerRouted
    }

    @Override
    public synchronized void onLayerRouted(int layer, RoutingDecision[] ds, int n) {
        if (layer >= decisions.length) {
            decisions = Arrays.copyOf(decisions, layer + 1);
            selected = Arrays.copyOf(selected, layer + 1);
        }
        long s = 0;
        for (int t = 0; t < n; t++) s += ds[t].count();
        decisions[layer] += n;
        selected[layer] += s;
    }

    /** Average active experts per token in one block (NaN if it saw no routing). */
    public synchronized double average(int layer) {
        return layer < decisions.length && decisions[layer] > 0 ? (double) selected[layer] / decisions[layer] : Double.NaN;
    }

    /** Average over all (token, MoE layer) pairs (NaN before any routing). */
    public synchronized double average() {
        long d = 0, s = 0;
        for (int l = 0; l < decisions.length; l++) {
            d += decisions[l];
            s += selected[l];
        }
        return d == 0 ? Double.NaN : (double) s / d;
    }

    /** Routing decisions seen in one block (tokens routed there). */
    public synchronized long decisions(int layer) {
        return layer < decisions.length ? decisions[layer] : 0;
    }

    public synchronized void reset() {
        Arrays.fill(decisions, 0);
        Arrays.fill(selected, 0);
    }

    /** One line: the overall average, then each MoE layer's. */
    public synchronized String summary() {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "average active experts per token and layer: %.3f", average()));
        StringBuilder per = new StringBuilder();
        for (int l = 0; l < decisions.length; l++) {
            if (decisions[l] == 0) continue;
            if (!per.isEmpty()) per.append(", ");
            per.append(String.format(Locale.ROOT, "%d: %.2f", l, average(l)));
        }
        if (!per.isEmpty()) b.append(" (by layer ").append(per).append(')');
        return b.toString();
    }
}
