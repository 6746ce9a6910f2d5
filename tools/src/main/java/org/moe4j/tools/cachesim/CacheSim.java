package org.moe4j.tools.cachesim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.moe4j.moe.cache.AccessSequence;
import org.moe4j.moe.cache.Budget;
import org.moe4j.moe.cache.CachePolicies;
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

    /**
     * One budget's results: per policy spec (Belady last), without prefetch and, when the trace carries
     * gate predictions, with the cache's prefetch on them ({@code prefetched} empty otherwise).
     */
    public record Row(String budget, int slots, Map<String, CacheSimulator.Result> results,
                      Map<String, CacheSimulator.Result> prefetched) {
        public double hitRate(String policy) {
            return results.get(policy).hitRate();
        }

        /** Belady's demand-paging hit rate: the best any policy can do without prefetch. */
        public double belady() {
            return hitRate("belady");
        }
    }

    /** How well a trace's gate predictions matched the routing, over the steps that carry one. */
    public record PredictionQuality(long steps, long predicted, long needed, long correct) {
        /** Predicted experts that were then selected. */
        public double precision() {
            return predicted == 0 ? Double.NaN : (double) correct / predicted;
        }

        /** Selected experts that had been predicted. */
        public double recall() {
            return needed == 0 ? Double.NaN : (double) correct / needed;
        }
    }

    public static PredictionQuality predictionQuality(AccessSequence seq) {
        long steps = 0, predicted = 0, needed = 0, correct = 0;
        boolean[] mark = new boolean[seq.keys().size()];
        for (int s = 0; s < seq.steps(); s++) {
            if (!seq.hasPrediction(s)) continue;
            steps++;
            for (int i = seq.predictedStart(s); i < seq.predictedEnd(s); i++) mark[seq.predictedKey(i)] = true;
            predicted += seq.predictedEnd(s) - seq.predictedStart(s);
            for (int i = seq.stepStart(s); i < seq.stepEnd(s); i++) {
                needed++;
                if (mark[seq.key(i)]) correct++;
            }
            for (int i = seq.predictedStart(s); i < seq.predictedEnd(s); i++) mark[seq.predictedKey(i)] = false;
        }
        return new PredictionQuality(steps, predicted, needed, correct);
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

    /** Runs every policy (then Belady) at every budget, also with prefetch on the trace's gate predictions when asked. */
    public static List<Row> run(AccessSequence seq, List<String> budgets, List<String> policies, ExpertProfile profile, long slotBytes,
                                boolean prefetch) {
        if (prefetch && !seq.hasPredictions()) {
            throw new IllegalArgumentException("the trace has no gate predictions to prefetch on: record it with --trace-predictions");
        }
        List<Row> rows = new ArrayList<>();
        for (String budget : budgets) {
            int slots = slots(budget, seq, slotBytes);
            CachePolicies.Context ctx = new CachePolicies.Context(seq.keys(), slots, Math.max(1, seq.workingSet()),
                    Math.max(1, seq.accessesPerToken()), profile, seq);
            Map<String, CacheSimulator.Result> results = new LinkedHashMap<>();
            Map<String, CacheSimulator.Result> prefetched = new LinkedHashMap<>();
            List<String> all = new ArrayList<>(policies);
            all.add("belady");
            for (String p : all) {
                results.put(p, CacheSimulator.run(seq, slots, CachePolicies.create(p, ctx), false));
                if (prefetch) prefetched.put(p, CacheSimulator.run(seq, slots, CachePolicies.create(p, ctx), true));
            }
            rows.add(new Row(budget, slots, results, prefetched));
        }
        return rows;
    }

    /** A profile made from the trace's own accesses (what pinned uses without --profile: an optimistic bound). */
    public static ExpertProfile selfProfile(AccessSequence seq) {
        return new ExpertProfile("trace", seq.keys(), seq.counts());
    }
}
