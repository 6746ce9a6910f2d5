package org.moe4j.tools.train;

import java.util.SplittableRandom;
import org.moe4j.util.WorkerPool;

/** Tiny shapes and random weights for the training tests. */
final class TinyModel {
    private TinyModel() {
    }

    /** 2 blocks, 4 query heads over 2 KV heads, 4 experts top-2, widths that are not multiples of a vector. */
    static ModelShape moe() {
        return new ModelShape(37, 12, 2, 4, 2, 6, 4, 2, 10, 7, 10000f, 1e-5f);
    }

    static ModelShape dense() {
        return new ModelShape(37, 12, 2, 4, 2, 6, 1, 1, 20, 7, 10000f, 1e-5f);
    }

    /** Weights N(0, std²) for matrices, norms around 1. */
    static Weights weights(ParameterLayout layout, long seed, double std) {
        Weights w = new Weights(layout);
        SplittableRandom r = new SplittableRandom(seed);
        for (ParameterLayout.Tensor t : layout.tensors()) {
            for (int i = 0; i < t.size(); i++) {
                double g = gaussian(r);
                w.values[t.offset() + i] = (float) (t.matrix() ? std * g : 1 + 0.2 * g);
            }
        }
        w.refresh(null);
        return w;
    }

    static double gaussian(SplittableRandom r) {
        double u = r.nextDouble(1e-12, 1), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /** A batch of random sequences whose targets are the next tokens. */
    static BatchGradient batch(Transformer model, int microBatches, int seqsPerMicro, long seed, WorkerPool pool) {
        BatchGradient bg = new BatchGradient(model, microBatches, seqsPerMicro, pool);
        SplittableRandom r = new SplittableRandom(seed);
        int t = model.shape().context();
        for (int s = 0; s < bg.sequences(); s++) {
            Activations a = bg.shardOf(s);
            int off = bg.offsetOf(s);
            int prev = r.nextInt(model.shape().vocab());
            for (int i = 0; i < t; i++) {
                int next = r.nextInt(model.shape().vocab());
                a.tokens[off + i] = prev;
                a.targets[off + i] = next;
                prev = next;
            }
        }
        return bg;
    }
}
