package org.moe4j.tensor.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.moe4j.gguf.GGUFFile;
import org.moe4j.gguf.GGUFReader;
import org.moe4j.gguf.GGUFTensorInfo;
import org.moe4j.tensor.GGMLType;
import org.moe4j.tensor.quant.reference.ReferenceFormats;
import org.moe4j.testing.SharedData;

/**
 * Layouts against files written by the reference's quantizer: every quantized tensor, dequantized, must
 * be as close to the F32 original (same tensor name in the base file) as its type allows. A layout
 * mistake (nibble order, scale packing) shows as an error near or above 100%.
 */
class RealFileLayoutTest {
    /** Upper bounds of the relative RMS error per type: measured worst case over these files, with margin. */
    static final Map<GGMLType, Double> BOUND = new EnumMap<>(Map.ofEntries(
            // measured: F16 0.0002, BF16 0.0017, Q8_0 0.0054, Q6_K 0.018, Q5_K 0.036, Q5_1 0.038, Q5_0 0.043,
            // Q4_K 0.071, IQ4_NL 0.077, Q4_1 0.079, Q4_0 0.087, MXFP4 0.117, Q3_K 0.151, Q2_K 0.297
            Map.entry(GGMLType.F16, 0.0005), Map.entry(GGMLType.BF16, 0.003), Map.entry(GGMLType.Q8_0, 0.008),
            Map.entry(GGMLType.Q6_K, 0.025), Map.entry(GGMLType.Q5_K, 0.05), Map.entry(GGMLType.Q5_1, 0.055),
            Map.entry(GGMLType.Q5_0, 0.06), Map.entry(GGMLType.Q4_K, 0.10), Map.entry(GGMLType.IQ4_NL, 0.11),
            Map.entry(GGMLType.Q4_1, 0.11), Map.entry(GGMLType.Q4_0, 0.12), Map.entry(GGMLType.MXFP4, 0.16),
            Map.entry(GGMLType.Q3_K, 0.20), Map.entry(GGMLType.Q2_K, 0.40)));

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "llama-moe.Q2_K, llama-moe", "llama-moe.Q3_K_M, llama-moe", "llama-moe.Q4_K_M, llama-moe",
            "llama-moe.Q5_K_M, llama-moe", "llama-moe.Q6_K, llama-moe",
            "qwen3moe.F16, qwen3moe", "qwen3moe.BF16, qwen3moe", "qwen3moe.Q8_0, qwen3moe", "qwen3moe.Q4_0, qwen3moe",
            "qwen3moe.Q4_1, qwen3moe", "qwen3moe.Q5_0, qwen3moe", "qwen3moe.Q5_1, qwen3moe",
            "qwen3moe.IQ4_NL, qwen3moe", "qwen3moe.MXFP4_MOE, qwen3moe", "gpt-oss.MXFP4_MOE, gpt-oss"})
    void dequantizesCloseToTheBase(String quantCase, String baseCase) {
        Path models = SharedData.models();
        Path qPath = models.resolve(quantCase + ".gguf"), bPath = models.resolve(baseCase + ".gguf");
        assertThat(Files.isRegularFile(qPath)).as("missing " + qPath).isTrue();
        Map<GGMLType, double[]> worst = new TreeMap<>();
        Random r = new Random(1);
        try (GGUFFile q = GGUFReader.open(qPath); GGUFFile b = GGUFReader.open(bPath)) {
            int checked = 0;
            for (GGUFTensorInfo t : q.tensors()) {
                if (t.type() == GGMLType.F32) continue;
                GGUFTensorInfo bt = b.tensorInfo(t.name()).orElseThrow();
                assertThat(bt.dims()).as(t.name()).containsExactly(t.dims());
                int n = Math.toIntExact(t.elementCount());
                float[] got = new float[n], ref = new float[n], base = new float[n];
                MemorySegment data = q.tensorData(t);
                QuantFormats.of(t.type()).dequantize(data, 0, got, 0, n);
                ReferenceFormats.of(t.type()).dequantize(data, 0, ref, 0, n);
                for (int i = 0; i < n; i++) {
                    if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(ref[i])) {
                        fail("%s %s: vector %s vs reference %s at element %d", t.name(), t.type(), got[i], ref[i], i);
                    }
                }
                QuantFormats.of(bt.type()).dequantize(b.tensorData(bt), 0, base, 0, n);
                double err = 0, norm = 0;
                for (int i = 0; i < n; i++) {
                    err += (got[i] - base[i]) * (double) (got[i] - base[i]);
                    norm += base[i] * (double) base[i];
                }
                double rel = Math.sqrt(err / norm);
                worst.computeIfAbsent(t.type(), k -> new double[1])[0] = Math.max(worst.get(t.type())[0], rel);
                assertThat(rel).as("%s %s relative RMS error", t.name(), t.type()).isLessThan(BOUND.get(t.type()));
                checkDots(t, data, got, r);
                checked++;
            }
            assertThat(checked).isPositive();
        }
        StringBuilder sb = new StringBuilder(quantCase + " worst relative RMS:");
        worst.forEach((k, v) -> sb.append(String.format(" %s %.4f", k, v[0])));
        System.out.println(sb);
    }

    /** On a few real rows: the integer dot agrees with the float dot up to the activation rounding. */
    private static void checkDots(GGUFTensorInfo t, MemorySegment data, float[] deq, Random r) {
        int cols = Math.toIntExact(t.dims()[0]);
        long rows = t.elementCount() / cols;
        QuantFormat f = QuantFormats.of(t.type());
        long rowBytes = t.type().bytesFor(cols);
        float[] x = RandomBlocks.gaussian(r, cols, 1);
        QuantizedActivations a = new QuantizedActivations(f.activationType(), cols);
        a.quantize(x, 0, 0, cols);
        for (int k = 0; k < 4; k++) {
            long row = (long) (r.nextDouble() * rows);
            float fd = f.dot(data, row * rowBytes, x, 0, cols);
            float id = f.dot(data, row * rowBytes, a, 0, cols);
            double mag = 0, exact = 0;
            for (int i = 0; i < cols; i++) {
                mag += Math.abs((double) deq[(int) (row * cols) + i] * x[i]);
                exact += (double) deq[(int) (row * cols) + i] * x[i];
            }
            assertThat((double) Math.abs(fd - exact)).as("float dot of %s row %d", t.name(), row).isLessThan(1e-5 * mag);
            // 8-bit activations: each term off by at most half a step of its block scale
            assertThat((double) Math.abs(id - exact)).as("integer dot of %s row %d", t.name(), row).isLessThan(0.02 * mag);
        }
    }
}
