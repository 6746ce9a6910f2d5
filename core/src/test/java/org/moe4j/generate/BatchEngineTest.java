package org.moe4j.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.moe4j.model.ContextOverflowException;
import org.moe4j.model.KVCache;
import org.moe4j.model.LoadOptions;
import org.moe4j.model.Model;
import org.moe4j.model.ModelLoader;
import org.moe4j.moe.policy.RoutingPolicies;
import org.moe4j.testing.Manifest;
import org.moe4j.tokenizer.Tokenizer;

class BatchEngineTest {
    private static Model model;
    private static Tokenizer tokenizer;

    @BeforeAll
    static void load() {
        model = ModelLoader.load(Manifest.get("qwen3moe").modelFile(), LoadOptions.defaults().withThreads(2));
        tokenizer = Tokenizer.fromGGUF(model.file());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** Collects what the engine reports for one sequence. */
    static class Recorder implements SequenceListener {
        final List<GeneratedToken> tokens = new CopyOnWriteArrayList<>();
        final CompletableFuture<SequenceResult> result = new CompletableFuture<>();

        @Override
        public void onToken(GeneratedToken token) {
            tokens.add(token);
        }

        @Override
        public void onFinish(SequenceResult r) {
            result.complete(r);
        }

        @Override
        public void onError(RuntimeException error) {
            result.completeExceptionally(error);
        }

        SequenceResult get() {
            return result.orTimeout(60, TimeUnit.SECONDS).join();
        }

        String streamedText() {
            StringBuilder b = new StringBuilder();
            for (GeneratedToken t : tokens) b.append(t.text());
            return b.append(get().tail()).toString();
        }
    }

    /** A recorder that counts the latch down at its first token. */
    /** Holds the engine's step inside its first token until released, so that the sequence cannot end (or free its slot) meanwhile. */
    private static Recorder holding(CountDownLatch started, CountDownLatch release) {
        return new Recorder() {
            @Override
            public void onToken(GeneratedToken token) {
                super.onToken(token);
                started.countDown();
                try {
                    if (!release.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("the test never released the engine");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    private static int[] tokensAlone(int[] prompt, int maxTokens, SamplerConfig sampler) {
        KVCache cache = model.newCache(1, 128);
        TokenGenerator.Result r = new TokenGenerator(model, 512).generate(prompt, cache, 0, new Sampler(sampler), maxTokens,
                tokenizer::isEndOfGeneration, t -> true);
        return r.tokens();
    }

    @Test
    void greedyOutputMatchesTheReferenceAloneAndAmongOthers() {
        JsonNode g = Manifest.get("qwen3moe").json("greedy");
        int[] prompt = ints(g.get("prompt"));
        int[] expected = ints(g.get("generated"));
        try (BatchEngine engine = new BatchEngine(model, tokenizer, new BatchEngine.Settings(8, 128, 16, 32))) {
            Recorder alone = new Recorder();
            engine.submit(SequenceRequest.greedy(prompt, 24), alone);
            assertThat(alone.get().tokens()).containsExactly(expected);

            List<Recorder> others = new ArrayList<>();
            SplittableRandom rnd = new SplittableRandom(1);
            Recorder target = new Recorder();
            for (int i = 0; i < 7; i++) {
                Recorder r = new Recorder();
                others.add(r);
                engine.submit(SequenceRequest.greedy(random(rnd, 3 + 9 * i), 10 + 3 * i), r);
                if (i == 3) engine.submit(SequenceRequest.greedy(prompt, 24), target);
            }
            assertThat(target.get().tokens()).containsExactly(expected);
            for (Recorder r : others) assertThat(r.get().reason()).isEqualTo(StopReason.MAX_TOKENS);
        }
    }

    @Test
    void concurrentSequencesOfDifferentLengthsGiveWhatEachGivesAlone() {
        SplittableRandom rnd = new SplittableRandom(42);
        int n = 14;
        int[][] prompts = new int[n][];
        int[] max = new int[n];
        SamplerConfig[] samplers = new SamplerConfig[n];
        for (int i = 0; i < n; i++) {
            prompts[i] = random(rnd, 1 + rnd.nextInt(50));
            max[i] = 1 + rnd.nextInt(30);
            // half greedy, half seeded sampling: the same seed must give the same tokens in company
            samplers[i] = i % 2 == 0 ? SamplerConfig.greedy() : SamplerConfig.defaults(1000 + i);
        }
        // 4 slots for 14 sequences: most wait, join between steps, and prompts are split into chunks
        try (BatchEngine engine = new BatchEngine(model, tokenizer, new BatchEngine.Settings(4, 128, 12, 16))) {
            List<Recorder> rs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Recorder r = new Recorder();
                rs.add(r);
                engine.submit(new SequenceRequest(prompts[i], max[i], samplers[i], List.of(), null, -1, false, false), r);
            }
            for (int i = 0; i < n; i++) {
                SequenceResult res = rs.get(i).get();
                assertThat(res.tokens()).as("sequence " + i).containsExactly(tokensAlone(prompts[i], max[i], samplers[i]));
                assertThat(rs.get(i).streamedText()).isEqualTo(res.text());
                assertThat(res.promptTokens()).isEqualTo(prompts[i].length);
            }
            BatchEngine.Stats st = engine.stats();
            assertThat(st.finished()).isEqualTo(n);
            assertThat(st.active()).isZero();
            assertThat(st.waiting()).isZero();
            assertThat(st.lastBatchTokens()).isLessThanOrEqualTo(12);
            int promptSum = 0;
            for (int[] p : prompts) promptSum += p.length;
            assertThat(st.promptTokens()).isEqualTo(promptSum);
        }
    }

    @Test
    void stopStringsEndGenerationAndAreNotReturned() {
        int[] prompt = ints(Manifest.get("qwen3moe").json("greedy").get("prompt"));
        try (BatchEngine engine = new BatchEngine(model, tokenizer, new BatchEngine.Settings(2, 128, 16, 4))) {
            Recorder free = new Recorder();
            engine.submit(SequenceRequest.greedy(prompt, 24), free);
            String text = free.get().text();
            assertThat(text.length()).isGreaterThan(6);
            String stop = text.substring(4, 6);
            Recorder stopped = new Recorder();
            engine.submit(new SequenceRequest(prompt, 24, SamplerConfig.greedy(), List.of(stop), null, -1, false, false), stopped);
            SequenceResult r = stopped.get();
            assertThat(r.reason()).isEqualTo(StopReason.STOP_STRING);
            assertThat(r.text()).isEqualTo(text.substring(0, text.indexOf(stop)));
            assertThat(stopped.streamedText()).isEqualTo(r.text());
        }
    }

    @Test
    void logprobsAreALogSoftmaxOfTheLogitsAndTheChosenTokenIsTheGreedyOne() {
        int[] prompt = random(new SplittableRandom(3), 9);
        try (BatchEngine engine = new BatchEngine(model, tokenizer, new BatchEngine.Settings(2, 128, 16, 4))) {
            Recorder r = new Recorder();
            engine.submit(new SequenceRequest(prompt, 5, SamplerConfig.greedy(), List.of(), null, 3, false, false), r);
            r.get();
            assertThat(r.tokens).hasSize(5);
            for (GeneratedToken t : r.tokens) {
                TokenLogprob lp = t.logprob();
                assertThat(lp.topTokens()).hasSize(3);
                assertThat(lp.topTokens()[0]).isEqualTo(t.token());
                assertThat(lp.logprob()).isEqualTo(lp.topLogprobs()[0]);
                assertThat(lp.topLogprobs()[0]).isGreaterThanOrEqualTo(lp.topLogprobs()[1]);
                assertThat(lp.topLogprobs()[2]).isLessThanOrEqualTo(lp.topLogprobs()[1]).isLessThan(0f);
            }
        }
    }

    @Test
    void perSequencePoliciesApplyToTheirSequenceOnly() {
        int[] prompt = random(new SplittableRandom(5), 12);
        int[] expected = tokensAlone(prompt, 12, SamplerConfig.greedy());
        try (BatchEngine engine = new BatchEngine(model, tokenizer, new BatchEngine.Settings(4, 128, 32, 4))) {
            Recorder masked = new Recorder();
            Recorder plain = new Recorder();
            engine.submit(new SequenceRequest(prompt, 12, SamplerConfig.greedy(), List.of(),
                    RoutingPolicies.parse(List.of("mask=0,1,2,3")), -1, true, true), masked);
            engine.submit(new SequenceRequest(prompt, 12, SamplerConfig.greedy(), List.of(), null, -1, true, true), plain);
            masked.get();
            assertThat(plain.get().tokens()).containsExactly(expected);
            int k = model.config().expertUsedCount;
            for (GeneratedToken t : masked.tokens) {
                assertThat(t.routing().layers()).containsExactly(engine.moeLayers());
                for (int[] experts : t.routing().experts()) {
                    assertThat(experts).hasSize(k).doesNotContain(0, 1, 2, 3);
                }
            }
            RoutingSummary s = masked.get().routing();
            int total = prompt.length + masked.get().generatedTokens() - 1; // the last token is never fed back
            for (int i = 0; i < s.layers().length; i++) {
                long[] counts = s.expertCounts(i);
                assertThat(counts[0] + counts[1] + counts[2] + counts[3]).isZero();
                assertThat(s.tokens(i)).isEqualTo(total);
                assertThat(s.averageActive(i)).isEqualTo(k);
            }
            // per-token routing of the unmasked run is what the router picks; its positions are the fed positions
            GeneratedToken first = plain.tokens.getFirst();
            assertThat(first.routing().position()).isEqualTo(prompt.length - 1);
            assertThat(plain.tokens.get(1).routing().position()).isEqualTo(prompt.length);
        }
    }

    @Test
    void aPolicyThatDoesNotFitTheModelFailsOnlyItsSequence() {
        int[] prompt = random(new SplittableRandom(6), 8);
        try (BatchEngine engine = new BatchEngine(model, tokenizer, new BatchEngine.Settings(4, 128, 32, 4))) {
            Recorder bad = new Recorder();
            Recorder good = new Recorder();
            engine.submit(new SequenceRequest(prompt, 6, SamplerConfig.greedy(), List.of(), RoutingPolicies.parse(List.of("mask=99")),
                    -1, false, false), bad);
            engine.submit(SequenceRequest.greedy(prompt, 6), good);
            assertThatThrownBy(bad::get).hasMessageContaining("expert 99 does not exist");
            assertThat(good.get().tokens()).containsExactly(tokensAlone(prompt, 6, SamplerConfig.greedy()));
            assertThat(engine.stats().failed()).isEqualTo(1);
        }
    }

    @Test
    void cancellingFreesTheSlotForTheNextSequence() throws Exception {
        int[] prompt = random(new SplittableRandom(8), 4);
        try (BatchEngine engine = new BatchEngine(model, tokenizer, new BatchEngine.Settings(1, 128, 8, 2))) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Recorder first = holding(started, release);
            BatchEngine.Handle h = engine.submit(SequenceRequest.greedy(prompt, -1), first);
            Recorder second = new Recorder();
            engine.submit(SequenceRequest.greedy(prompt, 3), second);
            try {
                assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
                h.cancel();
            } finally {
                release.countDown();
            }
            assertThat(first.get().reason()).isEqualTo(StopReason.CANCELLED);
            assertThat(second.get().tokens()).containsExactly(tokensAlone(prompt, 3, SamplerConfig.greedy()));
            assertThat(engine.stats().cancelled()).isEqualTo(1);
        }
    }

    @Test
    void aFullQueueRefusesAndBadPromptsAreRejectedAtSubmission() throws Exception {
        int[] prompt = random(new SplittableRandom(9), 4);
        try (BatchEngine engine = new BatchEngine(model, tokenizer, new BatchEngine.Settings(1, 32, 8, 1))) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            // the running sequence is held inside its first token: left to run, it can reach its end of text or
            // fill its context before the queue is tested, and the queued request would take the free slot
            Recorder running = holding(started, release);
            BatchEngine.Handle h = engine.submit(SequenceRequest.greedy(prompt, -1), running);
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            Recorder queued = new Recorder();
            try {
                engine.submit(SequenceRequest.greedy(prompt, 2), queued);
                assertThatThrownBy(() -> engine.submit(SequenceRequest.greedy(prompt, 2), new Recorder()))
                        .isInstanceOf(EngineBusyException.class).hasMessageContaining("waiting");
                h.cancel();
            } finally {
                release.countDown();
            }
            assertThat(queued.get().tokens()).hasSize(2);

            assertThatThrownBy(() -> engine.submit(SequenceRequest.greedy(new int[32], 2), new Recorder()))
                    .isInstanceOf(ContextOverflowException.class);
            assertThatThrownBy(() -> engine.submit(SequenceRequest.greedy(new int[]{1, 5000}, 2), new Recorder()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the vocabulary");
            // a sequence that runs until its context is full stops there
            Recorder full = new Recorder();
            engine.submit(SequenceRequest.greedy(prompt, -1), full);
            SequenceResult r = full.get();
            assertThat(r.tokens().length == 32 - prompt.length || r.reason() == StopReason.END_OF_TEXT).isTrue();
        }
    }

    @Test
    void shutdownLetsRunningSequencesFinishAndRefusesNewOnes() {
        int[] prompt = random(new SplittableRandom(10), 6);
        BatchEngine engine = new BatchEngine(model, tokenizer, new BatchEngine.Settings(2, 128, 8, 4));
        Recorder r = new Recorder();
        engine.submit(SequenceRequest.greedy(prompt, 20), r);
        assertThat(engine.shutdown(Duration.ofSeconds(60))).isTrue();
        assertThat(r.get().reason()).isEqualTo(StopReason.MAX_TOKENS);
        assertThatThrownBy(() -> engine.submit(SequenceRequest.greedy(prompt, 2), new Recorder()))
                .isInstanceOf(EngineBusyException.class).hasMessageContaining("shutting down");
        // the model is left as it was found
        assertThat(model.expertStore()).isNotInstanceOf(org.moe4j.moe.CountingExpertStore.class);
    }

    @Test
    void expertWeightsAreReadOncePerStepForAllSequences() {
        long expertBytes = model.expertStore().expertBytes(0);
        int k = model.config().expertUsedCount;
        int layers = model.blockCount();
        double[] perToken = new double[2];
        int[] concurrency = {1, 8};
        for (int c = 0; c < 2; c++) {
            try (BatchEngine engine = new BatchEngine(model, tokenizer, new BatchEngine.Settings(8, 128, 64, 8))) {
                List<Recorder> rs = new ArrayList<>();
                SplittableRandom rnd = new SplittableRandom(11);
                for (int i = 0; i < concurrency[c]; i++) {
                    Recorder r = new Recorder();
                    rs.add(r);
                    engine.submit(SequenceRequest.greedy(random(rnd, 2), 40), r);
                }
                rs.forEach(Recorder::get);
                BatchEngine.Stats st = engine.stats();
                assertThat(st.expertBytes()).isEqualTo(st.expertAcquisitions() * expertBytes);
                assertThat(st.activeExpertsPerToken()).isEqualTo(k);
                perToken[c] = (double) st.decodeOnlyExpertBytes() / st.decodeOnlyTokens();
            }
        }
        // one sequence reads its k experts per layer; eight share the experts they have in common
        assertThat(perToken[0]).isEqualTo((double) k * layers * expertBytes);
        assertThat(perToken[1]).isLessThan(perToken[0] * 0.75);
    }

    private static int[] random(SplittableRandom rnd, int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = rnd.nextInt(model.vocabSize());
        return t;
    }

    static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }
}
