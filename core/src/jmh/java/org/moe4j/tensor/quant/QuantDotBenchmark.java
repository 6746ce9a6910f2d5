package org.moe4j.tensor.quant;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.moe4j.tensor.GGMLType;
import org.moe4j.tensor.quant.reference.ReferenceFormats;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One matrix-vector product over a 1024 x 4096 weight matrix (well beyond L2) per invocation: the
 * integer dot ({@code path=int}, the NATIVE fast path) or the float dot ({@code path=float}), for each type.
 * Weight GB/s = matrix bytes / time per op (see core/JMH-RESULTS.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class QuantDotBenchmark {
    static final int ROWS = 1024, COLS = 4096;

    @Param({"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "IQ4_NL", "MXFP4", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "F16", "BF16", "F32"})
    public String type;

    @Param({"int"})
    public String path;

    /** {@code vector} (what QuantFormats returns) or {@code reference} (the scalar twin). */
    @Param({"vector"})
    public String impl;

    private Arena arena;
    private MemorySegment weights;
    private long rowBytes;
    private QuantFormat format;
    private float[] x, y;
    private QuantizedActivations a;

    @Setup(Level.Trial)
    public void setUp() {
        GGMLType t = GGMLType.valueOf(type);
        format = impl.equals("vector") ? QuantFormats.of(t) : ReferenceFormats.of(t);
        rowBytes = t.bytesFor(COLS);
        Random r = new Random(42);
        // 16 distinct quantized rows, repeated: realistic block contents without quantizing 4M values
        float[] w = new float[16 * COLS];
        for (int i = 0; i < w.length; i++) w[i] = (float) (r.nextGaussian() * 0.02);
        byte[] rows16 = Quantizers.quantizeRows(t, w, 16, COLS);
        arena = Arena.ofShared();
        weights = arena.allocate(rowBytes * ROWS, 64);
        for (int o = 0; o < ROWS; o++) {
            MemorySegment.copy(MemorySegment.ofArray(rows16), (o % 16) * rowBytes, weights, o * rowBytes, rowBytes);
        }
        x = new float[COLS];
        for (int i = 0; i < COLS; i++) x[i] = (float) r.nextGaussian();
        y = new float[ROWS];
        a = new QuantizedActivations(format.activationType(), COLS);
        a.quantize(x, 0, 0, COLS);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public float[] matvec() {
        if (path.equals("int")) {
            for (int o = 0; o < ROWS; o++) y[o] = format.dot(weights, o * rowBytes, a, 0, COLS);
        } else {
            for (int o = 0; o < ROWS; o++) y[o] = format.dot(weights, o * rowBytes, x, 0, COLS);
        }
        return y;
    }
}
