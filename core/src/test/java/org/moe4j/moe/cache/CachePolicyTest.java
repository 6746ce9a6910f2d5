package org.moe4j.moe.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/** Each policy against access sequences whose hits and victims were worked out by hand. */
class CachePolicyTest {
    private static final int A = 0, B = 1, C = 2, D = 3;
    private static final ExpertKeys FOUR = new ExpertKeys(new int[]{4});

    /** Records the victims of a policy. */
    private static final class Recording implements CachePolicy {
        final CachePolicy inner;
        final List<Integer> victims = new ArrayList<>();

        Recording(CachePolicy inner) {
            this.inner = inner;
        }

        @Override public String name() { return inner.name(); }
        @Override public void accessed(int key, long time) { inner.accessed(key, time); }
        @Override public void admitted(int key, long time) { inner.admitted(key, time); }

        @Override
        public void evicted(int key) {
            victims.add(key);
            inner.evicted(key);
        }

        @Override
        public int victim(int incoming, IntPredicate evictable, long time) {
            return inner.victim(incoming, evictable, time);
        }
    }

    /** One expert per step. */
    private static AccessSequence single(ExpertKeys keys, int... seq) {
        int[] starts = new int[seq.length + 1];
        for (int i = 0; i <= seq.length; i++) starts[i] = i;
        return new AccessSequence(keys, seq, starts, seq.length);
    }

    /** 400 single accesses of four keys, A and B more often than C and D. */
    private static AccessSequence skewed(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] seq = new int[400];
        for (int i = 0; i < seq.length; i++) seq[i] = rnd.nextInt(10) < 6 ? rnd.nextInt(2) : rnd.nextInt(4);
        return single(FOUR, seq);
    }

    private static Recording replay(AccessSequence s, int capacity, CachePolicy p, long expectedHits) {
        Recording r = new Recording(p);
        CacheSimulator.Result res = CacheSimulator.run(s, capacity, r);
        assertThat(res.hits()).as(p.name() + " hits").isEqualTo(expectedHits);
        assertThat(res.accesses()).isEqualTo(s.length());
        return r;
    }

    @Test
    void lruEvictsTheLeastRecentlyUsed() {
        // A B A C B A with 2 slots: [A] [A B] hit [A C]-B [C B]-A [B A]-C
        Recording r = replay(single(FOUR, A, B, A, C, B, A), 2, new LruPolicy(FOUR), 1);
        assertThat(r.victims).containsExactly(B, A, C);
    }

    @Test
    void lfuKeepsCountsAcrossEvictions() {
        // A A B C B A: C evicts B (1 use vs A's 2); B returns with 2 uses and evicts C (1); A hits
        Recording r = replay(single(FOUR, A, A, B, C, B, A), 2, new LfuPolicy(FOUR), 2);
        assertThat(r.victims).containsExactly(B, C);
        Recording lru = replay(single(FOUR, A, A, B, C, B, A), 2, new LruPolicy(FOUR), 2);
        assertThat(lru.victims).containsExactly(A, C);
    }

    @Test
    void lfruWeighsFrequencyByRecency() {
        // half-life 2 accesses. A A A B C C D, 2 slots.
        // t4 (C): A = 2.207 * 2^-1 = 1.10 vs B = 2^-0.5 = 0.71 -> B goes (as LFU; LRU would drop A)
        // t6 (D): A = 2.207 * 2^-2 = 0.55 vs C = 1.707 * 2^-0.5 = 1.21 -> A goes (as LRU; LFU would drop C)
        int[] seq = {A, A, A, B, C, C, D};
        assertThat(replay(single(FOUR, seq), 2, new LfruPolicy(FOUR, 2, 2), 3).victims).containsExactly(B, A);
        assertThat(replay(single(FOUR, seq), 2, new LfuPolicy(FOUR), 3).victims).containsExactly(B, C);
        assertThat(replay(single(FOUR, seq), 2, new LruPolicy(FOUR), 3).victims).containsExactly(A, B);
    }

    @Test
    void lfruLimitsAreLruAndLfu() {
        AccessSequence s = skewed(7);
        Recording lru = new Recording(new LruPolicy(FOUR));
        Recording shortLife = new Recording(new LfruPolicy(FOUR, 1e-3, 1e-3));
        CacheSimulator.run(s, 2, lru);
        CacheSimulator.run(s, 2, shortLife);
        assertThat(shortLife.victims).isEqualTo(lru.victims);
        Recording lfu = new Recording(new LfuPolicy(FOUR));
        Recording longLife = new Recording(new LfruPolicy(FOUR, 1e12, 1e12));
        CacheSimulator.run(s, 2, lfu);
        CacheSimulator.run(s, 2, longLife);
        assertThat(longLife.victims).isEqualTo(lfu.victims);
    }

    @Test
    void nextUseKeepsWhatTheNextLayersNeed() {
        // two layers of two experts, top-1, 3 slots: layer 0 {A, D}, layer 1 {B, C}; tokens AB DC AB DC AB DC.
        // Four keys cycling through three slots: LRU and LFU always evict what the next step needs.
        ExpertKeys keys = new ExpertKeys(new int[]{2, 2});
        int a = keys.key(0, 0), d = keys.key(0, 1), b = keys.key(1, 0), c = keys.key(1, 1);
        int[] seq = {a, b, d, c, a, b, d, c, a, b, d, c};
        // next use in layer steps = distance to the layer (1 for the other layer, 2 for the current) + 2 (1 - p) / p.
        // 1st C, every p = 1/2: A and D 1 + 2 = 3, B 2 + 2 = 4 -> B goes. [A D C], A hits.
        // 1st B, A and B at 2/3, C and D at 1/3: A 1 + 1 = 2, D 1 + 4 = 5, C 2 + 4 = 6 -> C goes. [A D B], D hits.
        // 2nd C, every p = 1/2 again -> B goes; 3rd B as the 1st -> C; 3rd C -> B. A and D stay: A D A D hit.
        assertThat(replay(single(keys, seq), 3, new NextUsePolicy(keys, 1e9), 4).victims).containsExactly(b, c, b, c, b);
        assertThat(replay(single(keys, seq), 3, new LruPolicy(keys), 0).victims).containsExactly(a, b, d, c, a, b, d, c, a);
        assertThat(replay(single(keys, seq), 3, new LfuPolicy(keys), 0).victims).containsExactly(a, b, d, c, a, b, d, c, a);
        AccessSequence s = single(keys, seq);
        assertThat(CacheSimulator.run(s, 3, new BeladyPolicy(s)).hits()).isEqualTo(6);
    }

    @Test
    void nextUseEstimatesFromLayerDistanceAndFrequency() {
        ExpertKeys keys = new ExpertKeys(new int[]{4, 0, 4}); // block 1 has no experts: two MoE layers
        NextUsePolicy p = new NextUsePolicy(keys, 1e9);
        // layer 0 selects expert 0 in three tokens of four, expert 1 once; layer 2 selects expert 3 every time
        int[][] tokens = {{0, 3}, {0, 3}, {1, 3}, {0, 3}};
        long t = 0;
        for (int[] tok : tokens) {
            p.accessed(keys.key(0, tok[0]), t++);
            p.accessed(keys.key(2, tok[1]), t++);
        }
        // now at layer 2: layer 0 is next (1 step), layer 2 itself comes back in 2
        assertThat(p.probability(keys.key(0, 0))).isCloseTo(0.75, within(1e-6));
        assertThat(p.expectedNextUse(keys.key(0, 0))).isCloseTo(1 + 2 * 0.25 / 0.75, within(1e-6));
        assertThat(p.expectedNextUse(keys.key(0, 1))).isCloseTo(1 + 2 * 0.75 / 0.25, within(1e-6));
        assertThat(p.expectedNextUse(keys.key(2, 3))).isCloseTo(2, within(1e-6));
        assertThat(p.expectedNextUse(keys.key(2, 0))).isInfinite();
        // the half-life counts a layer's steps: with one of a token, the first token's use weighs half the last's
        NextUsePolicy short_ = new NextUsePolicy(keys, 1);
        short_.accessed(keys.key(0, 0), 0);
        short_.accessed(keys.key(0, 1), 1); // the same layer again, a new key: the same step (top-2)
        short_.accessed(keys.key(2, 0), 2);
        short_.accessed(keys.key(0, 1), 3);
        // layer 0: window 0.5 + 1 = 1.5; expert 0 scores 0.5, expert 1 0.5 + 1
        assertThat(short_.probability(keys.key(0, 0))).isCloseTo(0.5 / 1.5, within(1e-9));
        assertThat(short_.probability(keys.key(0, 1))).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void nextUseWithOneLayerIsLfu() {
        AccessSequence s = skewed(5);
        Recording lfu = new Recording(new LfuPolicy(FOUR));
        Recording nextUse = new Recording(new NextUsePolicy(FOUR, 1e12));
        CacheSimulator.run(s, 2, lfu);
        CacheSimulator.run(s, 2, nextUse);
        assertThat(nextUse.victims).isNotEmpty().isEqualTo(lfu.victims);
    }

    @Test
    void beladyEvictsWhatIsNeededLast() {
        // A B C A B D A, 2 slots: C evicts B (A is needed sooner), B evicts C (never again), D evicts B (never again)
        AccessSequence s = single(FOUR, A, B, C, A, B, D, A);
        assertThat(replay(s, 2, new BeladyPolicy(s), 2).victims).containsExactly(B, C, B);
        assertThat(replay(s, 2, new LruPolicy(FOUR), 0).victims).containsExactly(A, B, C, A, B);
    }

    @Test
    void beladyIsAnUpperBound() {
        ExpertKeys keys = new ExpertKeys(new int[]{8, 0, 8});
        SplittableRandom rnd = new SplittableRandom(11);
        int steps = 600;
        int[] flat = new int[steps * 2];
        int[] starts = new int[steps + 1];
        for (int s = 0; s < steps; s++) {
            int block = s % 2 == 0 ? 0 : 2;
            int a = rnd.nextInt(8), b = (a + 1 + rnd.nextInt(7)) % 8;
            flat[2 * s] = keys.key(block, Math.min(a, b));
            flat[2 * s + 1] = keys.key(block, Math.max(a, b));
            starts[s + 1] = 2 * s + 2;
        }
        AccessSequence seq = new AccessSequence(keys, flat, starts, steps / 2);
        for (int cap = 2; cap <= 16; cap += 2) {
            long best = CacheSimulator.run(seq, cap, new BeladyPolicy(seq)).hits();
            CachePolicies.Context ctx = new CachePolicies.Context(keys, cap, 2, 4, null, seq);
            for (String p : List.of("lru", "lfu", "lfru", "next-use", "next-use:half-life=2", "quota")) {
                assertThat(CacheSimulator.run(seq, cap, CachePolicies.create(p, ctx)).hits()).as(p + " at " + cap).isLessThanOrEqualTo(best);
            }
            if (cap == 16) assertThat(best).isEqualTo(seq.length() - 16); // everything fits: only cold misses
        }
    }

    @Test
    void expertsOfTheCurrentStepAreNeverEvicted() {
        // steps {A,B}, {C,D}, {A,C} with 2 slots: {C,D} evicts both; then C hits and A takes D's slot
        AccessSequence s = new AccessSequence(FOUR, new int[]{A, B, C, D, A, C}, new int[]{0, 2, 4, 6}, 3);
        assertThat(replay(s, 2, new LruPolicy(FOUR), 1).victims).containsExactly(A, B, D);
        assertThatThrownBy(() -> CacheSimulator.run(s, 1, new LruPolicy(FOUR)))
                .isInstanceOf(ExpertCacheBudgetException.class).hasMessageContaining("working set");
        // Belady would rather drop A (never used again) than B (used next), but A is part of the step {A,C}
        AccessSequence t = new AccessSequence(FOUR, new int[]{A, B, A, C, B}, new int[]{0, 2, 4, 5}, 3);
        assertThat(replay(t, 2, new BeladyPolicy(t), 1).victims).containsExactly(B, A);
    }

    @Test
    void quotasKeepLayersFromCrowdingEachOtherOut() {
        ExpertKeys keys = new ExpertKeys(new int[]{2, 2}); // block 0: keys 0, 1; block 1: keys 2, 3
        CachePolicy quota = new LayerQuotaPolicy(keys, 2, new LruPolicy(keys));
        assertThat(((LayerQuotaPolicy) quota).quota(0)).isEqualTo(1);
        // 0 1 2 0 1: key 2 takes the slot of over-quota block 0 (its LRU, key 0); then block 0 replaces its own
        assertThat(replay(single(keys, 0, 1, 2, 0, 1), 2, quota, 0).victims).containsExactly(0, 1, 0);
        assertThat(replay(single(keys, 0, 1, 2, 0, 1), 2, new LruPolicy(keys), 0).victims).containsExactly(0, 1, 2);
    }

    @Test
    void pinnedExpertsStayAndAreWarmedFirst() {
        ExpertProfile profile = new ExpertProfile("m", FOUR, new long[]{5, 7, 0, 9});
        CachePolicy pinned = new PinnedHotPolicy(FOUR, 2, 1, profile, 0.5, new LruPolicy(FOUR));
        assertThat(pinned.warmKeys()).containsExactly(D);
        // D A B C D: D is pinned, so A, B, C replace each other and D hits
        assertThat(replay(single(FOUR, D, A, B, C, D), 2, pinned, 1).victims).containsExactly(A, B);
        assertThat(replay(single(FOUR, D, A, B, C, D), 2, new LruPolicy(FOUR), 0).victims).containsExactly(D, A, B);
        assertThat(profile.hottest(10)).containsExactly(D, B, A); // never-used experts are not hot
    }

    @Test
    void pinsLeaveRoomForOneStep() {
        ExpertProfile profile = new ExpertProfile("m", FOUR, new long[]{1, 3, 2, 0});
        // all three slots asked for, but a step needs two: only the hottest, B, is pinned
        CachePolicy pinned = new PinnedHotPolicy(FOUR, 3, 2, profile, 1.0, new LruPolicy(FOUR));
        assertThat(pinned.warmKeys()).containsExactly(B);
        AccessSequence s = new AccessSequence(FOUR, new int[]{B, A, C, D, A}, new int[]{0, 1, 3, 5}, 3);
        // [B] [B A C] {D, A}: A hits, D evicts C (B is pinned, A in the step)
        assertThat(replay(s, 3, pinned, 1).victims).containsExactly(C);
    }

    @Test
    void specsParseAndReportTheirName() {
        CachePolicies.Context ctx = new CachePolicies.Context(FOUR, 2, 1, 8, new ExpertProfile("m", FOUR, new long[]{1, 2, 3, 4}), null);
        assertThat(CachePolicies.create("lru", ctx).name()).isEqualTo("lru");
        assertThat(CachePolicies.create(null, ctx).name()).isEqualTo("next-use:half-life=" + CachePolicies.number(CachePolicies.DEFAULT_NEXT_USE_HALF_LIFE_TOKENS));
        assertThat(CachePolicies.create("next-use:half-life=16", ctx).name()).isEqualTo("next-use:half-life=16");
        assertThatThrownBy(() -> CachePolicies.create("next-use:half-life=0", ctx)).hasMessageContaining("positive");
        assertThat(CachePolicies.create("LFRU:half-life=2.5", ctx).name()).isEqualTo("lfru:half-life=2.5");
        assertThat(CachePolicies.create("quota:inner=lfu", ctx).name()).isEqualTo("quota:inner=lfu");
        assertThat(CachePolicies.create("pinned:fraction=0.25:inner=lfru:half-life=4", ctx).name())
                .isEqualTo("pinned:fraction=0.25:inner=lfru:half-life=4");
        assertThatThrownBy(() -> CachePolicies.create("mru", ctx)).hasMessageContaining("unknown cache policy 'mru'");
        assertThatThrownBy(() -> CachePolicies.create("lru:half-life=3", ctx)).hasMessageContaining("does not apply");
        assertThatThrownBy(() -> CachePolicies.create("lfru:half-life=-1", ctx)).hasMessageContaining("positive");
        assertThatThrownBy(() -> CachePolicies.create("lfru:half-life", ctx)).hasMessageContaining("key=value");
        assertThatThrownBy(() -> CachePolicies.create("pinned:fraction=2", ctx)).hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> CachePolicies.create("belady", ctx)).hasMessageContaining("offline");
        CachePolicies.Context noProfile = new CachePolicies.Context(FOUR, 2, 1, 8, null, null);
        assertThatThrownBy(() -> CachePolicies.create("pinned", noProfile)).hasMessageContaining("--cache-profile");
    }

    @Test
    void nextUseTrustsTheGatePredictionOfTheNextStepAsFarAsItWasRight() {
        ExpertKeys keys = new ExpertKeys(new int[]{4, 4});
        NextUsePolicy p = new NextUsePolicy(keys, 1e12);
        int a = keys.key(1, 0), c = keys.key(1, 2);
        long t = 0;
        p.accessed(keys.key(0, 0), t++);
        p.accessed(c, t++); // token 1: block 1 selects expert 2
        p.accessed(keys.key(0, 0), t++);
        p.accessed(a, t++); // token 2: block 1 selects expert 0
        p.admitted(a, 0);
        p.admitted(c, 0);
        IntPredicate either = k -> k == a || k == c;
        assertThat(p.victim(-1, either, t)).as("same chance, c used longer ago").isEqualTo(c);

        p.predicted(1, new int[]{c}, 1);
        // block 1 comes round in 2 steps; a prediction is believed half the time (the prior), an unpredicted expert 0.1
        assertThat(p.expectedNextUse(c)).isCloseTo(2 + 0.5 * 2 / 0.5, within(1e-6));
        assertThat(p.expectedNextUse(a)).isCloseTo(2 + 0.9 * 2 / 0.5, within(1e-6));
        assertThat(p.victim(-1, either, t)).isEqualTo(a);

        p.accessed(keys.key(0, 1), t++);
        p.accessed(c, t++); // token 3: the prediction was right
        p.accessed(keys.key(0, 0), t++); // token 4 begins: block 1's step is scored
        p.predicted(1, new int[]{a}, 1);
        // predictions right (0.5 + 1) / (1 + 1); unpredicted experts selected 0.1 / (1 + 3); block 1 is next
        assertThat(p.expectedNextUse(a)).isCloseTo(1 + (1 - 0.75) * 2 / (1.0 / 3), within(1e-6));
        assertThat(p.expectedNextUse(c)).isCloseTo(1 + (1 - 0.025) * 2 / (2.0 / 3), within(1e-6));
    }

    @Test
    void replayPrefetchesTheGatePredictionAfterThePreviousStep() {
        // blocks 0 and 1 with two experts each: keys 0, 1 and 2, 3; a token selects one expert per block
        ExpertKeys keys = new ExpertKeys(new int[]{2, 2});
        int[] flat = {0, 2, 1, 3};
        int[] starts = {0, 1, 2, 3, 4};
        AccessSequence demand = new AccessSequence(keys, flat, starts, 2);
        assertThat(CacheSimulator.run(demand, 2, new LruPolicy(keys), true).hits()).isZero();
        // step 1 predicted {2} (right), step 3 predicted {3} (right)
        AccessSequence right = new AccessSequence(keys, flat, starts, 2)
                .withPredictions(new int[]{2, 3}, new int[]{0, 0, 1, 1, 2}, new boolean[]{false, true, false, true});
        assertThat(CacheSimulator.run(right, 2, new LruPolicy(keys), false).hits()).as("no prefetch asked").isZero();
        // 0 miss; 2 prefetched into the free slot, hit; 1 miss evicts 0 (LRU); 3 prefetched evicting 2 (1 is in use), hit
        Recording lru = new Recording(new LruPolicy(keys));
        CacheSimulator.Result r = CacheSimulator.run(right, 2, lru, true);
        assertThat(r.hits()).isEqualTo(2);
        assertThat(r.prefetched()).isEqualTo(2);
        assertThat(r.prefetchUsed()).isEqualTo(2);
        assertThat(lru.victims).containsExactly(0, 2);
        // step 3 predicted {2} (wrong, already resident: nothing to load), so 3 misses
        AccessSequence wrong = new AccessSequence(keys, flat, starts, 2)
                .withPredictions(new int[]{2, 2}, new int[]{0, 0, 1, 1, 2}, new boolean[]{false, true, false, true});
        CacheSimulator.Result w = CacheSimulator.run(wrong, 2, new LruPolicy(keys), true);
        assertThat(w.hits()).isEqualTo(1);
        assertThat(w.prefetched()).isEqualTo(1);
        // a full cache whose every expert the step in progress uses: the prefetch gives up instead of evicting one
        AccessSequence full = new AccessSequence(keys, new int[]{0, 1, 2}, new int[]{0, 2, 3}, 1)
                .withPredictions(new int[]{3}, new int[]{0, 0, 1}, new boolean[]{false, true});
        CacheSimulator.Result f = CacheSimulator.run(full, 2, new LruPolicy(keys), true);
        assertThat(f.prefetched()).isZero();
        assertThat(f.hits()).isZero();
        // a hand-written trace may predict block 0, which no block precedes: prefetched like any other step
        AccessSequence zero = new AccessSequence(keys, new int[]{2, 0}, new int[]{0, 1, 2}, 2)
                .withPredictions(new int[]{0}, new int[]{0, 0, 1}, new boolean[]{false, true});
        CacheSimulator.Result z = CacheSimulator.run(zero, 2, new LruPolicy(keys), true);
        assertThat(z.prefetched()).isEqualTo(1);
        assertThat(z.hits()).isEqualTo(1);
    }

    /** The most hits any demand-paging schedule gets: every choice of victims tried (steps no larger than the cache). */
    private static int bestHits(AccessSequence seq, int capacity, int step, long resident, java.util.Map<Long, Integer> memo) {
        if (step == seq.steps()) return 0;
        long key = ((long) step << 32) | resident;
        Integer known = memo.get(key);
        if (known != null) return known;
        long need = 0;
        for (int i = seq.stepStart(step); i < seq.stepEnd(step); i++) need |= 1L << seq.key(i);
        int hits = Long.bitCount(need & resident);
        long missing = need & ~resident;
        int free = capacity - Long.bitCount(resident);
        int evictions = Math.max(0, Long.bitCount(missing) - free);
        long candidates = resident & ~need;
        int best = Integer.MIN_VALUE;
        // every subset of the candidates of the size the misses need
        for (long sub = candidates; ; sub = (sub - 1) & candidates) {
            if (Long.bitCount(sub) == evictions) {
                best = Math.max(best, bestHits(seq, capacity, step + 1, (resident & ~sub) | missing, memo));
            }
            if (sub == 0) break;
        }
        memo.put(key, hits + best);
        return hits + best;
    }

    @Test
    void beladyIsOptimalWhenAStepNeedsSeveralExpertsAtOnce() {
        // two layers of four experts, top-1 or top-2 per step, tokens passing the layers in order
        ExpertKeys keys = new ExpertKeys(new int[]{4, 4});
        SplittableRandom rnd = new SplittableRandom(11);
        for (int trial = 0; trial < 300; trial++) {
            int tokens = 3 + rnd.nextInt(6);
            List<Integer> flat = new ArrayList<>();
            List<Integer> starts = new ArrayList<>();
            for (int t = 0; t < tokens; t++) {
                for (int b = 0; b < 2; b++) {
                    starts.add(flat.size());
                    int first = rnd.nextInt(4);
                    flat.add(keys.key(b, first));
                    if (rnd.nextBoolean()) {
                        int second = (first + 1 + rnd.nextInt(3)) % 4;
                        flat.add(keys.key(b, second));
                        if (second < first) java.util.Collections.swap(flat, flat.size() - 1, flat.size() - 2);
                    }
                }
            }
            starts.add(flat.size());
            AccessSequence seq = new AccessSequence(keys, flat.stream().mapToInt(Integer::intValue).toArray(),
                    starts.stream().mapToInt(Integer::intValue).toArray(), tokens);
            int capacity = 2 + rnd.nextInt(4);
            int best = bestHits(seq, capacity, 0, 0, new java.util.HashMap<>());
            assertThat(CacheSimulator.run(seq, capacity, new BeladyPolicy(seq)).hits()).as("trial %d, %d slots", trial, capacity).isEqualTo(best);
        }
    }
}
