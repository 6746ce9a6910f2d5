package org.moe4j.moe.cache;

/**
 * Replays an {@link AccessSequence} against a policy and a cache of {@code capacity} experts, the way
 * the expert cache serves a layer: the experts of one step are needed together, so none of them may be
 * evicted to make room for another; every miss is loaded (demand paging, no prefetch).
 */
public final class CacheSimulator {
    private CacheSimulator() {
    }

    /** Hits of one replay, overall and per block. */
    public record Result(String policy, int capacity, long accesses, long hits, long[] blockAccesses, long[] blockHits) {
        public double hitRate() {
            return accesses == 0 ? 0 : (double) hits / accesses;
        }

        public double hitRate(int block) {
            return blockAccesses[block] == 0 ? Double.NaN : (double) blockHits[block] / blockAccesses[block];
        }

        public long misses() {
            return accesses - hits;
        }
    }

    public static Result run(AccessSequence seq, int capacity, CachePolicy policy) {
        ExpertKeys keys = seq.keys();
        if (capacity < seq.largestStep()) {
            throw new ExpertCacheBudgetException("a cache of " + capacity + " experts cannot hold one token's working set: a step of the trace needs "
                    + seq.largestStep() + " experts at once");
        }
        boolean[] resident = new boolean[keys.size()];
        boolean[] inStep = new boolean[keys.size()];
        long[] blockAccesses = new long[keys.blocks()];
        long[] blockHits = new long[keys.blocks()];
        int size = 0;
        long hits = 0;
        for (int s = 0; s < seq.steps(); s++) {
            int from = seq.stepStart(s), to = seq.stepEnd(s);
            for (int i = from; i < to; i++) inStep[seq.key(i)] = true;
            for (int i = from; i < to; i++) {
                int k = seq.key(i);
                policy.accessed(k, i);
                blockAccesses[keys.blockOf(k)]++;
                if (resident[k]) {
                    hits++;
                    blockHits[keys.blockOf(k)]++;
                }
            }
            for (int i = from; i < to; i++) {
                int k = seq.key(i);
                if (resident[k]) continue;
                if (size == capacity) {
                    int v = policy.victim(k, x -> !inStep[x], i);
                    if (v < 0 || !resident[v] || inStep[v]) {
                        throw new IllegalStateException(policy.name() + " chose " + v + " as the victim for " + k);
                    }
                    resident[v] = false;
                    policy.evicted(v);
                    size--;
                }
                resident[k] = true;
                policy.admitted(k, i);
                size++;
            }
            for (int i = from; i < to; i++) inStep[seq.key(i)] = false;
        }
        return new Result(policy.name(), capacity, seq.length(), hits, blockAccesses, blockHits);
    }
}
