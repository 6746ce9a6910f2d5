package org.moe4j.moe.cache;

import java.util.Arrays;
import java.util.List;
import org.moe4j.trace.RoutingTrace;
import org.moe4j.trace.TraceRecord;

/**
 * Expert accesses in the order a cache sees them: one step per routing record (a token at a layer),
 * each step the distinct experts the token selected there, ascending, all needed at the same time.
 */
public final class AccessSequence {
    private final ExpertKeys keys;
    private final int[] flat;
    private final int[] stepStart;
    private final int tokens;

    /**
     * @param flat      keys of every access, step after step
     * @param stepStart index in {@code flat} where each step starts, plus the total at the end
     * @param tokens    tokens the steps belong to (a token has one step per MoE layer)
     */
    public AccessSequence(ExpertKeys keys, int[] flat, int[] stepStart, int tokens) {
        this.keys = keys;
        this.flat = flat;
        this.stepStart = stepStart;
        this.tokens = tokens;
        for (int k : flat) {
            if (k < 0 || k >= keys.size()) throw new IllegalArgumentException("key " + k + " outside " + keys);
        }
    }

    /** The accesses of a trace's records, in file order. */
    public static AccessSequence of(RoutingTrace trace) {
        return of(keysOf(trace), trace.records());
    }

    public static AccessSequence of(ExpertKeys keys, List<TraceRecord> records) {
        int total = 0;
        for (TraceRecord r : records) total += r.experts().length;
        int[] flat = new int[total];
        int[] starts = new int[records.size() + 1];
        java.util.Set<Long> tokens = new java.util.HashSet<>();
        int p = 0;
        for (int i = 0; i < records.size(); i++) {
            TraceRecord r = records.get(i);
            tokens.add(((long) r.seq() << 40) ^ ((long) r.slot() << 24) ^ r.pos());
            starts[i] = p;
            int from = p;
            for (int e : r.experts()) {
                if (r.layer() >= keys.blocks() || e >= keys.experts(r.layer())) {
                    throw new IllegalArgumentException("trace record " + i + " selects expert " + e + " of block " + r.layer()
                            + ", which the trace's model does not have");
                }
                flat[p++] = keys.key(r.layer(), e);
            }
            Arrays.sort(flat, from, p);
            for (int j = from + 1; j < p; j++) {
                if (flat[j] == flat[j - 1]) throw new IllegalArgumentException("trace record " + i + " selects an expert twice");
            }
        }
        starts[records.size()] = p;
        return new AccessSequence(keys, flat, starts, tokens.size());
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

    /** The most experts one step needs at once: the smallest cache that can replay the sequence. */
    public int largestStep() {
        int m = 0;
        for (int s = 0; s < steps(); s++) m = Math.max(m, stepEnd(s) - stepStart(s));
        return m;
    }

    public int tokens() {
        return tokens;
    }

    /** Expert accesses per token over all layers (what a half-life in tokens is converted with). */
    public double accessesPerToken() {
        return tokens == 0 ? 0 : (double) length() / tokens;
    }

    /** How often each key is accessed. */
    public long[] counts() {
        long[] c = new long[keys.size()];
        for (int k : flat) c[k]++;
        return c;
    }
}
