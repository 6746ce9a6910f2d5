package org.moe4j.tools.train;

import org.moe4j.util.WorkerPool;

/**
 * AdamW (decoupled weight decay, bias-corrected moments) over the flat parameter array. Weight decay applies to
 * matrices only, not to norm weights.
 */
final class AdamW {
    final float[] m;
    final float[] v;
    private final boolean[] decays;
    private final ParameterLayout layout;
    private final float beta1;
    private final float beta2;
    private final float eps;
    private final float weightDecay;

    AdamW(ParameterLayout layout, float beta1, float beta2, float eps, float weightDecay) {
        this.layout = layout;
        this.m = new float[layout.size()];
        this.v = new float[layout.size()];
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decays = new boolean[layout.tensors().size()];
        for (int i = 0; i < decays.length; i++) decays[i] = layout.tensors().get(i).matrix();
    }

    /** Applies update number {@code t} (1-based) with learning rate {@code lr} and gradients {@code g}. */
    void update(float[] p, float[] g, float lr, long t, WorkerPool pool) {
        float c1 = (float) (1 - Math.pow(beta1, t));
        float c2 = (float) (1 - Math.pow(beta2, t));
        var tensors = layout.tensors();
        pool.parallelFor(tensors.size(), 1, (from, to) -> {
            for (int ti = from; ti < to; ti++) {
                ParameterLayout.Tensor tensor = tensors.get(ti);
                float decay = decays[ti] ? lr * weightDecay : 0f;
                int end = tensor.offset() + tensor.size();
                for (int i = tensor.offset(); i < end; i++) {
                    float gi = g[i];
                    float mi = beta1 * m[i] + (1 - beta1) * gi;
                    float vi = beta2 * v[i] + (1 - beta2) * gi * gi;
                    m[i] = mi;
                    v[i] = vi;
                    float mh = mi / c1;
                    float vh = vi / c2;
                    p[i] -= lr * mh / ((float) Math.sqrt(vh) + eps) + decay * p[i];
                }
            }
        });
    }
}
