package org.moe4j.moe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.moe4j.model.Batch;
import org.moe4j.model.LoadOptions;
import org.moe4j.model.Model;
import org.moe4j.model.ModelLoader;
import org.moe4j.moe.cache.ExpertCache;
import org.moe4j.moe.cache.ExpertCacheConfig;
import org.moe4j.testing.Manifest;

/** A model has one cross-layer gate, shared by everything that wants its predictions. */
class CrossLayerGateTest {
    /** Records every prediction as "target:token:experts". */
    private static final class Recorder implements CrossLayerGate.Sink {
        final List<String> seen = new ArrayList<>();

        @Override
        public void predicted(int target, RoutingDecision[] perToken, int n, boolean fromDense) {
            for (int t = 0; t < n; t++) {
                int[] e = new int[perToken[t].count()];
                for (int j = 0; j < e.length; j++) e[j] = perToken[t].expert(j);
                seen.add(target + ":" + t + ":" + Arrays.toString(e));
            }
        }
    }

    private static long gates(Model m) {
        return m.listeners().stream().filter(l -> l instanceof CrossLayerGate).count();
    }

    private static void run(Model m, int[] ids) {
        m.forward(Batch.of(ids, 0, 0, false), m.newCache(1, ids.length + 1), new float[m.vocabSize()]);
    }

    @Test
    void subscribersShareOneGateAndItLeavesWithTheLast() {
        Manifest.Case c = Manifest.get("olmoe");
        try (Model m = ModelLoader.load(c.modelFile(), LoadOptions.defaults().withThreads(1))) {
            Recorder a = new Recorder();
            Recorder b = new Recorder();
            CrossLayerGate.Subscription sa = CrossLayerGate.subscribe(m, a);
            CrossLayerGate.Subscription sb = CrossLayerGate.subscribe(m, b);
            assertThat(gates(m)).isEqualTo(1);
            run(m, c.tokenIds());
            assertThat(a.seen).isNotEmpty().isEqualTo(b.seen);
            // one entry per token for every MoE block that has a block before it
            long moeBlocks = java.util.stream.IntStream.range(0, m.blockCount())
                    .filter(i -> m.block(i).feedForward() instanceof MoeFeedForward).count();
            long predictedBlocks = m.block(0).feedForward() instanceof MoeFeedForward ? moeBlocks - 1 : moeBlocks;
            assertThat(a.seen).hasSize((int) (predictedBlocks * c.tokenIds().length));

            sa.close();
            sa.close(); // closing twice is harmless
            int before = b.seen.size();
            a.seen.clear();
            run(m, c.tokenIds());
            assertThat(a.seen).isEmpty();
            assertThat(b.seen).hasSize(2 * before);
            assertThat(gates(m)).isEqualTo(1);
            sb.close();
            assertThat(gates(m)).isZero();
        }
    }

    @Test
    void theExpertCacheAndATraceOfPredictionsUseTheSameGate() {
        Manifest.Case c = Manifest.get("olmoe");
        try (Model m = ModelLoader.load(c.modelFile(), LoadOptions.defaults().withThreads(1));
             ExpertCache cache = ExpertCache.open(m, ExpertCacheConfig.of(1L << 30))) {
            assertThat(gates(m)).as("the cache prefetches on the gate").isEqualTo(1);
            Recorder trace = new Recorder();
            try (CrossLayerGate.Subscription s = CrossLayerGate.subscribe(m, trace)) {
                assertThat(gates(m)).isEqualTo(1);
                run(m, c.tokenIds());
                assertThat(trace.seen).isNotEmpty();
            }
            assertThat(gates(m)).as("still there for the cache").isEqualTo(1);
        }
    }
}
