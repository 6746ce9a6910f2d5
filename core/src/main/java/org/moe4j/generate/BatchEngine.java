package org.moe4j.generate;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.moe4j.model.Batch;
import org.moe4j.model.ContextOverflowException;
import org.moe4j.model.KVCache;
import org.moe4j.model.Model;
import org.moe4j.moe.CountingExpertStore;
import org.moe4j.moe.ExpertStore;
import org.moe4j.moe.MoeFeedForward;
import org.moe4j.moe.RoutingDecision;
import org.moe4j.moe.RoutingObserver;
import org.moe4j.tokenizer.Tokenizer;

/**
 * Continuous batching: many sequences share every forward pass of one {@link Model}.
 *
 * <p>A single scheduler thread runs one step at a time. Between steps, waiting sequences take free KV-cache
 * slots and finished or cancelled ones leave. A step holds one decode token for every sequence that is
 * generating, then prompt chunks of sequences still in prefill, oldest first, up to {@link Settings#stepTokens()}
 * tokens in all. The MoE layers group a step's tokens by expert, so an expert's weights are read once per
 * step for all sequences routed to it ({@link #stats()} counts those bytes).
 *
 * <p>Every token's computation depends only on its own sequence (its position, its slot's cached keys and
 * values, its own routing policy), not on which other tokens share the step: matrix products compute one dot
 * product per (row, token), attention reads only the token's slot, and the MoE output sums experts in
 * selection order. So a sequence's output is the same, bit for bit, whether it runs alone or with others,
 * and however its prompt was split into chunks.
 *
 * <p>Thread-safe: {@link #submit} may be called from any thread. Listener callbacks run on the scheduler thread.
 */
public final class BatchEngine implements AutoCloseable {

    /**
     * @param slots         sequences evaluated concurrently (KV-cache slots)
     * @param contextLength tokens per sequence (prompt and output)
     * @param stepTokens    tokens per forward pass at most (decode tokens first, then prompt chunks); at least {@code slots}
     * @param queueLimit    sequences that may wait for a slot; more are refused with {@link EngineBusyException}
     */
    public record Settings(int slots, int contextLength, int stepTokens, int queueLimit) {
        public Settings {
            if (slots < 1) throw new IllegalArgumentException("slots must be >= 1, is " + slots);
            if (contextLength < 2) throw new IllegalArgumentException("context length must be >= 2, is " + contextLength);
            if (stepTokens < slots) {
                throw new IllegalArgumentException("tokens per step (" + stepTokens + ") must be at least the number of slots (" + slots + ")");
            }
            if (queueLimit < 0) throw new IllegalArgumentException("queue limit must be >= 0, is " + queueLimit);
        }
    }

    /** A submitted sequence, for cancelling it. */
    public interface Handle {
        /** Stops the sequence at the next step boundary; its listener then gets {@link StopReason#CANCELLED}. */
        void cancel();
    }

    /** Counters since the engine started, and the current load. */
    public record Stats(long steps, long tokensEvaluated, long promptTokens, long generatedTokens, long stepNanos,
                        long expertAcquisitions, long expertBytes, long decodeOnlySteps, long decodeOnlyTokens,
                        long decodeOnlyExpertBytes, long routingDecisions, long expertsSelected,
                        long finished, long cancelled, long failed, int active, int waiting, int lastBatchTokens,
                        int lastBatchSequences) {
        /** Average experts selected per token and MoE layer (NaN before any routing). */
        public double activeExpertsPerToken() {
            return routingDecisions == 0 ? Double.NaN : (double) expertsSelected / routingDecisions;
        }
    }

    private final Model model;
    private final Tokenizer tokenizer;
    private final Settings settings;
    private final KVCache cache;
    private final int vocab;
    private final int[] moeLayers;
    private final int[] moeIndex;
    private final int[] expertCounts;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Sequence> waiting = new ArrayDeque<>();
    private int freeSlots;
    private boolean accepting = true;
    private boolean stopped;

    // scheduler thread only
    private final List<Sequence> active = new ArrayList<>();
    private final boolean[] slotUsed;
    private final Batch batch;
    private final float[] logits;
    private Sequence[] owner;
    private final Thread thread;

    private final ExpertStore originalStore;
    private final CountingExpertStore counter;
    private final Capture capture = new Capture();

    private volatile long steps, tokensEvaluated, promptTokens, generatedTokens, stepNanos;
    private volatile long decodeOnlySteps, decodeOnlyTokens, decodeOnlyExpertBytes;
    private volatile long routingDecisions, expertsSelected, finished, cancelled, failed;
    private volatile int activeCount, lastBatchTokens, lastBatchSequences;

    public BatchEngine(Model model, Tokenizer tokenizer, Settings settings) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.settings = settings;
        this.vocab = model.vocabSize();
        try {
            this.cache = model.newCache(settings.slots(), settings.contextLength());
        } catch (ArithmeticException | OutOfMemoryError e) {
            throw new IllegalArgumentException("a KV cache of " + settings.slots() + " slots of " + settings.contextLength()
                    + " tokens (" + model.cacheBytesPerToken() + " bytes per token) does not fit in memory; use fewer slots or a smaller context");
        }
        List<Integer> layers = new ArrayList<>();
        List<Integer> experts = new ArrayList<>();
        this.moeIndex = new int[model.blockCount()];
        for (int l = 0; l < model.blockCount(); l++) {
            moeIndex[l] = -1;
            if (model.block(l).feedForward() instanceof MoeFeedForward moe) {
                moeIndex[l] = layers.size();
                layers.add(l);
                experts.add(moe.router().config().experts());
            }
        }
        this.moeLayers = layers.stream().mapToInt(Integer::intValue).toArray();
        this.expertCounts = experts.stream().mapToInt(Integer::intValue).toArray();
        this.slotUsed = new boolean[settings.slots()];
        this.freeSlots = settings.slots();
        this.batch = new Batch(settings.stepTokens());
        this.logits = new float[Math.multiplyExact(settings.slots(), vocab)];
        this.owner = new Sequence[settings.stepTokens()];

        this.originalStore = model.expertStore();
        this.counter = originalStore instanceof CountingExpertStore c ? c : new CountingExpertStore(originalStore);
        if (counter != originalStore) model.setExpertStore(counter);
        model.routing().addObserver(capture);

        this.thread = new Thread(this::run, "moe4j-batch-engine");
        thread.setDaemon(true);
        thread.start();
    }

    public Settings settings() {
        return settings;
    }

    public Model model() {
        return model;
    }

    /** Block indices of the model's MoE layers. */
    public int[] moeLayers() {
        return moeLayers.clone();
    }

    /**
     * Queues a sequence. It starts at the next step boundary if a slot is free, else when one frees up.
     *
     * @throws ContextOverflowException if the prompt does not leave room for one generated token
     * @throws IllegalArgumentException if a prompt token is outside the vocabulary
     * @throws EngineBusyException      if the queue is full or the engine is shutting down
     */
    public Handle submit(SequenceRequest request, SequenceListener listener) {
        int[] p = request.prompt();
        if (p.length >= settings.contextLength()) {
            throw new ContextOverflowException("the prompt has " + p.length + " tokens but a sequence holds at most "
                    + settings.contextLength() + " (prompt and output)");
        }
        for (int i = 0; i < p.length; i++) {
            if (p[i] < 0 || p[i] >= vocab) {
                throw new IllegalArgumentException("prompt token " + i + " (" + p[i] + ") is outside the vocabulary (0.." + (vocab - 1) + ")");
            }
        }
        Sequence s = new Sequence(request, listener);
        lock.lock();
        try {
            if (!accepting) throw new EngineBusyException("the engine is shutting down", true);
            if (waiting.size() >= freeSlots + settings.queueLimit()) {
                throw new EngineBusyException("all " + settings.slots() + " sequence slots are busy and " + settings.queueLimit()
                        + " requests are already waiting", false);
            }
            waiting.add(s);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return s;
    }

    public Stats stats() {
        int w;
        lock.lock();
        try {
            w = waiting.size();
        } finally {
            lock.unlock();
        }
        return new Stats(steps, tokensEvaluated, promptTokens, generatedTokens, stepNanos, counter.acquisitions(), counter.bytes(),
                decodeOnlySteps, decodeOnlyTokens, decodeOnlyExpertBytes, routingDecisions, expertsSelected,
                finished, cancelled, failed, activeCount, w, lastBatchTokens, lastBatchSequences);
    }

    /**
     * Stops accepting sequences, lets the running and waiting ones finish for up to {@code grace}, then
     * cancels what is left and stops. Returns whether everything finished within the grace period.
     */
    public boolean shutdown(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        boolean drained;
        lock.lock();
        try {
            accepting = false;
            while (!(waiting.isEmpty() && activeCount == 0) && System.nanoTime() < deadline) {
                changed.await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            drained = waiting.isEmpty() && activeCount == 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            drained = false;
        } finally {
            lock.unlock();
        }
        close();
        return drained;
    }

    /** Cancels every sequence (each listener hears {@link StopReason#CANCELLED}) and stops the scheduler. */
    @Override
    public void close() {
        lock.lock();
        try {
            accepting = false;
            stopped = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        model.routing().removeObserver(capture);
        if (counter != originalStore && model.expertStore() == counter) model.setExpertStore(originalStore);
    }

    private void run() {
        while (true) {
            lock.lock();
            try {
                while (!stopped && active.isEmpty() && waiting.isEmpty()) changed.awaitUninterruptibly();
                if (stopped) break;
                admit();
            } finally {
                lock.unlock();
            }
            step();
        }
        for (Sequence s : new ArrayList<>(active)) s.finish(StopReason.CANCELLED);
        retireFinished();
        lock.lock();
        try {
            while (!waiting.isEmpty()) waiting.poll().finishUnstarted();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Moves waiting sequences into free slots (lock held). */
    private void admit() {
        while (!waiting.isEmpty() && freeSlots > 0) {
            Sequence s = waiting.poll();
            if (s.cancelRequested) {
                s.finishUnstarted();
                continue;
            }
            int slot = 0;
            while (slotUsed[slot]) slot++;
            slotUsed[slot] = true;
            freeSlots--;
            s.start(slot);
            active.add(s);
        }
        activeCount = active.size();
    }

    private void step() {
        for (Sequence s : active) if (s.cancelRequested) s.finish(StopReason.CANCELLED);
        retireFinished();
        if (active.isEmpty()) return;

        batch.clear();
        int budget = settings.stepTokens();
        int rows = 0;
        int sequences = 0;
        boolean prefill = false;
        for (Sequence s : active) {
            if (!s.decoding) continue;
            owner[batch.size()] = s;
            s.logitRow = rows++;
            batch.add(s.lastToken, s.position, s.slot, true);
            budget--;
            sequences++;
        }
        for (Sequence s : active) {
            if (s.decoding || budget == 0) continue;
            int take = Math.min(budget, s.prompt.length - s.evaluated);
            for (int i = 0; i < take; i++) {
                int pos = s.evaluated + i;
                boolean last = pos == s.prompt.length - 1;
                owner[batch.size()] = s;
                batch.add(s.prompt[pos], pos, s.slot, last);
                if (last) s.logitRow = rows++;
            }
            s.evaluated += take;
            budget -= take;
            sequences++;
            prefill = true;
            if (s.queuedNanos == 0) s.queuedNanos = System.nanoTime() - s.submitted;
        }
        int n = batch.size();
        long bytesBefore = counter.bytes();
        long t0 = System.nanoTime();
        // the model's monitor (Model.forward is synchronized on it) makes the pass and the capture's view one:
        // another user's pass cannot run while the capture holds this step's owners
        try {
            synchronized (model) {
                capture.owner = owner;
                try {
                    model.forward(batch, cache, logits);
                } finally {
                    capture.owner = null;
                }
            }
        } catch (RuntimeException e) {
            // a failed pass leaves the caches of its sequences undefined: they all end, others are untouched
            for (int t = 0; t < n; t++) if (!owner[t].done) owner[t].fail(e);
            retireFinished();
            return;
        }
        long dt = System.nanoTime() - t0;
        long bytes = counter.bytes() - bytesBefore;
        steps++;
        stepNanos += dt;
        tokensEvaluated += n;
        lastBatchTokens = n;
        lastBatchSequences = sequences;
        if (!prefill) {
            decodeOnlySteps++;
            decodeOnlyTokens += n;
            decodeOnlyExpertBytes += bytes;
        }
        for (int t = 0; t < n; t++) {
            Sequence s = owner[t];
            if (s.done) continue;
            if (s.policy != null && s.policy.error != null) {
                s.fail(s.policy.error);
                continue;
            }
            if (!s.started) {
                s.started = true;
                s.notifyStarted();
                if (s.done) continue;
            }
            if (batch.wantsLogits(t)) s.onLogits(logits, s.logitRow * vocab);
        }
        promptTokens += countPrompt(n);
        java.util.Arrays.fill(owner, 0, n, null);
        retireFinished();
    }

    private int countPrompt(int n) {
        int c = 0;
        for (int t = 0; t < n; t++) if (batch.position(t) < owner[t].prompt.length) c++;
        return c;
    }

    private void retireFinished() {
        boolean any = false;
        for (int i = active.size() - 1; i >= 0; i--) {
            Sequence s = active.get(i);
            if (!s.done) continue;
            active.remove(i);
            model.routing().setSlotPolicy(s.slot, null);
            lock.lock();
            try {
                slotUsed[s.slot] = false;
                freeSlots++;
            } finally {
                lock.unlock();
            }
            any = true;
        }
        if (!any) return;
        lock.lock();
        try {
            activeCount = active.size();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Sees every routing decision of a step and hands it to the sequence the token belongs to. */
    private final class Capture implements RoutingObserver {
        volatile Sequence[] owner;

        @Override
        public void onRouting(RoutingDecision d) {
            // handled per layer
        }

        @Override
        public void onLayerRouted(int layer, RoutingDecision[] ds, int n) {
            Sequence[] o = owner;
            if (o == null) return; // a forward pass that is not ours (another user of the model)
            int li = moeIndex[layer];
            long sel = 0;
            for (int t = 0; t < n; t++) {
                RoutingDecision d = ds[t];
                sel += d.count();
                Sequence s = o[t];
                if (s == null || li < 0) continue;
                if (s.summary != null) s.summary.add(li, expertsOf(d, s), d.count());
                if (s.routingPerToken && batch.wantsLogits(t)) {
                    s.routingExperts[li] = expertsOf(d, s).clone();
                    float[] w = new float[d.count()];
                    for (int j = 0; j < w.length; j++) w[j] = d.weight(j);
                    s.routingWeights[li] = w;
                    s.routingPosition = d.position();
                }
            }
            routingDecisions += n;
            expertsSelected += sel;
        }

        private int[] expertsOf(RoutingDecision d, Sequence s) {
            int k = d.count();
            if (s.scratch.length < k) s.scratch = new int[k];
            for (int j = 0; j < k; j++) s.scratch[j] = d.expert(j);
            return k == s.scratch.length ? s.scratch : java.util.Arrays.copyOf(s.scratch, k);
        }
    }

    /** A routing policy that records its own failure instead of failing the whole step. */
    private static final class GuardedPolicy implements org.moe4j.moe.RoutingPolicy {
        private final org.moe4j.moe.RoutingPolicy inner;
        volatile RuntimeException error;

        GuardedPolicy(org.moe4j.moe.RoutingPolicy inner) {
            this.inner = inner;
        }

        @Override
        public void apply(RoutingDecision d) {
            if (error != null) return;
            try {
                inner.apply(d);
            } catch (RuntimeException e) {
                error = new IllegalArgumentException("routing policy failed: " + e.getMessage(), e);
            }
        }
    }

    /** One sequence's state; touched by the scheduler thread only (except the cancel flag). */
    private final class Sequence implements Handle {
        final SequenceRequest request;
        final SequenceListener listener;
        final int[] prompt;
        final long submitted = System.nanoTime();
        final Sampler sampler;
        final StopStringMatcher stops;
        final org.moe4j.tokenizer.StreamingDecoder decoder;
        final GuardedPolicy policy;
        final RoutingSummary summary;
        final boolean routingPerToken;
        final int limit;
        volatile boolean cancelRequested;

        int slot = -1;
        boolean started;
        int evaluated;
        boolean decoding;
        boolean done;
        int lastToken;
        int position;
        int logitRow;
        int[] history;
        int count;
        int generated;
        long queuedNanos;
        long firstTokenNanos;
        float[] logprobRow;
        int[][] routingExperts;
        float[][] routingWeights;
        int routingPosition;
        int[] scratch = new int[8];

        Sequence(SequenceRequest r, SequenceListener listener) {
            this.request = r;
            this.listener = listener;
            this.prompt = r.prompt();
            this.sampler = new Sampler(r.sampler());
            this.stops = new StopStringMatcher(r.stop());
            this.decoder = new org.moe4j.tokenizer.StreamingDecoder(tokenizer, false);
            this.policy = r.policy() == null ? null : new GuardedPolicy(r.policy());
            this.summary = r.routingSummary() ? new RoutingSummary(moeLayers, expertCounts) : null;
            this.routingPerToken = r.routingPerToken() && moeLayers.length > 0;
            int room = settings.contextLength() - prompt.length;
            this.limit = r.maxTokens() < 0 ? room : Math.min(r.maxTokens(), room);
            if (routingPerToken) {
                routingExperts = new int[moeLayers.length][];
                routingWeights = new float[moeLayers.length][];
            }
        }

        @Override
        public void cancel() {
            cancelRequested = true;
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        void start(int slot) {
            this.slot = slot;
            cache.clear(slot);
            model.routing().setSlotPolicy(slot, policy);
            history = new int[prompt.length + Math.max(0, limit)];
            System.arraycopy(prompt, 0, history, 0, prompt.length);
            count = prompt.length;
            if (limit == 0) finish(StopReason.MAX_TOKENS);
        }

        void notifyStarted() {
            try {
                listener.onStarted();
            } catch (RuntimeException e) {
                fail(e);
            }
        }

        void onLogits(float[] l, int off) {
            if (hasNaN(l, off)) {
                fail(new IllegalStateException("the model produced NaN logits (numerical overflow or a corrupt weight)"));
                return;
            }
            if (request.topLogprobs() >= 0) {
                if (logprobRow == null) logprobRow = new float[vocab];
                System.arraycopy(l, off, logprobRow, 0, vocab);
            }
            int next = sampler.sample(l, off, vocab, history, count);
            if (tokenizer.isEndOfGeneration(next)) {
                finish(StopReason.END_OF_TEXT);
                return;
            }
            history[count++] = next;
            int index = generated++;
            generatedTokens++;
            if (firstTokenNanos == 0) firstTokenNanos = System.nanoTime() - submitted;
            String text = stops.push(decoder.push(next));
            TokenLogprob lp = request.topLogprobs() >= 0 ? TokenLogprob.of(logprobRow, 0, vocab, next, request.topLogprobs()) : null;
            TokenRouting routing = routingPerToken
                    ? new TokenRouting(routingPosition, moeLayers.clone(), routingExperts.clone(), routingWeights.clone()) : null;
            try {
                listener.onToken(new GeneratedToken(next, index, text, lp, routing));
            } catch (RuntimeException e) {
                fail(e);
                return;
            }
            if (stops.stopped()) {
                finish(StopReason.STOP_STRING);
            } else if (generated >= limit) {
                finish(request.maxTokens() >= 0 && generated >= request.maxTokens() ? StopReason.MAX_TOKENS : StopReason.CONTEXT_FULL);
            } else {
                decoding = true;
                lastToken = next;
                position = count - 1;
            }
        }

        private boolean hasNaN(float[] l, int off) {
            for (int i = 0; i < vocab; i++) if (Float.isNaN(l[off + i])) return true;
            return false;
        }

        void finish(StopReason reason) {
            if (done) return;
            done = true;
            String tail = "";
            if (!stops.stopped()) tail = stops.push(decoder.flush()) + stops.flush();
            if (reason == StopReason.CANCELLED) cancelled++;
            else finished++;
            long now = System.nanoTime();
            SequenceResult r = new SequenceResult(stops.text(), tail, java.util.Arrays.copyOfRange(history, prompt.length, count),
                    reason, prompt.length, summary, queuedNanos, firstTokenNanos, now - submitted);
            try {
                listener.onFinish(r);
            } catch (RuntimeException ignored) {
                // the listener's own failure cannot be reported to itself; the sequence is over either way
            }
        }

        void fail(RuntimeException e) {
            if (done) return;
            done = true;
            failed++;
            try {
                listener.onError(e);
            } catch (RuntimeException ignored) {
                // as in finish
            }
        }

        /** Ends a sequence that never got a slot (cancelled while waiting, or the engine stopped). */
        void finishUnstarted() {
            done = true;
            cancelled++;
            try {
                listener.onFinish(new SequenceResult("", "", new int[0], StopReason.CANCELLED, prompt.length, summary, 0, 0,
                        System.nanoTime() - submitted));
            } catch (RuntimeException ignored) {
                // as in finish
            }
        }
    }
}
