package org.moe4j.tools.cachesim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.moe4j.moe.cache.AccessSequence;
import org.moe4j.moe.cache.Budget;
import org.moe4j.moe.cache.CachePolicies;
import org.moe4j.moe.cache.CachePolicy;
import org.moe4j.moe.cache.CacheSimulator;
import org.moe4j.moe.cache.ExpertCacheBudgetException;
import org.moe4j.moe.cache.ExpertProfile;

/**
 * Replays a trace's expert accesses against several policies and Belady's optimal policy at several
 * budgets: the hit rates of {@code moe4j cache-sim}.
 */
public final class CacheSim {
    private CacheSim() {
    }

    /** One budget's results: hit rate per policy spec, Belady last. */
    public record Row(String budget, int slots, Map<String, CacheSimulator.Result> results) {
        public double hitRate(String policy) {
            return results.get(policy).hitRate();
        }

        public double belady() {
            return hitRate("belady");
        }
    }

    /**
     * Slots a budget gives: {@code N} experts, {@code Nx} times the experts a token uses (all layers),
     * {@code N%} of all experts, or a size ({@code 2GiB}) divided by {@code slotBytes} (which must then be
     * known, > 0).
     */
    public static int slots(String budget, AccessSequence seq, long slotBytes) {
        String b = budget.trim().toLowerCase(Locale.ROOT);
        try {
            double v;
            if (b.endsWith("x")) {
                v = Double.parseDouble(b.substring(0, b.length() - 1)) * Math.round(seq.accessesPerToken());
            } else if (b.endsWith("%")) {
                v = Double.parseDouble(b.substring(0, b.length() - 1)) / 100 * seq.keys().size();
            } else if (b.matches("\\d+")) {
                v = Long.parseLong(b);
            } else {
                if (slotBytes <= 0) {
                    throw new ExpertCacheBudgetException("budget '" + budget + "' is a size: give --model FILE so cache-sim knows the bytes of an expert");
                }
                v = (double) Budget.parse(budget, 1) / slotBytes;
            }
            if (!(v >= 1) || v > Integer.MAX_VALUE) throw new ExpertCacheBudgetException("budget '" + budget + "' gives " + v + " slots");
            return (int) Math.min(seq.keys().size(), Math.floor(v));
        } catch (NumberFormatException e) {
            throw new ExpertCacheBudgetException("budget '" + budget + "' is not N, Nx, N% or a size such as 2GiB");
        }
    }

    /** Runs every policy (then Belady) at every budget. */
    public static List<Row> run(AccessSequence seq, List<String> budgets, List<String> policies, ExpertProfile profile, long slotBytes) {
        List<Row> rows = new ArrayList<>();
        for (String budget : budgets) {
            int slots = slots(budget, seq, slotBytes);
            CachePolicies.Context ctx = new CachePolicies.Context(seq.keys(), slots, Math.max(1, seq.workingSet()),
                    Math.max(1, seq.accessesPerToken()), profile, seq);
            Map<String, CacheSimulator.Result> results = new LinkedHashMap<>();
            for (String p : policies) {
                CachePolicy policy = CachePolicies.create(p, ctx);
                results.put(p, CacheSimulator.run(seq, slots, policy));
            }
            results.put("belady", CacheSimulator.run(seq, slots, CachePolicies.create("belady", ctx)));
            rows.add(new Row(budget, slots, results));
        }
        return rows;
    }

    /** A profile made from the trace's own accesses (what pinned uses without --profile: an optimistic bound). */
    public static ExpertProfile selfProfile(AccessSequence seq) {
        return new ExpertProfile("trace", seq.keys(), seq.counts());
    }
}
