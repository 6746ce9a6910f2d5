package org.moe4j.tensor.quant;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.moe4j.gguf.GGUFFile;
import org.moe4j.gguf.GGUFReader;
import org.moe4j.gguf.GGUFTensorInfo;
import org.moe4j.tensor.GGMLType;
import org.moe4j.testing.SharedData;

/** Quantize, dequantize: error bounds per type, agreement with the reference quantizer's files, dots on the result. */
class QuantizerTest {
    /** Relative RMS error bounds on Gaussian rows (measured, with margin). */
    static final Map<GGMLType, Double> GAUSSIAN_BOUND = new EnumMap<>(Map.ofEntries(
            Map.entry(GGMLType.F32, 0.0), Map.entry(GGMLType.F16, 0.0004), Map.entry(GGMLType.BF16, 0.003),
            Map.entry(GGMLType.Q8_0, 0.008), Map.entry(GGMLType.Q6_K, 0.025), Map.entry(GGMLType.Q5_K, 0.045),
            Map.entry(GGMLType.Q5_0, 0.055), Map.entry(GGMLType.Q5_1, 0.05), Map.entry(GGMLType.Q4_K, 0.09),
            Map.entry(GGMLType.IQ4_NL, 0.10), Map.entry(GGMLType.Q4_0, 0.11), Map.entry(GGMLType.Q4_1, 0.10),
            Map.entry(GGMLType.MXFP4, 0.15), Map.entry(GGMLType.Q3_K, 0.19), Map.entry(GGMLType.Q2_K, 0.38)));

    static GGMLType[] types() {
        return GAUSSIAN_BOUND.keySet().toArray(GGMLType[]::new);
    }

    static double relRms(float[] got, float[] want) {
        double err = 0, norm = 0;
        for (int i = 0; i < got.length; i++) {
            err += (got[i] - want[i]) * (double) (got[i] - want[i]);
            norm += want[i] * (double) want[i];
        }
        return norm == 0 ? Math.sqrt(err) : Math.sqrt(err / norm);
    }

    static float[] roundTrip(GGMLType t, float[] x) {
        byte[] q = Quantizers.of(t).quantize(x);
        float[] back = new float[x.length];
        QuantFormats.of(t).dequantize(MemorySegment.ofArray(q), 0, back, 0, x.length);
        return back;
    }

    @ParameterizedTest
    @MethodSource("types")
    void gaussianRoundTripWithinBound(GGMLType t) {
        Random r = new Random(t.ordinal());
        float[] x = RandomBlocks.gaussian(r, 64 * 1024, 0.02);
        double rel = relRms(roundTrip(t, x), x);
        System.out.printf("%s gaussian round trip: %.4f%n", t, rel);
        assertThat(rel).isLessThanOrEqualTo(GAUSSIAN_BOUND.get(t));
    }

    @ParameterizedTest
    @MethodSource("types")
    void awkwardRowsStayBounded(GGMLType t) {
        Random r = new Random(7);
        int n = 4096;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            int region = i / 512;
            x[i] = switch (region) {
                case 0 -> 0f;                                                   // all zero
                case 1 -> 0.25f;                                                // constant
                case 2 -> (float) Math.abs(r.nextGaussian());                   // all positive
                case 3 -> -(float) Math.abs(r.nextGaussian()) * 1e-3f;          // all negative, small
                case 4 -> (float) (r.nextGaussian() * (r.nextInt(64) == 0 ? 50 : 1)); // outliers
                case 5 -> (float) (r.nextGaussian() * 1e-3);                    // small (F16 block scales near their subnormal range)
                case 6 -> (float) (r.nextGaussian() * 1e3);                     // large
                default -> i % 32 == 0 ? 1f : 0f;                               // sparse spikes
            };
        }
        float[] back = roundTrip(t, x);
        for (int i = 0; i < n; i++) assertThat(Float.isFinite(back[i])).as("%s element %d", t, i).isTrue();
        for (int reg = 0; reg < 8; reg++) {
            float[] xs = java.util.Arrays.copyOfRange(x, reg * 512, reg * 512 + 512);
            float[] bs = java.util.Arrays.copyOfRange(back, reg * 512, reg * 512 + 512);
            double rel = relRms(bs, xs);
            // zero stays zero; anything else within a few times the Gaussian bound (spikes and outliers are harder)
            assertThat(rel).as("%s region %d", t, reg).isLessThanOrEqualTo(reg == 0 ? 0 : 4 * GAUSSIAN_BOUND.get(t) + 1e-6);
        }
    }

    /** Integer and float dots over our own blocks agree within the 8-bit activation rounding. */
    @ParameterizedTest
    @MethodSource("types")
    void integerDotAgreesWithFloatDot(GGMLType t) {
        Random r = new Random(3);
        int cols = 4096;
        float[] w = RandomBlocks.gaussian(r, 8 * cols, 0.05);
        MemorySegment q = MemorySegment.ofArray(Quantizers.quantizeRows(t, w, 8, cols));
        QuantFormat f = QuantFormats.of(t);
        float[] x = RandomBlocks.gaussian(r, cols, 1);
        QuantizedActivations a = new QuantizedActivations(f.activationType(), cols);
        a.quantize(x, 0, 0, cols);
        float[] row = new float[cols];
        for (int o = 0; o < 8; o++) {
            long off = o * t.bytesFor(cols);
            f.dequantize(q, off, row, 0, cols);
            double mag = 0;
            for (int i = 0; i < cols; i++) mag += Math.abs(row[i] * x[i]);
            float fd = f.dot(q, off, x, 0, cols), id = f.dot(q, off, a, 0, cols);
            double tol = switch (f.activationType()) {
                case F32 -> 1e-6;
                case F16 -> 1e-3;
                case BF16 -> 8e-3;
                default -> 2e-2;
            };
            assertThat((double) Math.abs(fd - id)).as("%s row %d: float %s integer %s", t, o, fd, id).isLessThanOrEqualTo(tol * mag);
        }
    }

    /**
     * Against the reference's own files: quantizing the F32 base tensor must come out about as close
     * to it as the reference's quantization of that tensor (which the quantized file holds).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"llama-moe.Q2_K, llama-moe", "llama-moe.Q3_K_M, llama-moe", "llama-moe.Q4_K_M, llama-moe",
            "llama-moe.Q5_K_M, llama-moe", "llama-moe.Q6_K, llama-moe", "qwen3moe.F16, qwen3moe",
            "qwen3moe.BF16, qwen3moe", "qwen3moe.Q8_0, qwen3moe", "qwen3moe.Q4_0, qwen3moe", "qwen3moe.Q4_1, qwen3moe",
            "qwen3moe.Q5_0, qwen3moe", "qwen3moe.Q5_1, qwen3moe", "qwen3moe.IQ4_NL, qwen3moe",
            "qwen3moe.MXFP4_MOE, qwen3moe"})
    void asGoodAsTheReferenceQuantizer(String quantCase, String baseCase) {
        Path models = SharedData.models();
        Map<GGMLType, double[]> sums = new TreeMap<>(); // mine, reference, identical bytes, bytes
        try (GGUFFile q = GGUFReader.open(models.resolve(quantCase + ".gguf"));
             GGUFFile b = GGUFReader.open(models.resolve(baseCase + ".gguf"))) {
            for (GGUFTensorInfo t : q.tensors()) {
                if (t.type() == GGMLType.F32 || !Quantizers.isSupported(t.type())) continue;
                GGUFTensorInfo bt = b.tensorInfo(t.name()).orElseThrow();
                int n = Math.toIntExact(t.elementCount());
                float[] base = new float[n], theirs = new float[n];
                QuantFormats.of(bt.type()).dequantize(b.tensorData(bt), 0, base, 0, n);
                MemorySegment data = q.tensorData(t);
                QuantFormats.of(t.type()).dequantize(data, 0, theirs, 0, n);
                int cols = Math.toIntExact(t.dims()[0]);
                byte[] mineBytes = Quantizers.quantizeRows(t.type(), base, n / cols, cols);
                float[] mine = new float[n];
                QuantFormats.of(t.type()).dequantize(MemorySegment.ofArray(mineBytes), 0, mine, 0, n);
                double me = relRms(mine, base), ref = relRms(theirs, base);
                assertThat(me).as("%s %s: ours %.5f vs reference %.5f", t.name(), t.type(), me, ref)
                        .isLessThanOrEqualTo(ref * 1.02 + 1e-6);
                byte[] theirBytes = data.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                int same = 0;
                for (int i = 0; i < theirBytes.length; i++) if (theirBytes[i] == mineBytes[i]) same++;
                double[] s = sums.computeIfAbsent(t.type(), k -> new double[4]);
                s[0] += me;
                s[1] += ref;
                s[2] += same;
                s[3] += theirBytes.length;
            }
        }
        // same searches as the reference: its bytes come out (so far exactly) again; MXFP4 also tries a larger exponent
        sums.forEach((k, s) -> {
            if (k != GGMLType.MXFP4) assertThat(s[2] / s[3]).as("%s identical bytes", k).isGreaterThanOrEqualTo(0.99);
        });
        StringBuilder sb = new StringBuilder(quantCase + ":");
        sums.forEach((k, s) -> sb.append(String.format(" %s ours/ref error %.4f, %.1f%% identical bytes;", k, s[0] / s[1],
                100 * s[2] / s[3])));
        System.out.println(sb);
    }

    @Test
    void rowsAreIndependent() {
        Random r = new Random(5);
        int cols = 512;
        float[] x = RandomBlocks.gaussian(r, 3 * cols, 1);
        for (GGMLType t : types()) {
            byte[] all = Quantizers.quantizeRows(t, x, 3, cols);
            byte[] second = Quantizers.of(t).quantize(java.util.Arrays.copyOfRange(x, cols, 2 * cols));
            int rb = Math.toIntExact(t.bytesFor(cols));
            assertThat(java.util.Arrays.copyOfRange(all, rb, 2 * rb)).as(t.toString()).containsExactly(second);
        }
    }
}
