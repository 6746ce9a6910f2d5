package org.moe4j.tensor.quant;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Random;
import org.moe4j.tensor.GGMLType;

/**
 * The same 1024 x 4096 matrix-vector products as {@link QuantDotBenchmark}, timed in thread CPU time
 * instead of wall time: on a shared, oversubscribed machine wall time mostly measures the other
 * tenants, CPU time what one core does (cache and memory contention still count). Prints weight
 * GB per CPU-second, best of 20 rounds after 10 warm-up rounds. Arguments: types (comma separated),
 * then {@code int} or {@code float}, then the tokens per row (default 1; more run the prefill tiles of
 * {@link QuantFormat#dotTokens} and count the weight bytes once per token).
 */
public final class CpuTimeDotThroughput {
    private CpuTimeDotThroughput() {
    }

    /** One pass over the rows, its own method so the kernels are compiled as called, not inside this loop. */
    private static void pass(QuantFormat f, boolean intDot, MemorySegment seg, long rowBytes, int rows, int cols, int tokens,
                             QuantizedActivations a, float[] x, float[] y) {
        for (int o = 0; o < rows; o++) {
            if (intDot && tokens > 1) f.dotTokens(seg, o * rowBytes, a, 0, cols, tokens, y, o, rows);
            else if (intDot) y[o] = f.dot(seg, o * rowBytes, a, 0, cols);
            else for (int t = 0; t < tokens; t++) y[t * rows + o] = f.dot(seg, o * rowBytes, x, t * cols, cols);
        }
    }

    public static void main(String[] args) {
        String types = args.length > 0 ? args[0]
                : "Q8_0,Q4_0,Q4_1,Q5_0,Q5_1,IQ4_NL,MXFP4,Q2_K,Q3_K,Q4_K,Q5_K,Q6_K,F16,BF16,F32";
        boolean intDot = args.length < 2 || args[1].equals("int");
        int tokens = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        int rows = QuantDotBenchmark.ROWS, cols = QuantDotBenchmark.COLS;
        for (String name : types.split(",")) {
            GGMLType t = GGMLType.valueOf(name);
            long rowBytes = t.bytesFor(cols);
            Random r = new Random(42);
            float[] w = new float[16 * cols];
            for (int i = 0; i < w.length; i++) w[i] = (float) (r.nextGaussian() * 0.02);
            byte[] rows16 = Quantizers.quantizeRows(t, w, 16, cols);
            try (Arena arena = Arena.ofShared()) {
                MemorySegment seg = arena.allocate(rowBytes * rows, 64);
                for (int o = 0; o < rows; o++) {
                    MemorySegment.copy(MemorySegment.ofArray(rows16), (o % 16) * rowBytes, seg, o * rowBytes, rowBytes);
                }
                QuantFormat f = QuantFormats.of(t);
                float[] x = new float[cols * tokens];
                for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
                QuantizedActivations a = new QuantizedActivations(f.activationType(), cols * tokens);
                for (int k = 0; k < tokens; k++) a.quantize(x, k * cols, k * cols, cols);
                float[] y = new float[rows * tokens];
                int reps = Math.max(1, 10 / tokens);
                double best = 0;
                for (int round = 0; round < 30; round++) {
                    long t0 = mx.getCurrentThreadCpuTime();
                    for (int rep = 0; rep < reps; rep++) pass(f, intDot, seg, rowBytes, rows, cols, tokens, a, x, y);
                    long dt = mx.getCurrentThreadCpuTime() - t0;
                    if (round >= 10) best = Math.max(best, (double) seg.byteSize() * reps * tokens / dt);
                }
                System.out.printf("%-6s %-5s %2d token(s) %6.2f GB/s per CPU-second (matrix %.2f MB)%n", t,
                        intDot ? "int" : "float", tokens, best, seg.byteSize() / 1e6);
            }
        }
    }
}
