package org.moe4j.tensor;

import java.lang.foreign.MemorySegment;
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
            if (native_) {
                rows(fmt, data, rowBytes, encoded, 0, cols, n, y, yOff, rows, from, to);
                return;
            }
            for (int o = from; o < to; o++) {
                long off = o * rowBytes;
                for (int t = 0; t < n; t++) y[yOff + t * rows + o] = fmt.dot(data, off, x, xOff + t * cols, cols);
            }
        }
    }

    /**
     * Weight rows {@code [from, to)} against all {@code tokens} encoded rows, tiled so that a block of
     * rows and a block of tokens' activations stay in the core's cache together: for a long prompt,
     * taking every token for each row would stream all activations from memory once per weight row,
     * and taking every row for each token block would stream the weights once per token block.
     */
    static void rows(QuantFormat fmt, MemorySegment data, long rowBytes, QuantizedActivations a, int elementOffset, int cols,
                     int tokens, float[] y, int yOff, int rows, int from, int to) {
        int tokenBlock = Math.max(4, (TOKEN_BLOCK_BYTES / (4 * cols)) & ~3); // floats: the largest encoding
        int rowBlock = (int) Math.max(1, ROW_BLOCK_BYTES / rowBytes);
        for (int r0 = from; r0 < to; r0 += rowBlock) {
            int r1 = Math.min(to, r0 + rowBlock);
            for (int t0 = 0; t0 < tokens; t0 += tokenBlock) {
                int tb = Math.min(tokenBlock, tokens - t0);
                for (int o = r0; o < r1; o++) {
                    fmt.dotTokens(data, o * rowBytes, a, elementOffset + t0 * cols, cols, tb, y, yOff + t0 * rows + o, rows);
                }
            }
        }
    }

    private static final int ROW_BLOCK_BYTES = Integer.getInteger("rb", 128 << 10);
    private static final int TOKEN_BLOCK_BYTES = Integer.getInteger("tb", 256 << 10);
}
