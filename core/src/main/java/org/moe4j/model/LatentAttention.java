package org.moe4j.model;

import org.moe4j.tensor.MatMul;
import org.moe4j.tensor.Tensor;
import org.moe4j.tensor.VectorOps;
import org.moe4j.util.WorkerPool;

/**
 * Multi-head latent attention (DeepSeek-V2/V3). Keys and values are never expanded: the cache holds, per
 * token, the normed latent {@code c} ({@code kv_lora_rank} floats) and the shared RoPE key {@code k_pe}.
 * Each head's no-RoPE query is absorbed into latent space through its {@code attn_k_b} slice
 * ({@code q_lat = Kb q_nope}, so {@code q_nope . k_nope = q_lat . c}), attention weights average the
 * latents, and the head's value is {@code Vb} applied once to that average.
 */
public final class LatentAttention implements AttentionBlock {

    /**
     * @param wq     {@code attn_q} (lite, no query compression) or null
     * @param wqA    {@code attn_q_a}, with {@code qANorm} and {@code wqB}, when queries are compressed
     * @param wkvA   {@code attn_kv_a_mqa}: x -> [latent, k_pe]
     * @param wkB    {@code attn_k_b} {@code [nope, kv_lora, n_head]}
     * @param wvB    {@code attn_v_b} {@code [kv_lora, v_head, n_head]}
     */
    public record Spec(int nHead, int nope, int ropeDim, int kvLora, int vHead,
                       Tensor wq, Tensor wqA, float[] qANorm, Tensor wqB,
                       Tensor wkvA, float[] kvANorm, Tensor wkB, Tensor wvB, Tensor wo,
                       float normEps, Rope rope, float scale) {
    }

    private final Spec s;
    private final MatMul mm;
    private final Tensor[] kb;
    private final Tensor[] vb;
    private final Job job = new Job();
    private final ThreadLocal<float[]> scores = ThreadLocal.withInitial(() -> new float[256]);

    public LatentAttention(Spec spec, MatMul mm) {
        this.s = spec;
        this.mm = mm;
        kb = new Tensor[spec.nHead];
        vb = new Tensor[spec.nHead];
        for (int h = 0; h < spec.nHead; h++) {
            kb[h] = spec.wkB.slice(h);
            vb[h] = spec.wvB.slice(h);
        }
    }

    private int qHeadDim() {
        return s.nope + s.ropeDim;
    }

    @Override
    public int cacheKeyWidth() {
        return s.kvLora + s.ropeDim;
    }

    @Override
    public int cacheValueWidth() {
        return 0;
    }

    @Override
    public void forward(Layer layer, float[] in, float[] out) {
        Batch batch = layer.batch();
        Workspace ws = layer.ws();
        int n = batch.size();
        int qd = qHeadDim();
        int qw = s.nHead * qd;
        int kvw = s.kvLora + s.ropeDim;
        float[] q = ws.get(Workspace.Slot.Q, n * qw);
        if (s.wq != null) {
            mm.apply(s.wq, in, 0, n, q, 0);
        } else {
            int r = s.wqA.rows();
            float[] qa = ws.get(Workspace.Slot.TMP, n * r);
            mm.apply(s.wqA, in, 0, n, qa, 0);
            for (int t = 0; t < n; t++) VectorOps.rmsNorm(qa, t * r, s.qANorm, s.normEps, qa, t * r, r);
            mm.apply(s.wqB, qa, 0, n, q, 0);
        }
        float[] kv = ws.get(Workspace.Slot.K, n * kvw);
        mm.apply(s.wkvA, in, 0, n, kv, 0);

        KVCache cache = layer.cache();
        int l = layer.index();
        float[] keys = cache.keys(l);
        for (int t = 0; t < n; t++) {
            VectorOps.rmsNorm(kv, t * kvw, s.kvANorm, s.normEps, kv, t * kvw, s.kvLora);
            s.rope.rotate(kv, t * kvw + s.kvLora, 1, s.ropeDim, t);
            s.rope.rotate(q, t * qw + s.nope, s.nHead, qd, t);
            System.arraycopy(kv, t * kvw, keys, cache.keyOffset(l, batch.slot(t), batch.position(t)), kvw);
        }

        // absorb each head's q_nope into latent space: qLat[t][h] = Kb_h q_nope[t][h]
        float[] qLat = ws.get(Workspace.Slot.LATENT, n * s.nHead * s.kvLora);
        float[] tmpIn = ws.get(Workspace.Slot.GATE, n * s.nope);
        float[] tmpOut = ws.get(Workspace.Slot.UP, n * Math.max(s.kvLora, s.vHead));
        for (int h = 0; h < s.nHead; h++) {
            for (int t = 0; t < n; t++) System.arraycopy(q, t * qw + h * qd, tmpIn, t * s.nope, s.nope);
            mm.apply(kb[h], tmpIn, 0, n, tmpOut, 0);
            for (int t = 0; t < n; t++) System.arraycopy(tmpOut, t * s.kvLora, qLat, (t * s.nHead + h) * s.kvLora, s.kvLora);
        }

        float[] latOut = ws.get(Workspace.Slot.ATTN, n * s.nHead * s.kvLora);
        Job j = job;
        j.batch = batch;
        j.q = q;
        j.qLat = qLat;
        j.keys = keys;
        j.ctx = cache.contextLength();
        j.out = latOut;
        mm.pool().parallelFor(n * s.nHead, 1, j);
        j.batch = null;
        j.q = j.qLat = j.keys = j.out = null;

        // values: v[t][h] = Vb_h latOut[t][h]; heads concatenated
        float[] heads = ws.get(Workspace.Slot.V, n * s.nHead * s.vHead);
        float[] latIn = ws.get(Workspace.Slot.GATE, n * s.kvLora);
        for (int h = 0; h < s.nHead; h++) {
            for (int t = 0; t < n; t++) System.arraycopy(latOut, (t * s.nHead + h) * s.kvLora, latIn, t * s.kvLora, s.kvLora);
            mm.apply(vb[h], latIn, 0, n, tmpOut, 0);
            for (int t = 0; t < n; t++) System.arraycopy(tmpOut, t * s.vHead, heads, (t * s.nHead + h) * s.vHead, s.vHead);
        }
        mm.apply(s.wo, heads, 0, n, out, 0);
    }

    private final class Job implements WorkerPool.RangeTask {
        Batch batch;
        float[] q, qLat, keys, out;
        int ctx;

        @Override
        public void run(int from, int to) {
            int kvw = s.kvLora + s.ropeDim;
            int qd = qHeadDim();
            for (int item = from; item < to; item++) {
                int t = item / s.nHead;
                int h = item % s.nHead;
                int len = batch.position(t) + 1;
                float[] sc = scores.get();
                if (sc.length < len) {
                    sc = new float[Math.max(len, sc.length * 2)];
                    scores.set(sc);
                }
                int base = batch.slot(t) * ctx;
                int latOff = item * s.kvLora;
                int peOff = t * s.nHead * qd + h * qd + s.nope;
                float max = Float.NEGATIVE_INFINITY;
                for (int p = 0; p < len; p++) {
                    int row = (base + p) * kvw;
                    float v = (VectorOps.dot(qLat, latOff, keys, row, s.kvLora)
                            + VectorOps.dot(q, peOff, keys, row + s.kvLora, s.ropeDim)) * s.scale;
                    sc[p] = v;
                    if (v > max) max = v;
                }
                double sum = 0;
                for (int p = 0; p < len; p++) {
                    float e = (float) Math.exp(sc[p] - max);
                    sc[p] = e;
                    sum += e;
                }
                float inv = (float) (1.0 / sum);
                java.util.Arrays.fill(out, latOff, latOff + s.kvLora, 0f);
                for (int p = 0; p < len; p++) {
                    VectorOps.axpy(sc[p] * inv, keys, (base + p) * kvw, out, latOff, s.kvLora);
                }
            }
        }
    }
}
