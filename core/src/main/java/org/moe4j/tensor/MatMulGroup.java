package org.moe4j.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.moe4j.tensor.quant.ActivationType;
import org.moe4j.tensor.quant.QuantFormat;
import org.moe4j.tensor.quant.QuantizedActivations;
import org.moe4j.util.WorkerPool;

/**
 * Several independent matrix products run as one parallel job: {@code y_i = W_i x_i}. Decoding an MoE
 * layer multiplies many small matrices (gate and up of every selected expert); dispatching them one by
 * one would pay the pool's wake-up cost each time, so they are queued here and their rows are shared out
 * to the threads together. Products that read the same input rows encode them once.
 *
 * <p>Obtained from {@link MatMul#group()}; reused from call to call (no allocation in steady state).
 */
public final class MatMulGroup {
    private final MatMul mm;
    private final WorkerPool pool;
    private final Job job = new Job();

    private int count;
    private Tensor[] w = new Tensor[8];
    private float[][] x = new float[8][];
    private int[] xOff = new int[8];
    private int[] n = new int[8];
    private float[][] y = new float[8][];
    private int[] yOff = new int[8];
    private int[] input = new int[8];
    private long[] rowStart = new long[9];

    private int inputs;
    private final List<QuantizedActivations> encoded = new ArrayList<>();
    private float[][] inX = new float[8][];
    private int[] inOff = new int[8];
    private int[] inN = new int[8];
    private int[] inCols = new int[8];
    private ActivationType[] inType = new ActivationType[8];

    MatMulGroup(MatMul mm, WorkerPool pool) {
        this.mm = mm;
        this.pool = pool;
    }

    /** Starts a new group. */
    public MatMulGroup clear() {
        for (int i = 0; i < count; i++) {
            w[i] = null;
            x[i] = null;
            y[i] = null;
        }
        for (int i = 0; i < inputs; i++) inX[i] = null;
        count = 0;
        inputs = 0;
        return this;
    }

    /** Queues {@code y[yOff + t*rows + o] = W[o] . x[xOff + t*cols ..]} for {@code t < rowsOfX}. */
    public MatMulGroup add(Tensor weight, float[] in, int inOffset, int rowsOfX, float[] out, int outOffset) {
        if (rowsOfX <= 0) return this;
        if (count == w.length) grow();
        int cols = weight.cols();
        if (inOffset + (long) rowsOfX * cols > in.length || outOffset + (long) rowsOfX * weight.rows() > out.length) {
            throw new IllegalArgumentException("buffers too small for " + weight + " x " + rowsOfX + " rows");
        }
        w[count] = weight;
        x[count] = in;
        xOff[count] = inOffset;
        n[count] = rowsOfX;
        y[count] = out;
        yOff[count] = outOffset;
        input[count] = mm.mode() == NumericMode.NATIVE ? inputIndex(in, inOffset, rowsOfX, cols, weight.format().activationType()) : -1;
        count++;
        return this;
    }

    private int inputIndex(float[] in, int off, int rows, int cols, ActivationType type) {
        for (int i = 0; i < inputs; i++) {
            if (inX[i] == in && inOff[i] == off && inN[i] == rows && inCols[i] == cols && inType[i] == type) return i;
        }
        if (inputs == inX.length) {
            int cap = inputs * 2;
            inX = Arrays.copyOf(inX, cap);
            inOff = Arrays.copyOf(inOff, cap);
            inN = Arrays.copyOf(inN, cap);
            inCols = Arrays.copyOf(inCols, cap);
            inType = Arrays.copyOf(inType, cap);
        }
        inX[inputs] = in;
        inOff[inputs] = off;
        inN[inputs] = rows;
        inCols[inputs] = cols;
        inType[inputs] = type;
        return inputs++;
    }

    private void grow() {
        int cap = count * 2;
        w = Arrays.copyOf(w, cap);
        x = Arrays.copyOf(x, cap);
        xOff = Arrays.copyOf(xOff, cap);
        n = Arrays.copyOf(n, cap);
        y = Arrays.copyOf(y, cap);
        yOff = Arrays.copyOf(yOff, cap);
        input = Arrays.copyOf(input, cap);
        rowStart = Arrays.copyOf(rowStart, cap + 1);
    }

    /** Runs every queued product. */
    public void run() {
        if (count == 0) return;
        for (int i = 0; i < inputs; i++) {
            while (encoded.size() <= i) encoded.add(new QuantizedActivations());
            QuantizedActivations q = encoded.get(i).ensure(inType[i], inN[i] * inCols[i]);
            for (int t = 0; t < inN[i]; t++) {
                q.quantize(inX[i], inOff[i] + t * inCols[i], t * inCols[i], inCols[i]);
            }
        }
        rowStart[0] = 0;
        for (int i = 0; i < count; i++) rowStart[i + 1] = rowStart[i] + w[i].rows();
        int total = Math.toIntExact(rowStart[count]);
        pool.parallelFor(total, Math.max(1, Math.min(64, total / (pool.threads() * 8))), job);
    }

    private final class Job implements WorkerPool.RangeTask {
        @Override
        public void run(int from, int to) {
            int task = find(from);
            int r = from;
            while (r < to) {
                while (rowStart[task + 1] <= r) task++;
                int end = (int) Math.min(to, rowStart[task + 1]);
                rows(task, (int) (r - rowStart[task]), (int) (end - rowStart[task]));
                r = end;
            }
        }

        private int find(int row) {
            int lo = 0, hi = count - 1;
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (rowStart[mid] <= row) lo = mid;
                else hi = mid - 1;
            }
            return lo;
        }

        private void rows(int task, int from, int to) {
            Tensor wt = w[task];
            QuantFormat fmt = wt.format();
            var data = wt.data();
            long rowBytes = wt.rowBytes();
            int cols = wt.cols();
            int rows = wt.rows();
            int tokens = n[task];
            float[] out = y[task];
            int oOff = yOff[task];
            if (input[task] >= 0) {
                QuantizedActivations a = encoded.get(input[task]);
                for (int o = from; o < to; o++) {
                    fmt.dotTokens(data, o * rowBytes, a, cols, tokens, out, oOff + o, rows);
                }
            } else {
                float[] in = x[task];
                int iOff = xOff[task];
                for (int o = from; o < to; o++) {
                    long off = o * rowBytes;
                    for (int t = 0; t < tokens; t++) out[oOff + t * rows + o] = fmt.dot(data, off, in, iOff + t * cols, cols);
                }
            }
        }
    }
}
