package org.moe4j.model;

/**
 * What a sub-layer needs during the forward pass: its index, the batch, the cache and the scratch
 * buffers. One instance is reused for every layer of every pass (no allocation per token).
 */
public final class Layer {
    private int index;
    private Batch batch;
    private KVCache cache;
    private Workspace ws;

    public Layer(int index, Batch batch, KVCache cache, Workspace ws) {
        set(index, batch, cache, ws);
    }

    Layer set(int index, Batch batch, KVCache cache, Workspace ws) {
        this.index = index;
        this.batch = batch;
        this.cache = cache;
        this.ws = ws;
        return this;
    }

    public int index() { return index; }
    public Batch batch() { return batch; }
    public KVCache cache() { return cache; }
    public Workspace ws() { return ws; }
}
