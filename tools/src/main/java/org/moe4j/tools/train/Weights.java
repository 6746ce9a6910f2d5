package org.moe4j.tools.train;

import org.moe4j.util.WorkerPool;

/**
 * The parameters of a model being trained, in the flat layout of {@link ParameterLayout}, plus a transposed
 * copy of every matrix ({@code [in, out]} instead of GGUF's {@code [out, in]} rows) that the forward products
 * read. The copy is refreshed after every optimizer step, once for all micro-batches.
 */
final class Weights {
    final ParameterLayout layout;
    final float[] values;
    final float[] transposed;

    Weights(ParameterLayout layout) {
        this.layout = layout;
        this.values = new float[layout.size()];
        this.transposed = new float[layout.size()];
    }

    /** Recomputes the transposed copies of all matrices (in parallel when a pool is given). */
    void refresh(WorkerPool pool) {
        var tensors = layout.tensors().stream().filter(ParameterLayout.Tensor::matrix).toList();
        WorkerPool.RangeTask task = (from, to) -> {
            for (int i = from; i < to; i++) refresh(tensors.get(i));
        };
        if (pool == null) task.run(0, tensors.size());
        else pool.parallelFor(tensors.size(), 1, task);
    }

    private void refresh(ParameterLayout.Tensor t) {
        int in = (int) t.dims()[0];
        int out = (int) t.dims()[1];
        int slices = t.dims().length > 2 ? (int) t.dims()[2] : 1;
        for (int e = 0; e < slices; e++) {
            int off = t.offset() + e * in * out;
            Gemm.transpose(out, in, values, off, in, transposed, off, out);
        }
    }
}
