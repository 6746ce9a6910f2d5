package org.moe4j.tensor.quant;

import static org.moe4j.tensor.quant.Simd.L;

import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import org.moe4j.tensor.quant.reference.ActivationReference;

/**
 * Encodes float activations into {@link QuantizedActivations}, bit-for-bit as the reference engine
 * does before its quantized matrix products (round half to even everywhere); the rules are spelled out
 * in {@link ActivationReference}, the scalar twin this must always match (NaN payloads aside).
 *
 * <p>Rounding to the nearest integer uses the reference's own trick: adding and subtracting 1.5 * 2^23
 * rounds any float of magnitude below 2^22 half-to-even in the float unit.
 */
public final class ActivationQuantizer {
    private static final float MAGIC = 12582912f;

    private ActivationQuantizer() {
    }

    public static void quantize(ActivationType type, float[] x, int xOff, QuantizedActivations a, int off, int n) {
        if (n % type.blockSize != 0 || off % type.blockSize != 0) {
            throw new IllegalArgumentException(type + ": " + n + " elements at " + off + " do not fill whole blocks");
        }
        if (!Simd.USABLE) {
            ActivationReference.quantize(type, x, xOff, a, off, n);
            return;
        }
        switch (type) {
            case F32 -> System.arraycopy(x, xOff, a.f, off, n);
            case F16 -> {
                // C2 turns this loop into vcvtps2ph/vcvtph2ps vectors (F16C), several times faster than
                // any rounding emulated with Vector API integer operations
                for (int i = 0; i < n; i++) a.f[off + i] = Float.float16ToFloat(Float.floatToFloat16(x[xOff + i]));
            }
            case BF16 -> toBf16(x, xOff, a.f, off, n);
            case Q8_0, Q8_1 -> quantizeQ8(type == ActivationType.Q8_1, x, xOff, a, off, n);
            case Q8_K -> quantizeQ8K(x, xOff, a, off, n);
        }
    }

    private static FloatVector rint(FloatVector v) {
        return v.add(MAGIC).sub(MAGIC);
    }

    /** Round to nearest even at bit 16; NaN keeps its top bits and is made quiet. */
    private static void toBf16(float[] x, int xOff, float[] out, int off, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            IntVector bits = FloatVector.fromArray(Simd.F, x, xOff + i).reinterpretAsInts();
            IntVector rounded = bits.add(bits.lanewise(VectorOperators.LSHR, 16).and(1).add(0x7fff)).and(0xffff0000);
            VectorMask<Integer> nan = bits.and(0x7fffffff).compare(VectorOperators.GT, 0x7f800000);
            rounded.blend(bits.and(0xffff0000).or(0x00400000), nan).reinterpretAsFloats().intoArray(out, off + i);
        }
        for (; i < n; i++) out[off + i] = Half.bf16ToFloat(Half.floatToBf16(x[xOff + i]));
    }

    private static void quantizeQ8(boolean withSum, float[] x, int xOff, QuantizedActivations a, int off, int n) {
        for (int b = 0; b < n; b += 32) {
            FloatVector amaxV = FloatVector.fromArray(Simd.F, x, xOff + b).abs();
            for (int c = L; c < 32; c += L) amaxV = amaxV.max(FloatVector.fromArray(Simd.F, x, xOff + b + c).abs());
            float amax = amaxV.reduceLanes(VectorOperators.MAX);
            float d = amax / 127f;
            float id = amax != 0 ? 127f / amax : 0f;
            FloatVector sum = Simd.zero();
            for (int c = 0; c < 32; c += L) {
                FloatVector q = rint(FloatVector.fromArray(Simd.F, x, xOff + b + c).mul(id));
                ((ByteVector) q.convertShape(VectorOperators.F2B, Simd.B, 0)).intoArray(a.qs, off + b + c);
                ((ShortVector) q.convertShape(VectorOperators.F2S, Simd.SL, 0)).intoArray(a.wide, off + b + c);
                q.intoArray(a.qf, off + b + c);
                sum = sum.add(q);
            }
            int blk = (off + b) >> 5;
            a.d[blk] = Half.roundToHalf(d);
            if (withSum) a.s[blk] = Half.roundToHalf(d * (int) sum.reduceLanes(VectorOperators.ADD));
        }
    }

    private static void quantizeQ8K(float[] x, int xOff, QuantizedActivations a, int off, int n) {
        for (int b = 0; b < n; b += 256) {
            FloatVector amaxV = Simd.zero();
            for (int c = 0; c < 256; c += L) amaxV = amaxV.max(FloatVector.fromArray(Simd.F, x, xOff + b + c).abs());
            float amax = amaxV.reduceLanes(VectorOperators.MAX);
            int blk = (off + b) >> 8;
            if (amax == 0) {
                a.d[blk] = 0;
                Arrays.fill(a.qs, off + b, off + b + 256, (byte) 0);
                Arrays.fill(a.wide, off + b, off + b + 256, (short) 0);
                Arrays.fill(a.qf, off + b, off + b + 256, 0f);
                Arrays.fill(a.bsums, (off + b) >> 4, ((off + b) >> 4) + 16, (short) 0);
                continue;
            }
            float max = 0;
            for (int c = 0; c < 256; c += L) {
                FloatVector v = FloatVector.fromArray(Simd.F, x, xOff + b + c);
                VectorMask<Float> hit = v.abs().compare(VectorOperators.EQ, amax);
                if (hit.anyTrue()) {
                    max = x[xOff + b + c + hit.firstTrue()];
                    break;
                }
            }
            float iscale = -127f / max;
            int g0 = (off + b) >> 4;
            FloatVector group = Simd.zero();
            for (int c = 0; c < 256; c += L) {
                FloatVector q = rint(FloatVector.fromArray(Simd.F, x, xOff + b + c).mul(iscale)).min(127f);
                ((ByteVector) q.convertShape(VectorOperators.F2B, Simd.B, 0)).intoArray(a.qs, off + b + c);
                ((ShortVector) q.convertShape(VectorOperators.F2S, Simd.SL, 0)).intoArray(a.wide, off + b + c);
                q.intoArray(a.qf, off + b + c);
                group = group.add(q);
                if (((c + L) & 15) == 0) {
                    a.bsums[g0 + (c >> 4)] = (short) group.reduceLanes(VectorOperators.ADD);
                    group = Simd.zero();
                }
            }
            a.d[blk] = 1 / iscale;
        }
    }
}
