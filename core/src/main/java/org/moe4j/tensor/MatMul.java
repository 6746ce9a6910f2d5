package org.moe4j.tensor;

import org.moe4j.tensor.quant.QuantFormat;
import org.moe4j.tensor.quant.QuantizedActivations;
import org.moe4j.util.WorkerPool;

/**
 * Matrix products of a weight tensor with a batch of activation rows:
 * {@code y[t][o] = sum_i W[o][i] * x[t][i]} for {@code t < n}, rows of {@code x} of length {@code W.cols()}
 * stored back to back, rows of {@code y} of length {@code W.rows()}.
 *
 * <p>Work is split over output rows across the worker pool; each weight row is read once per call and
 * reused for every token of the batch while it is in cache. One instance serves one forward pass at a time.
 */
public final class MatMul {
    private final WorkerPool pool;
    private final NumericMode mode;
    private final QuantizedActivations encoded = new QuantizedActivations();
    private final Job job = new Job();
    private final MatMulGroup group;

    public MatMul(WorkerPool pool, NumericMode mode) {
        this.pool = pool;
        this.mode = mode;
        this.group = new MatMulGroup(this, pool);
    }

    /** The reusable group of products of this instance, cleared (see {@link MatMulGroup}). */
    public MatMulGroup group() {
        return group.clear();
    }

    public WorkerPool pool() {
        return pool;
    }

    public NumericMode mode() {
        return mode;
    }

    /** {@code y[yOff + t*rows + o] = W[o] . x[xOff + t*cols ..]} for {@code t < n}. */
    public void apply(Tensor w, float[] x, int xOff, int n, float[] y, int yOff) {
        int cols = w.cols();
        int rows = w.rows();
        if (w.rank() > 2 && w.dim(2) != 1) {
            throw new IllegalArgumentException(w + " is not a matrix");
        }
        if (xOff + (long) n * cols > x.length || yOff + (long) n * rows > y.length) {
            throw new IllegalArgumentException("buffers too small for " + w + " x " + n + " rows");
        }
        Job j = job;
        j.w = w;
        j.fmt = w.format();
        j.x = x;
        j.xOff = xOff;
        j.y = y;
        j.yOff = yOff;
        j.n = n;
        j.cols = cols;
        j.rows = rows;
        j.rowBytes = w.rowBytes();
        j.native_ = mode == NumericMode.NATIVE;
        if (j.native_) {
            encoded.ensure(j.fmt.activationType(), n * cols);
            for (int t = 0; t < n; t++) {
                encoded.quantize(x, xOff + t * cols, t * cols, cols);
            }
        }
        pool.parallelFor(rows, Math.max(1, Math.min(64, rows / (pool.threads() * 8))), j);
        j.x = null;
        j.y = null;
        j.w = null;
    }

    private final class Job implements WorkerPool.RangeTask {
        Tensor w;
        QuantFormat fmt;
        float[] x;
        float[] y;
        int xOff;
        int yOff;
        int n;
        int cols;
        int rows;
        long rowBytes;
        boolean native_;

        @Override
        public void run(int from, int to) {
            var data = w.data();
            for (int o = from; o < to; o++) {
                long off = o * rowBytes;
                if (native_) {
                    fmt.dotTokens(data, off, encoded, cols, n, y, yOff + o, rows);
                } else {
                    for (int t = 0; t < n; t++) y[yOff + t * rows + o] = fmt.dot(data, off, x, xOff + t * cols, cols);
                }
            }
        }
    }
}
