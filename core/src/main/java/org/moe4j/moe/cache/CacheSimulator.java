package org.moe4j.moe.cache;

/**
 * Replays an {@link AccessSequence} against a policy and a cache of {@code capacity} experts, the way the
 * expert cache serves a layer: every expert of a step is an access (a hit when resident as the step
 * begins), then the step's experts are made resident in rounds of at most {@code capacity} (less the
 * pinned experts), ascending;
 * none of a round's experts is evicted to make room for another of the same round. Every miss is loaded
 * (demand paging), except the experts a policy pins ({@link CachePolicy#warmKeys}), which are loaded
 * before the first step as the cache does. With steps no larger than the cache, Belady's policy is
 * optimal among demand-paging policies (a test checks it against every schedule on small sequences);
 * a step larger than the cache (a prompt pass) is served in rounds whose order is fixed, which Belady
 * cannot choose, so a policy with smaller rounds (one that pins experts) can end such a step with
 * better contents than Belady's.
 *
 * <p>With {@code prefetch}, steps that carry a gate prediction (traces recorded with
 * {@code --trace-predictions}) are prefetched the way the cache does it: after the previous step's
 * loads, each predicted expert not resident takes a free slot or the policy's victim among the experts
 * the previous step is not using, until none is left. Prefetched experts are taken to arrive before
 * they are needed (the reads keep up with the computation); the cache reports separately how often they
 * were still in flight. Prefetching can beat Belady's demand paging: it loads before the miss.
 */
public final class CacheSimulator {
    private CacheSimulator() {
    }

    /** Hits of one replay, overall and per block. */
    public record Result(String policy, int capacity, long accesses, long hits, long[] blockAccesses, long[] blockHits,
                         long prefetched, long prefetchUsed) {
        public Result(String policy, int capacity, long accesses, long hits, long[] blockAccesses, long[] blockHits) {
            this(policy, capacity, accesses, hits, blockAccesses, blockHits, 0, 0);
        }

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
        return run(seq, capacity, policy, false);
    }

    public static Result run(AccessSequence seq, int capacity, CachePolicy policy, boolean prefetch) {
        ExpertKeys keys = seq.keys();
        if (capacity < seq.workingSet()) {
            throw new ExpertCacheBudgetException("a cache of " + capacity + " experts cannot hold one token's working set: a token of the trace "
                    + "selects " + seq.workingSet() + " experts in one layer");
        }
        Slots slots = new Slots(keys.size(), capacity, policy);
        long[] blockAccesses = new long[keys.blocks()];
        long[] blockHits = new long[keys.blocks()];
        // rounds leave pinned experts their slots, as the cache's do
        int round = Math.max(seq.workingSet(), capacity - policy.warmKeys().length);
        long hits = 0, prefetched = 0, prefetchUsed = 0;
        int[] hint = new int[keys.maxExperts()];
        // the experts a policy pins are loaded before the first token, as the cache does
        for (int k : policy.warmKeys()) {
            if (slots.size == capacity) break;
            slots.load(k, 0, true);
        }
        for (int s = 0; s < seq.steps(); s++) {
            int from = seq.stepStart(s), to = seq.stepEnd(s);
            boolean predictNext = prefetch && s + 1 < seq.steps() && seq.hasPrediction(s + 1);
            // made on the input of the block before the next step's: when that is this step's block, before this step routes
            boolean early = predictNext && blockOf(seq, s + 1) - 1 == blockOf(seq, s);
            if (early) tellPrediction(seq, s + 1, policy, hint);
            for (int i = from; i < to; i++) {
                int k = seq.key(i);
                policy.accessed(k, i);
                blockAccesses[keys.blockOf(k)]++;
                if (slots.resident[k]) {
                    hits++;
                    blockHits[keys.blockOf(k)]++;
                    if (slots.unused[k]) prefetchUsed++;
                }
                slots.unused[k] = false;
            }
            for (int r = from; r < to; r += round) {
                int end = Math.min(to, r + round);
                for (int i = r; i < end; i++) slots.inUse[seq.key(i)] = true;
                for (int i = r; i < end; i++) slots.load(seq.key(i), i, true);
                for (int i = r; i < end; i++) slots.inUse[seq.key(i)] = false;
            }
            if (predictNext) {
                if (!early) tellPrediction(seq, s + 1, policy, hint);
                // the step just served is computing and keeps its experts; the prediction takes what else it can
                long time = Math.max(0, to - 1);
                int pf = seq.predictedStart(s + 1), pt = seq.predictedEnd(s + 1);
                for (int i = from; i < to; i++) slots.inUse[seq.key(i)] = true;
                for (int i = pf; i < pt; i++) slots.inUse[seq.predictedKey(i)] = true;
                for (int i = pf; i < pt; i++) {
                    int k = seq.predictedKey(i);
                    if (slots.resident[k]) continue;
                    if (!slots.load(k, time, false)) break;
                    slots.unused[k] = true;
                    prefetched++;
                }
                for (int i = from; i < to; i++) slots.inUse[seq.key(i)] = false;
                for (int i = pf; i < pt; i++) slots.inUse[seq.predictedKey(i)] = false;
            }
        }
        return new Result(policy.name(), capacity, seq.length(), hits, blockAccesses, blockHits, prefetched, prefetchUsed);
    }

    /** The replayed cache's slots: which keys are resident, in use by the step (not evictable), or prefetched and not yet used. */
    private static final class Slots {
        final boolean[] resident, inUse, unused;
        final int capacity;
        final CachePolicy policy;
        int size;

        Slots(int keys, int capacity, CachePolicy policy) {
            this.resident = new boolean[keys];
            this.inUse = new boolean[keys];
            this.unused = new boolean[keys];
            this.capacity = capacity;
            this.policy = policy;
        }

        /**
         * Makes {@code k} resident, evicting the policy's victim among the keys not in use when the cache
         * is full. A demand load ({@code must}) always finds one; a prefetch returns false when none is left.
         */
        boolean load(int k, long time, boolean must) {
            if (resident[k]) return true;
            if (size == capacity) {
                int v = policy.victim(k, x -> !inUse[x], time);
                if (v < 0 && !must) return false;
                if (v < 0 || !resident[v] || inUse[v]) throw new IllegalStateException(policy.name() + " chose " + v + " as the victim for " + k);
                resident[v] = false;
                unused[v] = false;
                policy.evicted(v);
                size--;
            }
            resident[k] = true;
            policy.admitted(k, time);
            size++;
            return true;
        }
    }

    private static int blockOf(AccessSequence seq, int step) {
        return seq.keys().blockOf(seq.key(seq.stepStart(step)));
    }

    private static void tellPrediction(AccessSequence seq, int step, CachePolicy policy, int[] hint) {
        int pf = seq.predictedStart(step), pt = seq.predictedEnd(step);
        for (int i = pf; i < pt; i++) hint[i - pf] = seq.predictedKey(i);
        policy.predicted(blockOf(seq, step), hint, pt - pf);
    }
}
