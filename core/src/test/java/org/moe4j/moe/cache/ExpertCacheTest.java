package org.moe4j.moe.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.moe4j.model.Batch;
import org.moe4j.model.ForwardListener;
import org.moe4j.model.GatedFfn;
import org.moe4j.model.KVCache;
import org.moe4j.model.LoadOptions;
import org.moe4j.model.Model;
import org.moe4j.model.ModelLoader;
import org.moe4j.moe.MappedExpertStore;
import org.moe4j.moe.MoeFeedForward;
import org.moe4j.moe.RoutingDecision;
import org.moe4j.moe.RoutingObserver;
import org.moe4j.tensor.GGMLType;
import org.moe4j.tensor.NumericMode;
import org.moe4j.tensor.Tensor;
import org.moe4j.tensor.quant.Quantizers;
import org.moe4j.testing.Manifest;
import org.moe4j.testing.SharedData;
import org.moe4j.trace.TraceRecord;

class ExpertCacheTest {
    private static Model load(Path p, NumericMode mode) {
        return ModelLoader.load(p, new LoadOptions(2, mode));
    }

    private static Path model(String name) {
        return SharedData.models().resolve(name + ".gguf");
    }

    /** The smallest budget the cache accepts for a model: one token's experts of one layer. */
    private static long minimumBudget(Model m) {
        ExpertLayout l = ExpertLayout.of(m, ExpertReader.alignment(m.file().path()));
        return l.maxTopK() * l.slotBytes();
    }

    private static long slotBytes(Model m) {
        return ExpertLayout.of(m, ExpertReader.alignment(m.file().path())).slotBytes();
    }

    /** Batch logits of the ids, then logits of the ids fed one at a time after the first half. */
    private static float[] run(Model m, int[] ids) {
        int v = m.vocabSize();
        KVCache cache = m.newCache(1, 128);
        float[] batch = new float[ids.length * v];
        m.forward(Batch.of(ids, 0, 0, true), cache, batch);
        KVCache c2 = m.newCache(1, 128);
        int half = ids.length / 2;
        float[] one = new float[v];
        m.forward(Batch.of(java.util.Arrays.copyOf(ids, half), 0, 0, false), c2, one);
        float[] out = java.util.Arrays.copyOf(batch, batch.length + (ids.length - half) * v);
        for (int t = half; t < ids.length; t++) {
            m.forward(Batch.of(new int[]{ids[t]}, t, 0, true), c2, one);
            System.arraycopy(one, 0, out, batch.length + (t - half) * v, v);
        }
        return out;
    }

    private static void assertBitIdentical(float[] actual, float[] expected, String what) {
        assertThat(actual.length).isEqualTo(expected.length);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(actual[i]) != Float.floatToRawIntBits(expected[i])) {
                throw new AssertionError(what + ": logit " + i + " is " + actual[i] + ", the mapped run gave " + expected[i]);
            }
        }
    }

    @TestFactory
    List<DynamicTest> outputIsBitIdenticalToTheMappedRun() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Manifest.Case c : Manifest.cases()) {
            if (c.name().equals("llama-dense")) continue;
            for (NumericMode mode : NumericMode.values()) {
                tests.add(dynamicTest(c.name() + " " + mode, () -> {
                    try (Model m = load(c.modelFile(), mode)) {
                        float[] mapped = run(m, c.tokenIds());
                        long min = minimumBudget(m);
                        long half = slotBytes(m) * Math.max(ExpertLayout.of(m, 4096).maxTopK(), ExpertLayout.of(m, 4096).keys().size() / 2);
                        // the smallest budget (every batch runs in rounds, every token evicts), then room for half the experts
                        String[][] runs = c.isQuantized() ? new String[][]{{"next-use", Long.toString(min)}}
                                : new String[][]{{"lru", Long.toString(min)}, {"lfru", Long.toString(min)}, {"next-use", Long.toString(half)},
                                {"quota", Long.toString(half)}};
                        for (String[] r : runs) {
                            ExpertCacheConfig cfg = ExpertCacheConfig.of(Long.parseLong(r[1])).withPolicy(r[0]).withIoThreads(2);
                            try (ExpertCache cache = ExpertCache.open(m, cfg)) {
                                assertBitIdentical(run(m, c.tokenIds()), mapped, c.name() + " " + mode + " " + r[0] + " budget " + r[1]);
                                assertThat(cache.stats().misses()).isPositive();
                            }
                            assertThat(m.expertStore()).isInstanceOf(MappedExpertStore.class);
                        }
                    }
                }));
            }
        }
        return tests;
    }

    @Test
    void aBudgetBelowOneTokensWorkingSetIsAClearError() {
        try (Model m = load(model("qwen3moe"), NumericMode.NATIVE)) {
            long min = minimumBudget(m);
            assertThatThrownBy(() -> ExpertCache.open(m, ExpertCacheConfig.of(min - 1)))
                    .isInstanceOf(ExpertCacheBudgetException.class)
                    .hasMessageContaining("cannot hold one token's working set")
                    .hasMessageContaining("up to 4 experts in one layer")
                    .hasMessageContaining("at least " + org.moe4j.util.Progress.bytes(min));
            assertThat(m.expertStore()).isInstanceOf(MappedExpertStore.class);
            ExpertCache.open(m, ExpertCacheConfig.of(min)).close();
            assertThatThrownBy(() -> ExpertCache.open(m, ExpertCacheConfig.of(min).withMixedPrecision(GGMLType.Q4_0)))
                    .isInstanceOf(ExpertCacheBudgetException.class).hasMessageContaining("low-bit copies");
        }
        try (Model dense = load(model("llama-dense"), NumericMode.NATIVE)) {
            assertThatThrownBy(() -> ExpertCache.open(dense, ExpertCacheConfig.of(1L << 30))).hasMessageContaining("no routed experts");
        }
    }

    @Test
    void servedWeightsNeverPointIntoTheMappedFile() {
        try (Model m = load(model("olmoe"), NumericMode.NATIVE); ExpertCache cache = ExpertCache.open(m, ExpertCacheConfig.of(1L << 30))) {
            run(m, Manifest.get("olmoe").tokenIds());
            ExpertKeys keys = cache.layout().keys();
            long lo = Long.MAX_VALUE, hi = 0;
            for (var t : m.file().tensors()) {
                MemorySegment s = m.file().tensorData(t);
                lo = Math.min(lo, s.address());
                hi = Math.max(hi, s.address() + s.byteSize());
            }
            for (int b : keys.moeBlocks()) {
                for (int e = 0; e < keys.experts(b); e++) {
                    GatedFfn.Weights w = cache.acquire(b, e);
                    try {
                        for (Tensor t : new Tensor[]{w.gate(), w.up(), w.down()}) {
                            long a = t.data().address();
                            assertThat(a + t.byteSize() <= lo || a >= hi).as(t.name() + " outside the mapping").isTrue();
                        }
                    } finally {
                        cache.release(b, e);
                    }
                }
            }
        }
    }

    @Test
    void twoThreadsShareOneCache() throws Exception {
        Manifest.Case c = Manifest.get("qwen3moe");
        try (Model a = load(c.modelFile(), NumericMode.NATIVE); Model b = load(c.modelFile(), NumericMode.NATIVE)) {
            float[] expected = run(a, c.tokenIds());
            // room for a few tokens' experts only: the two threads keep evicting each other's
            try (ExpertCache cache = ExpertCache.open(a, ExpertCacheConfig.of(minimumBudget(a) * 2).withIoThreads(3))) {
                cache.attach(b);
                ExpertStoreProbe.assertServedBy(cache, a, b);
                ExecutorService pool = Executors.newFixedThreadPool(2);
                try {
                    List<Future<Integer>> done = new ArrayList<>();
                    for (Model m : new Model[]{a, b}) {
                        Callable<Integer> job = () -> {
                            for (int i = 0; i < 8; i++) assertBitIdentical(run(m, c.tokenIds()), expected, "iteration " + i);
                            return 8;
                        };
                        done.add(pool.submit(job));
                    }
                    long deadline = System.nanoTime() + 120_000_000_000L;
                    for (Future<Integer> f : done) {
                        try {
                            assertThat(f.get(Math.max(1, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS)).isEqualTo(8);
                        } catch (java.util.concurrent.TimeoutException e) {
                            for (Future<Integer> g : done) {
                                if (g.state() == Future.State.FAILED) throw new AssertionError("a thread failed; " + cache, g.exceptionNow());
                            }
                            System.err.println("the threads did not finish: " + cache);
                            throw new AssertionError("the threads did not finish: " + cache);
                        }
                    }
                } finally {
                    pool.shutdownNow();
                }
                assertThat(cache.stats().accesses()).isPositive();
                cache.detach(b);
                assertThat(b.expertStore()).isInstanceOf(MappedExpertStore.class);
            }
            assertThat(a.expertStore()).isInstanceOf(MappedExpertStore.class);
        }
    }

    /** Checks which store serves a model. */
    private static final class ExpertStoreProbe {
        static void assertServedBy(ExpertCache cache, Model... models) {
            for (Model m : models) assertThat(ExpertCache.attachedTo(m)).containsSame(cache);
        }
    }

    private static RoutingDecision decision(Model m, int layer, int... experts) {
        RoutingDecision d = ((MoeFeedForward) m.block(layer).feedForward()).router().newDecision();
        d.select(experts, experts.length);
        return d;
    }

    @Test
    void mispredictionsAreCorrectedAndScored() {
        try (Model m = load(model("qwen3moe"), NumericMode.NATIVE);
             ExpertCache cache = ExpertCache.open(m, ExpertCacheConfig.of(1L << 30).withPrefetch(false).withIoThreads(1))) {
            // predicted {0, 1, 2, 3}; the layer needs {2, 3, 4, 5}
            cache.predict(0, new int[]{0, 1, 2, 3}, 4, true);
            cache.onRouted(0, new RoutingDecision[]{decision(m, 0, 2, 3, 4, 5)}, 1);
            for (int e = 2; e <= 5; e++) {
                assertThat(cache.acquire(0, e)).isNotNull();
            }
            for (int e = 2; e <= 5; e++) cache.release(0, e);
            ExpertCacheStats.Snapshot s = cache.stats();
            ExpertCacheStats.Layer l0 = s.layers().getFirst();
            assertThat(l0.prefetchAccuracy()).isEqualTo(0.5);
            assertThat(l0.prefetchPrecision()).isEqualTo(0.5);
            assertThat(l0.prefetchIssued()).isEqualTo(4);
            assertThat(l0.prefetchUsed()).isEqualTo(2); // 2 and 3
            assertThat(l0.accesses()).isEqualTo(4);
            assertThat(l0.hits() + l0.inFlight()).as("2 and 3 were on their way").isEqualTo(2);
            for (int e = 2; e <= 5; e++) assertThat(cache.isResident(0, e)).isTrue();
            // 0 and 1 were either withdrawn before their read started, or are read and kept for later tokens
            long deadline = System.nanoTime() + 10_000_000_000L;
            long kept;
            do {
                kept = (cache.isResident(0, 0) ? 1 : 0) + (cache.isResident(0, 1) ? 1 : 0);
            } while (l0.prefetchWasted() + kept < 2 && System.nanoTime() < deadline);
            assertThat(l0.prefetchWasted() + kept).isEqualTo(2);
        }
    }

    @Test
    void wrongPredictionsNeverChangeTheOutput() {
        Manifest.Case c = Manifest.get("olmoe");
        try (Model m = load(c.modelFile(), NumericMode.NATIVE)) {
            float[] expected = run(m, c.tokenIds());
            try (ExpertCache cache = ExpertCache.open(m, ExpertCacheConfig.of(minimumBudget(m) * 2).withPrefetch(false))) {
                SplittableRandom rnd = new SplittableRandom(3);
                ForwardListener liar = new ForwardListener() {
                    @Override
                    public void beforeFeedForward(int layer, float[] normed, int n, int width) {
                        int next = (layer + 1) % m.blockCount();
                        int[] e = rnd.ints(4, 0, 16).distinct().toArray();
                        cache.predict(next, e, e.length, next <= layer);
                    }
                };
                m.addListener(liar);
                assertBitIdentical(run(m, c.tokenIds()), expected, "random predictions");
                m.removeListener(liar);
                assertThat(cache.stats().prefetchIssued()).isPositive();
                assertThat(cache.stats().prefetchAccuracy()).isLessThan(1);
            }
            try (ExpertCache cache = ExpertCache.open(m, ExpertCacheConfig.of(minimumBudget(m) * 2))) {
                assertBitIdentical(run(m, c.tokenIds()), expected, "gate prediction");
                ExpertCacheStats.Snapshot s = cache.stats();
                assertThat(s.prefetchIssued()).isPositive();
                assertThat(s.layers().get(1).predictionNeeded()).as("layer 1 predicted from layer 0").isPositive();
                assertThat(s.layers().get(0).predictionNeeded()).as("nothing predicts the first layer").isZero();
            }
        }
    }

    /** Records the routing of single-token passes as trace records. */
    private static final class Recorder implements RoutingObserver {
        final List<TraceRecord> records = new ArrayList<>();

        @Override
        public void onRouting(RoutingDecision d) {
            records.add(new TraceRecord(0, d.slot(), d.position(), d.token(), d.layer(), d.expertCount(), d.expertsCopy(), d.weightsCopy(), null));
        }
    }

    @Test
    void hitsAreThoseTheSimulatorPredictsForTheSameRouting() {
        Manifest.Case c = Manifest.get("olmoe");
        for (String policy : new String[]{"lru", "lfu", "lfru:half-life=2", "next-use", "next-use:half-life=2", "quota", "pinned:fraction=0.4"}) {
            try (Model m = load(c.modelFile(), NumericMode.NATIVE)) {
                int slots = 7;
                Recorder rec = new Recorder();
                m.routing().addObserver(rec);
                long hits;
                ExpertKeys k = ExpertLayout.of(m, 4096).keys();
                long[] counts = new long[k.size()];
                for (int i = 0; i < counts.length; i++) counts[i] = (i * 7919L) % 13; // some profile: pinned loads its hottest first
                ExpertProfile profile = new ExpertProfile("test", k, counts);
                try (ExpertCache cache = ExpertCache.open(m, ExpertCacheConfig.of(slotBytes(m) * slots).withPolicy(policy).withProfile(profile)
                        .withPrefetch(false))) {
                    run(m, c.tokenIds()); // a batch pass, then passes of one token
                    hits = cache.stats().hits();
                    assertThat(cache.stats().inFlight()).isZero();
                }
                ExpertKeys keys = ExpertLayout.of(m, 4096).keys();
                AccessSequence seq = AccessSequence.of(keys, rec.records);
                CachePolicy p = CachePolicies.create(policy, new CachePolicies.Context(keys, slots, 4, 8, profile, seq));
                assertThat(hits).as(policy).isEqualTo(CacheSimulator.run(seq, slots, p).hits());
            }
        }
    }

    @Test
    void lowBitCopiesAreTheModelsExpertsQuantizedAgain() {
        try (Model m = load(model("qwen3moe"), NumericMode.NATIVE)) {
            ExpertLayout layout = ExpertLayout.of(m, 4096);
            long copies = LowBitExperts.bytes(layout, GGMLType.Q4_0);
            MappedExpertStore mapped = (MappedExpertStore) m.expertStore();
            try (ExpertCache cache = ExpertCache.open(m, ExpertCacheConfig.of(minimumBudget(m) + copies).withMixedPrecision(GGMLType.Q4_0))) {
                int[] ids = Manifest.get("qwen3moe").tokenIds();
                float[] logits = run(m, ids);
                for (float f : logits) assertThat(Float.isFinite(f)).isTrue();
                ExpertCacheStats.Snapshot s = cache.stats();
                assertThat(s.lowBitRuns()).isPositive();
                assertThat(s.stallSeconds()).as("a miss runs the copy instead of waiting").isZero();
                assertThat(s.lowBitBytes()).isEqualTo(copies);
                // one expert's copy against quantizing the mapped weights independently
                GatedFfn.Weights low = cache.acquire(1, 5);
                try {
                    GatedFfn.Weights full = mapped.acquire(1, 5);
                    for (Tensor[] pair : new Tensor[][]{{low.gate(), full.gate()}, {low.up(), full.up()}, {low.down(), full.down()}}) {
                        if (pair[0].type() != GGMLType.Q4_0) continue; // the full expert had arrived meanwhile
                        float[] f = pair[1].toFloatArray();
                        byte[] expected = Quantizers.quantizeRows(GGMLType.Q4_0, f, pair[1].rows(), pair[1].cols());
                        assertThat(pair[0].data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).isEqualTo(expected);
                    }
                } finally {
                    cache.release(1, 5);
                }
            }
        }
    }

    @Test
    void skippingDropsOnlyMissedLowWeightExpertsAndObserversSeeIt() {
        for (String name : new String[]{"olmoe", "qwen3moe"}) {
            Manifest.Case c = Manifest.get(name);
            try (Model m = load(c.modelFile(), NumericMode.NATIVE)) {
                Recorder full = new Recorder();
                m.routing().addObserver(full);
                run(m, c.tokenIds());
                m.routing().removeObserver(full);
                Recorder seen = new Recorder();
                int firstMoe = ExpertLayout.of(m, 4096).keys().moeBlocks()[0];
                try (ExpertCache cache = ExpertCache.open(m, ExpertCacheConfig.of(minimumBudget(m)).withSkipBelow(0.3f))) {
                    m.routing().addObserver(seen);
                    run(m, c.tokenIds());
                    m.routing().removeObserver(seen);
                    long dropped = 0;
                    int k = m.config().expertUsedCount;
                    assertThat(seen.records).hasSameSizeAs(full.records);
                    for (int i = 0; i < seen.records.size(); i++) {
                        TraceRecord a = full.records.get(i), b = seen.records.get(i);
                        assertThat(a.experts()).hasSize(k);
                        dropped += k - b.experts().length;
                        if (b.layer() != firstMoe) continue; // later layers see other inputs once a layer skipped
                        assertThat(b.experts()[0]).isEqualTo(a.experts()[0]);
                        double sumA = 0, sumB = 0;
                        for (float w : a.weights()) sumA += w;
                        for (float w : b.weights()) sumB += w;
                        assertThat(sumB).as("renormalised").isCloseTo(sumA, org.assertj.core.data.Offset.offset(1e-5));
                        for (int e : a.experts()) {
                            if (!contains(b.experts(), e)) {
                                int j = indexOf(a.experts(), e);
                                assertThat(a.weights()[j] / sumA).as("a dropped expert had a small weight").isLessThan(0.3);
                            }
                        }
                    }
                    assertThat(dropped).isPositive();
                    assertThat(cache.stats().skipped()).isEqualTo(dropped);
                }
            }
        }
    }

    private static boolean contains(int[] a, int v) {
        return indexOf(a, v) >= 0;
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) if (a[i] == v) return i;
        return -1;
    }

    @Test
    void profilesRoundTripAndPinTheHottestExperts(@org.junit.jupiter.api.io.TempDir Path dir) {
        Manifest.Case c = Manifest.get("olmoe");
        Path file = dir.resolve("profile.json");
        try (Model m = load(c.modelFile(), NumericMode.NATIVE)) {
            float[] expected = run(m, c.tokenIds());
            ExpertProfile saved;
            try (ExpertCache cache = ExpertCache.open(m, ExpertCacheConfig.of(1L << 30))) {
                run(m, c.tokenIds());
                saved = cache.profile();
                saved.write(file);
                assertThat(cache.stats().accesses()).isEqualTo(java.util.stream.LongStream.of(countsOf(saved)).sum());
            }
            ExpertProfile read = ExpertProfile.read(file);
            assertThat(countsOf(read)).isEqualTo(countsOf(saved));
            int slots = 12;
            try (ExpertCache cache = ExpertCache.open(m, ExpertCacheConfig.of(slotBytes(m) * slots).withPolicy("pinned").withProfile(read))) {
                for (int k : read.hottest(slots / 2)) {
                    assertThat(cache.isResident(read.keys().blockOf(k), read.keys().expertOf(k))).as("pinned before the first token").isTrue();
                }
                assertBitIdentical(run(m, c.tokenIds()), expected, "pinned");
                for (int k : read.hottest(slots / 2)) {
                    assertThat(cache.isResident(read.keys().blockOf(k), read.keys().expertOf(k))).as("still pinned").isTrue();
                }
            }
        }
        assertThatThrownBy(() -> ExpertProfile.read(dir.resolve("missing.json"))).hasMessageContaining("cannot read the expert profile");
    }

    private static long[] countsOf(ExpertProfile p) {
        long[] r = new long[p.keys().size()];
        for (int k = 0; k < r.length; k++) r[k] = p.count(k);
        return r;
    }

    @Test
    void readsLeaveNothingInThePageCache(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        // a private copy, so that no other process maps it; written to disk so its pages can be dropped
        Path file = dir.resolve("olmoe.gguf");
        java.nio.file.Files.copy(model("olmoe"), file);
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        for (ExpertReader.Io io : new ExpertReader.Io[]{ExpertReader.Io.DIRECT, ExpertReader.Io.ADVISED}) {
            try (Model m = load(file, NumericMode.NATIVE); ExpertCache cache = ExpertCache.open(m, ExpertCacheConfig.of(1L << 30).withIo(io))) {
                assertThat(cache.ioDescription()).isEqualTo(io == ExpertReader.Io.DIRECT ? "O_DIRECT" : "buffered reads + posix_fadvise(DONTNEED)");
                long before = cache.memoryUsage().expertPageCacheBytes();
                run(m, Manifest.get("olmoe").tokenIds());
                ExpertCacheStats.Snapshot s = cache.stats();
                assertThat(s.resident()).as("experts read").isGreaterThan(cache.layout().keys().size() / 2);
                MemoryUsage after = cache.memoryUsage();
                // what is left is the pages expert ranges share with dense tensors (mapped, in use)
                assertThat(after.expertPageCacheBytes()).as(io + ": " + after.summary()).isLessThanOrEqualTo(before);
                assertThat(after.rssBytes()).isPositive();
            }
        }
    }

    @Test
    void budgetsParse() {
        assertThat(Budget.parse("6GiB")).isEqualTo(6L << 30);
        assertThat(Budget.parse("6G")).isEqualTo(6L << 30);
        assertThat(Budget.parse("6GB")).isEqualTo(6_000_000_000L);
        assertThat(Budget.parse("512MiB")).isEqualTo(512L << 20);
        assertThat(Budget.parse("1.5g")).isEqualTo(3L << 29);
        assertThat(Budget.parse("123456")).isEqualTo(123456);
        assertThat(Budget.parse("50%", 8L << 30)).isEqualTo(4L << 30);
        assertThat(Budget.physicalMemory()).isPositive();
        for (String bad : new String[]{"", "lots", "6 GiBs", "-1G", "0%", "150%", "6iB", "1e9"}) {
            assertThatThrownBy(() -> Budget.parse(bad)).as(bad).isInstanceOf(ExpertCacheBudgetException.class);
        }
    }
}
