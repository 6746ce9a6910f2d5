package org.moe4j.model;

import java.util.List;
import org.moe4j.gguf.GGUFFile;
import org.moe4j.moe.ExpertStore;
import org.moe4j.moe.MoeFeedForward;
import org.moe4j.moe.RoutingHooks;
import org.moe4j.tensor.MatMul;
import org.moe4j.tensor.NumericMode;
import org.moe4j.tensor.Tensor;
import org.moe4j.tensor.VectorOps;
import org.moe4j.util.WorkerPool;

/**
 * A loaded transformer: token embedding, blocks, output head. {@link #forward} evaluates a {@link Batch}
 * against a {@link KVCache} and returns the logits of the tokens that asked for them.
 * Build one with {@link ModelLoader}. One forward pass runs at a time (the method is synchronized);
 * concurrency across requests comes from batching them.
 */
public final class Model implements AutoCloseable {
    private final ModelConfig config;
    private final GGUFFile file;
    private final Tensor tokenEmbedding;
    private final float embeddingScale;
    private final Block[] blocks;
    private final float[] outputNorm;
    private final Tensor output;
    private final float logitDivisor;
    private final float rmsEps;
    private final RoutingHooks hooks;
    private final Rope[] ropes;
    private final WorkerPool pool;
    private final MatMul mm;
    private final Workspace ws = new Workspace();
    private final Layer layer = new Layer(0, null, null, ws);
    // an array, replaced on change, not a CopyOnWriteArrayList: iterating one allocates an iterator, and the
    // forward pass walks the listeners twice per block
    private volatile ForwardListener[] listeners = new ForwardListener[0];
    private ExpertStore expertStore;

    Model(ModelConfig config, GGUFFile file, Tensor tokenEmbedding, float embeddingScale, Block[] blocks,
          float[] outputNorm, Tensor output, float logitDivisor, RoutingHooks hooks, List<Rope> ropes,
          WorkerPool pool, MatMul mm, ExpertStore expertStore) {
        this.config = config;
        this.file = file;
        this.tokenEmbedding = tokenEmbedding;
        this.embeddingScale = embeddingScale;
        this.blocks = blocks;
        this.outputNorm = outputNorm;
        this.output = output;
        this.logitDivisor = logitDivisor;
        this.rmsEps = config.rmsEps;
        this.hooks = hooks;
        this.ropes = ropes.toArray(Rope[]::new);
        this.pool = pool;
        this.mm = mm;
        this.expertStore = expertStore;
    }

    public ModelConfig config() { return config; }
    public GGUFFile file() { return file; }
    public int vocabSize() { return output.rows(); }
    public int width() { return config.embeddingLength; }
    public int blockCount() { return blocks.length; }
    public Block block(int i) { return blocks[i]; }
    public RoutingHooks routing() { return hooks; }
    public NumericMode numericMode() { return mm.mode(); }
    public WorkerPool pool() { return pool; }
    public ExpertStore expertStore() { return expertStore; }

    public synchronized void addListener(ForwardListener l) {
        ForwardListener[] grown = java.util.Arrays.copyOf(listeners, listeners.length + 1);
        grown[listeners.length] = l;
        listeners = grown;
    }

    /** The listeners installed now, in the order they are called. */
    public java.util.List<ForwardListener> listeners() {
        return java.util.List.of(listeners);
    }

    public synchronized void removeListener(ForwardListener l) {
        listeners = java.util.Arrays.stream(listeners).filter(x -> x != l).toArray(ForwardListener[]::new);
    }

    /** Replaces where routed experts come from (e.g. an expert cache), for every MoE block. */
    public synchronized void setExpertStore(ExpertStore store) {
        this.expertStore = store;
        for (Block b : blocks) {
            if (b.feedForward() instanceof MoeFeedForward moe) moe.setStore(store);
        }
    }

    /** A KV cache for {@code slots} sequences of up to {@code contextLength} tokens. */
    public KVCache newCache(int slots, int contextLength) {
        int[] kw = new int[blocks.length];
        int[] vw = new int[blocks.length];
        for (int l = 0; l < blocks.length; l++) {
            kw[l] = blocks[l].attention().cacheKeyWidth();
            vw[l] = blocks[l].attention().cacheValueWidth();
        }
        return new KVCache(slots, contextLength, kw, vw);
    }

    /** KV-cache bytes one token occupies over all layers. */
    public long cacheBytesPerToken() {
        long b = 0;
        for (Block blk : blocks) b += 4L * (blk.attention().cacheKeyWidth() + blk.attention().cacheValueWidth());
        return b;
    }

    /**
     * Evaluates a batch. Logits of the tokens that want them are written to {@code logits} back to back in
     * batch order, {@link #vocabSize()} floats each.
     */
    public synchronized void forward(Batch batch, KVCache cache, float[] logits) {
        int n = batch.size();
        int d = config.embeddingLength;
        int vocab = vocabSize();
        validate(batch, cache, logits);
        if (n == 0) return;
        float[] x = ws.get(Workspace.Slot.RESIDUAL, n * d);
        for (int t = 0; t < n; t++) {
            tokenEmbedding.lookupRow(batch.token(t), x, t * d);
            if (embeddingScale != 1f) VectorOps.scale(x, t * d, embeddingScale, x, t * d, d);
        }
        for (Rope r : ropes) r.prepare(batch);
        float[] xn = ws.get(Workspace.Slot.NORMED, n * d);
        float[] tmp = ws.get(Workspace.Slot.ATTN_OUT, n * d);
        ForwardListener[] ls = listeners;
        for (int l = 0; l < blocks.length; l++) {
            Block b = blocks[l];
            layer.set(l, batch, cache, ws);
            for (int t = 0; t < n; t++) VectorOps.rmsNorm(x, t * d, b.attnNorm(), rmsEps, xn, t * d, d);
            b.attention().forward(layer, xn, tmp);
            residualAdd(tmp, x, n * d, b.residualScale());
            for (int t = 0; t < n; t++) VectorOps.rmsNorm(x, t * d, b.ffnNorm(), rmsEps, xn, t * d, d);
            for (ForwardListener fl : ls) fl.beforeFeedForward(l, xn, n, d);
            b.feedForward().forward(layer, xn, tmp);
            residualAdd(tmp, x, n * d, b.residualScale());
            for (ForwardListener fl : ls) fl.onBlockOutput(l, x, n, d);
        }
        for (int t = 0; t < n; t++) cache.extend(batch.slot(t), batch.position(t));

        int m = 0;
        float[] rows = ws.get(Workspace.Slot.LOGITS_IN, batch.logitCount() * d);
        for (int t = 0; t < n; t++) {
            if (!batch.wantsLogits(t)) continue;
            VectorOps.rmsNorm(x, t * d, outputNorm, rmsEps, rows, m * d, d);
            m++;
        }
        if (m == 0) return;
        mm.apply(output, rows, 0, m, logits, 0);
        if (logitDivisor != 1f) VectorOps.scale(logits, 0, 1f / logitDivisor, logits, 0, m * vocab);
    }

    private static void residualAdd(float[] delta, float[] x, int len, float scale) {
        if (scale == 1f) VectorOps.add(delta, 0, x, 0, len);
        else VectorOps.axpy(scale, delta, 0, x, 0, len);
    }

    private void validate(Batch batch, KVCache cache, float[] logits) {
        int vocab = vocabSize();
        int embRows = (int) tokenEmbedding.rowCount();
        for (int t = 0; t < batch.size(); t++) {
            int tok = batch.token(t);
            if (tok < 0 || tok >= embRows) {
                throw new IllegalArgumentException("token id " + tok + " at batch index " + t + " is outside the vocabulary (0.." + (embRows - 1) + ")");
            }
            int pos = batch.position(t);
            if (pos < 0 || pos >= cache.contextLength()) {
                throw new ContextOverflowException("position " + pos + " is beyond the context of " + cache.contextLength()
                        + " tokens; use a larger context (--ctx) or a shorter prompt");
            }
            if (batch.slot(t) < 0 || batch.slot(t) >= cache.slots()) {
                throw new IllegalArgumentException("sequence slot " + batch.slot(t) + " does not exist (cache has " + cache.slots() + ")");
            }
        }
        long need = (long) batch.logitCount() * vocab;
        if (logits == null ? need > 0 : logits.length < need) {
            throw new IllegalArgumentException("logits buffer holds " + (logits == null ? 0 : logits.length) + " floats, needs " + need);
        }
    }

    @Override
    public void close() {
        pool.close();
        if (expertStore != null) expertStore.close();
        file.close();
    }
}
