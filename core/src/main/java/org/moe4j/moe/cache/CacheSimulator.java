package org.moe4j.moe.cache;

/**
 * Replays an {@link AccessSequence} against a policy and a cache of {@code capacity} experts, the way the
 * expert cache serves a layer: every expert of a step is an access (a hit when resident as the step
 * begins), then the step's experts are made resident in rounds of at most {@code capacity} (less the
 * pinned experts), ascending;
 * none of a round's experts is evicted to make room for another of the same round. Every miss is loaded
 * (demand paging, no prefetch). With steps no larger than the cache, Belady's policy is optimal.
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
        if (capacity < seq.workingSet()) {
            throw new ExpertCacheBudgetException("a cache of " + capacity + " experts cannot hold one token's working set: a token of the trace "
                    + "selects " + seq.workingSet() + " experts in one layer");
        }
        boolean[] resident = new boolean[keys.size()];
        boolean[] inRound = new boolean[keys.size()];
        long[] blockAccesses = new long[keys.blocks()];
        long[] blockHits = new long[keys.blocks()];
        // rounds leave pinned experts their slots, as the cache's do
        int round = Math.max(seq.workingSet(), capacity - policy.warmKeys().length);
        int size = 0;
        long hits = 0;
        for (int s = 0; s < seq.steps(); s++) {
            int from = seq.stepStart(s), to = seq.stepEnd(s);
            for (int i = from; i < to; i++) {
                int k = seq.key(i);
                policy.accessed(k, i);
                blockAccesses[keys.blockOf(k)]++;
                if (resident[k]) {
                    hits++;
                    blockHits[keys.blockOf(k)]++;
                }
            }
            for (int r = from; r < to; r += round) {
                int end = Math.min(to, r + round);
                for (int i = r; i < end; i++) inRound[seq.key(i)] = true;
                for (int i = r; i < end; i++) {
                    int k = seq.key(i);
                    if (resident[k]) continue;
                    if (size == capacity) {
                        int v = policy.victim(k, x -> !inRound[x], i);
                        if (v < 0 || !resident[v] || inRound[v]) {
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
                for (int i = r; i < end; i++) inRound[seq.key(i)] = false;
            }
        }
        return new Result(policy.name(), capacity, seq.length(), hits, blockAccesses, blockHits);
    }
}
