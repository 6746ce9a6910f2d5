package org.moe4j.model;

import org.moe4j.tensor.VectorOps;
import org.moe4j.util.WorkerPool;

/**
 * Scaled dot-product attention of a batch of queries against the KV cache, one (token, head) pair per
 * work item, with a score row per thread: memory grows linearly with the context, never quadratically.
 * Token {@code t} attends to the cached positions {@code [lo, pos_t]} of its own slot, where {@code lo}
 * honours the sliding window. A sink logit, when given, joins the softmax denominator only.
 */
final class AttentionKernel {
    private final WorkerPool pool;
    private final Job job = new Job();
    private final ThreadLocal<float[]> scores = ThreadLocal.withInitial(() -> new float[256]);

    AttentionKernel(WorkerPool pool) {
        this.pool = pool;
    }

    /**
     * @param q        queries {@code [n, nHead * headDim]}
     * @param keys     cache keys, row {@code (slot, pos)} at {@code base + (slot*ctx + pos) * kStride}, KV head h at {@code + h*headDim}
     * @param out      {@code [n, nHead * valueDim]}
     */
    void attend(Batch batch, float[] q, int nHead, int nHeadKv, int headDim, int valueDim,
                float[] keys, float[] values, int kStride, int vStride, int ctx,
                float scale, float[] sinks, int window, float[] out) {
        Job j = job;
        j.batch = batch;
        j.q = q;
        j.nHead = nHead;
        j.group = nHead / nHeadKv;
        j.headDim = headDim;
        j.valueDim = valueDim;
        j.keys = keys;
        j.values = values;
        j.kStride = kStride;
        j.vStride = vStride;
        j.ctx = ctx;
        j.scale = scale;
        j.sinks = sinks;
        j.window = window;
        j.out = out;
        pool.parallelFor(batch.size() * nHead, 1, j);
        j.batch = null;
        j.q = j.keys = j.values = j.out = null;
    }

    private final class Job implements WorkerPool.RangeTask {
        Batch batch;
        float[] q, keys, values, out, sinks;
        int nHead, group, headDim, valueDim, kStride, vStride, ctx, window;
        float scale;

        @Override
        public void run(int from, int to) {
            for (int item = from; item < to; item++) {
                int t = item / nHead;
                int h = item % nHead;
                int kvh = h / group;
                int pos = batch.position(t);
                int slot = batch.slot(t);
                int lo = window > 0 ? Math.max(0, pos - window + 1) : 0;
                int len = pos - lo + 1;
                float[] sc = scores.get();
                if (sc.length < len) {
                    sc = new float[Math.max(len, sc.length * 2)];
                    scores.set(sc);
                }
                int qOff = (t * nHead + h) * headDim;
                int rowBase = slot * ctx;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < len; j++) {
                    int kOff = (rowBase + lo + j) * kStride + kvh * headDim;
                    float s = VectorOps.dot(q, qOff, keys, kOff, headDim) * scale;
                    sc[j] = s;
                    if (s > max) max = s;
                }
                float sink = sinks != null ? sinks[h] : Float.NEGATIVE_INFINITY;
                if (sink > max) max = sink;
                double sum = 0;
                for (int j = 0; j < len; j++) {
                    float e = (float) Math.exp(sc[j] - max);
                    sc[j] = e;
                    sum += e;
                }
                if (sinks != null) sum += (float) Math.exp(sink - max);
                float inv = (float) (1.0 / sum);
                int oOff = (t * nHead + h) * valueDim;
                java.util.Arrays.fill(out, oOff, oOff + valueDim, 0f);
                for (int j = 0; j < len; j++) {
                    int vOff = (rowBase + lo + j) * vStride + kvh * valueDim;
                    VectorOps.axpy(sc[j] * inv, values, vOff, out, oOff, valueDim);
                }
            }
        }
    }
}
