package org.moe4j.tensor.quant;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.moe4j.tensor.quant.reference.ActivationReference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Encoding one 4096-wide activation row: the vector encoder against the scalar reference. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ActivationQuantizeBenchmark {
    @Param({"Q8_0", "Q8_1", "Q8_K", "F16", "BF16"})
    public String type;

    @Param({"vector", "reference"})
    public String impl;

    private float[] x;
    private QuantizedActivations a;
    private ActivationType t;

    @Setup
    public void setUp() {
        t = ActivationType.valueOf(type);
        Random r = new Random(1);
        x = new float[4096];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        a = new QuantizedActivations(t, x.length);
    }

    @Benchmark
    public QuantizedActivations encode() {
        if (impl.equals("vector")) ActivationQuantizer.quantize(t, x, 0, a, 0, x.length);
        else ActivationReference.quantize(t, x, 0, a, 0, x.length);
        return a;
    }
}
