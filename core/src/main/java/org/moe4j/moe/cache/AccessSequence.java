package org.moe4j.moe.cache;

import java.util.Arrays;
import java.util.List;
import org.moe4j.trace.RoutingTrace;
import org.moe4j.trace.TraceRecord;

/**
 * Expert accesses in the order a cache sees them, step by step: a step is one layer of one forward
 * pass, its accesses the distinct experts the pass's tokens selected there, ascending, needed together
 * (the cache serves a step in rounds when it holds fewer). A trace does not mark forward passes, but
 * their records come layer by layer, so with two or more MoE layers a pass's step is a run of records of
 * the same layer; with a single MoE layer every record is a step of its own.
 */
public final class AccessSequence {
    private final ExpertKeys keys;
    private final int[] flat;
    private final int[] stepStart;
    private final int tokens;
    private final int workingSet;
    private final long selections;
    /** Per step, the union of its records' gate predictions ({@code predStart[s] .. predStart[s + 1]}), and whether it had any. */
    private final int[] predicted;
    private final int[] predStart;
    private final boolean[] hasPrediction;

    /**
     * @param flat       keys of every access, step after step
     * @param stepStart  index in {@code flat} where each step starts, plus the total at the end
     * @param tokens     tokens the steps belong to
     * @param workingSet the most experts one token selects in one layer (what a cache must hold at least)
     * @param selections experts selected over all tokens and layers (more than the accesses when a pass has several tokens)
     */
    public AccessSequence(ExpertKeys keys, int[] flat, int[] stepStart, int tokens, int workingSet, long selections) {
        this(keys, flat, stepStart, tokens, workingSet, selections, new int[0], new int[stepStart.length],
                new boolean[Math.max(0, stepStart.length - 1)]);
    }

    private AccessSequence(ExpertKeys keys, int[] flat, int[] stepStart, int tokens, int workingSet, long selections,
                           int[] predicted, int[] predStart, boolean[] hasPrediction) {
        this.keys = keys;
        this.flat = flat;
        this.stepStart = stepStart;
        this.tokens = tokens;
        this.workingSet = workingSet;
        this.selections = selections;
        if (predStart.length != stepStart.length || hasPrediction.length != Math.max(0, stepStart.length - 1)) {
            throw new IllegalArgumentException("predictions for another number of steps");
        }
        for (int[] ks : new int[][]{flat, predicted}) {
            for (int k : ks) {
                if (k < 0 || k >= keys.size()) throw new IllegalArgumentException("key " + k + " outside " + keys);
            }
        }
        this.predicted = predicted;
        this.predStart = predStart;
        this.hasPrediction = hasPrediction;
    }

    /** This sequence with the steps' gate predictions: keys {@code predicted[predStart[s] .. predStart[s + 1])}, ascending, for steps marked in {@code has}. */
    AccessSequence withPredictions(int[] predicted, int[] predStart, boolean[] has) {
        return new AccessSequence(keys, flat, stepStart, tokens, workingSet, selections, predicted, predStart, has);
    }

    /** Steps of one token each (the working set is the largest step). */
    public AccessSequence(ExpertKeys keys, int[] flat, int[] stepStart, int tokens) {
        this(keys, flat, stepStart, tokens, largest(stepStart), flat.length);
    }

    private static int largest(int[] stepStart) {
        int m = 0;
        for (int s = 0; s + 1 < stepStart.length; s++) m = Math.max(m, stepStart[s + 1] - stepStart[s]);
        return m;
    }

    /** The accesses of a trace's records, in file order. */
    public static AccessSequence of(RoutingTrace trace) {
        return of(keysOf(trace), trace.records());
    }

    public static AccessSequence of(ExpertKeys keys, List<TraceRecord> records) {
        boolean passes = records.stream().map(TraceRecord::layer).distinct().limit(2).count() > 1;
        int[] flat = new int[0];
        int[] starts = new int[records.size() + 1];
        java.util.Set<Long> tokens = new java.util.HashSet<>();
        boolean[] seen = new boolean[keys.size()];
        int[] pred = new int[0];
        int[] predStarts = new int[records.size() + 1];
        boolean[] has = new boolean[records.size()];
        boolean[] predSeen = new boolean[keys.size()];
        int steps = 0, p = 0, q = 0, workingSet = 0;
        long selections = 0;
        for (int i = 0; i < records.size(); i++) {
            TraceRecord r = records.get(i);
            tokens.add(((long) r.seq() << 40) ^ ((long) r.slot() << 24) ^ r.pos());
            boolean sameStep = passes && i > 0 && records.get(i - 1).layer() == r.layer();
            if (!sameStep) {
                if (steps > 0) {
                    closeStep(flat, starts[steps - 1], p, seen);
                    closeStep(pred, predStarts[steps - 1], q, predSeen);
                }
                predStarts[steps] = q;
                starts[steps++] = p;
            }
            if (r.predicted() != null) {
                has[steps - 1] = true;
                if (pred.length < q + r.predicted().length) pred = Arrays.copyOf(pred, Math.max(64, 2 * (q + r.predicted().length)));
                for (int e : r.predicted()) {
                    if (r.layer() >= keys.blocks() || e < 0 || e >= keys.experts(r.layer())) {
                        throw new IllegalArgumentException("trace record " + i + " predicts expert " + e + " of block " + r.layer()
                                + ", which the trace's model does not have");
                    }
                    int k = keys.key(r.layer(), e);
                    if (!predSeen[k]) {
                        predSeen[k] = true;
                        pred[q++] = k;
                    }
                }
            }
            if (flat.length < p + r.experts().length) flat = Arrays.copyOf(flat, Math.max(64, 2 * (p + r.experts().length)));
            int distinct = 0;
            for (int e : r.experts()) {
                if (r.layer() >= keys.blocks() || e < 0 || e >= keys.experts(r.layer())) {
                    throw new IllegalArgumentException("trace record " + i + " selects expert " + e + " of block " + r.layer()
                            + ", which the trace's model does not have");
                }
                int k = keys.key(r.layer(), e);
                distinct++;
                if (seen[k]) {
                    if (!sameStep || inRecordTwice(r.experts(), e)) throw new IllegalArgumentException("trace record " + i + " selects an expert twice");
                    continue;
                }
                seen[k] = true;
                flat[p++] = k;
            }
            workingSet = Math.max(workingSet, distinct);
            selections += distinct;
        }
        if (steps > 0) {
            closeStep(flat, starts[steps - 1], p, seen);
            closeStep(pred, predStarts[steps - 1], q, predSeen);
        }
        starts[steps] = p;
        predStarts[steps] = q;
        return new AccessSequence(keys, Arrays.copyOf(flat, p), Arrays.copyOf(starts, steps + 1), tokens.size(), workingSet, selections)
                .withPredictions(Arrays.copyOf(pred, q), Arrays.copyOf(predStarts, steps + 1), Arrays.copyOf(has, steps));
    }

    private static boolean inRecordTwice(int[] experts, int e) {
        int n = 0;
        for (int x : experts) if (x == e) n++;
        return n > 1;
    }

    private static void closeStep(int[] flat, int from, int to, boolean[] seen) {
        Arrays.sort(flat, from, to);
        for (int i = from; i < to; i++) seen[flat[i]] = false;
    }

    /** Experts per block as the trace shows them: its header's expert count for every layer with records. */
    public static ExpertKeys keysOf(RoutingTrace trace) {
        int blocks = trace.header().blocks();
        int[] experts = new int[blocks];
        for (TraceRecord r : trace.records()) {
            if (r.layer() < 0) throw new IllegalArgumentException("trace record with layer " + r.layer());
            if (r.layer() >= experts.length) experts = Arrays.copyOf(experts, r.layer() + 1);
            experts[r.layer()] = Math.max(experts[r.layer()], Math.max(r.nExpert(), trace.header().experts()));
        }
        return new ExpertKeys(experts);
    }

    public ExpertKeys keys() {
        return keys;
    }

    /** Accesses in all. */
    public int length() {
        return flat.length;
    }

    public int key(int i) {
        return flat[i];
    }

    public int steps() {
        return stepStart.length - 1;
    }

    public int stepStart(int s) {
        return stepStart[s];
    }

    public int stepEnd(int s) {
        return stepStart[s + 1];
    }

    /** The most experts one step needs (a step larger than the cache is served in rounds). */
    public int largestStep() {
        return largest(stepStart);
    }

    /** The most experts one token selects in one layer: the smallest cache that can replay the sequence. */
    public int workingSet() {
        return workingSet;
    }

    public int tokens() {
        return tokens;
    }

    /** Experts a token selects over all layers, on average: what {@code Nx} budgets and half-lives in tokens are counted in. */
    public double accessesPerToken() {
        return tokens == 0 ? 0 : (double) selections / tokens;
    }

    /** Whether any step carries a gate prediction (the trace was recorded with them). */
    public boolean hasPredictions() {
        for (boolean b : hasPrediction) if (b) return true;
        return false;
    }

    /** Whether step {@code s} carries a gate prediction. */
    public boolean hasPrediction(int s) {
        return hasPrediction[s];
    }

    public int predictedStart(int s) {
        return predStart[s];
    }

    public int predictedEnd(int s) {
        return predStart[s + 1];
    }

    public int predictedKey(int i) {
        return predicted[i];
    }

    /** How often each key is accessed. */
    public long[] counts() {
        long[] c = new long[keys.size()];
        for (int k : flat) c[k]++;
        return c;
    }
}
