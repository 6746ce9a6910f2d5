package org.moe4j.tensor.quant;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.moe4j.tensor.LaneSum;
import org.moe4j.tensor.VectorOps;

/**
 * Vector shapes and small building blocks shared by the kernels.
 *
 * <p>Integer dot products work on chunks of 16 elements: 16 bytes widened to 16 shorts (256 bits), where
 * weight times int8 activation always fits; neighbouring products are then added into 8 int lanes by
 * shifts on the same register ({@link #pairSum}), which costs no cross-lane shuffle, the scarce resource.
 * Partial sums stay in lanes; a row is reduced once at the end. 256-bit shapes run natively on AVX2 and
 * AVX-512 alike.
 *
 * <p>Float paths (dequantize, float dot) work on chunks of {@link #L} elements, one float vector of the
 * preferred width (16 lanes with AVX-512, 8 with AVX2), read from {@code L} bytes.
 *
 * <p>Kernels keep their loop bodies small and call only tiny helpers: the JIT stops inlining when a
 * method's graph grows too big, and a vector that is not inlined gets boxed, which is slower than scalar
 * code. {@code -Dmoe4j.vector.bits=256} forces the AVX2 shapes (to test them on a wider machine); below
 * 256 bits the vector kernels are not used ({@link #USABLE}).
 */
final class Simd {
    static final boolean USABLE;
    /** Elements per float-path chunk. */
    static final int L;
    static final VectorSpecies<Byte> B;
    static final VectorSpecies<Float> F;
    static final VectorSpecies<Short> SL;
    static final VectorSpecies<Integer> IL;

    static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    static final VectorSpecies<Short> S16 = ShortVector.SPECIES_256;
    static final VectorSpecies<Integer> I8 = IntVector.SPECIES_256;
    static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;

    private static final LaneSum SUM_8 = LaneSum.of(F8);
    private static final LaneSum SUM_L;

    static {
        int preferred = IntVector.SPECIES_PREFERRED.vectorBitSize();
        int bits = Math.min(Math.min(512, preferred), Integer.getInteger("moe4j.vector.bits", preferred));
        USABLE = bits >= 256;
        L = USABLE ? bits / 32 : 8;
        B = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));
        F = VectorSpecies.of(float.class, VectorShape.forBitSize(L * 32));
        SL = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
        IL = VectorSpecies.of(int.class, VectorShape.forBitSize(L * 32));
        SUM_L = LaneSum.of(F);
    }

    private Simd() {
    }

    // ---- integer path: 16 elements ----

    /** 16 signed bytes of weights, widened. */
    static ShortVector signed16(MemorySegment s, long off) {
        return (ShortVector) ByteVector.fromMemorySegment(B16, s, off, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2S, S16, 0);
    }

    /** 16 bytes of packed weights, zero-extended (so nibbles can be split with plain shifts and masks). */
    static ShortVector unsigned16(MemorySegment s, long off) {
        return (ShortVector) ByteVector.fromMemorySegment(B16, s, off, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
    }

    /** 16 activations, already widened by the encoder ({@link QuantizedActivations#wide}). */
    static ShortVector act16(short[] wide, int off) {
        return ShortVector.fromArray(S16, wide, off);
    }

    static ShortVector widen(ByteVector v) {
        return (ShortVector) v.convertShape(VectorOperators.B2S, S16, 0);
    }

    static ByteVector bytes16(MemorySegment s, long off) {
        return ByteVector.fromMemorySegment(B16, s, off, ByteOrder.LITTLE_ENDIAN);
    }

    /** The high nibble of each byte: a 16-bit shift moves a neighbour's bits in, the mask drops them. */
    static ByteVector highNibbles(ByteVector v) {
        return v.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F);
    }

    /** Sums of neighbouring short lanes as 8 ints: sign-extend the low half of each int, add the high half. */
    static IntVector pairSum(ShortVector p) {
        IntVector v = p.reinterpretAsInts();
        return v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                .add(v.lanewise(VectorOperators.ASHR, 16));
    }

    /**
     * {@code sum_g bsums[g] * min[g / 2]} over 16 groups, the K-quant min term: neighbouring group sums
     * added by {@link #pairSum}, times the 8 mins (bytes of {@code minsLo}, {@code minsHi}).
     */
    static int minTerm(short[] bsums, int g0, int minsLo, int minsHi) {
        IntVector pairs = pairSum(ShortVector.fromArray(S16, bsums, g0));
        long mins = (minsLo & 0xffffffffL) | ((long) minsHi << 32);
        // 128 bits, not 64: one-lane long vectors have no machine form and fall back to Java code
        IntVector m = (IntVector) LongVector.zero(LongVector.SPECIES_128).withLane(0, mins).reinterpretAsBytes()
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, I8, 0);
        return pairs.mul(m).reduceLanes(VectorOperators.ADD);
    }

    /** {@code sum_g bsums[g] * min[g]} over 16 groups with one min per group (bytes of {@code mins0}, {@code mins1}). */
    static int minTerm16(short[] bsums, int g0, long mins0, long mins1) {
        ShortVector m = (ShortVector) LongVector.zero(LongVector.SPECIES_128).withLane(0, mins0).withLane(1, mins1)
                .reinterpretAsBytes().convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
        return pairSum(ShortVector.fromArray(S16, bsums, g0).mul(m)).reduceLanes(VectorOperators.ADD);
    }

    static FloatVector toFloat8(IntVector v) {
        return (FloatVector) v.convert(VectorOperators.I2F, 0);
    }

    static FloatVector zero8() {
        return FloatVector.zero(F8);
    }

    /** Lane sum of an {@link #F8} accumulator, in the fixed order of {@link VectorOps#sum}. */
    static float sum8(FloatVector v) {
        return SUM_8.sum(v);
    }

    /** Lane sum of an {@link #F} accumulator (its own method: see {@link VectorOps#sum} on shapes). */
    static float sum(FloatVector v) {
        return SUM_L.sum(v);
    }

    // ---- float path: L elements ----

    static ByteVector load(MemorySegment s, long off) {
        return ByteVector.fromMemorySegment(B, s, off, ByteOrder.LITTLE_ENDIAN);
    }

    static FloatVector toFloat(ByteVector v) {
        return (FloatVector) v.convertShape(VectorOperators.B2F, F, 0);
    }

    static FloatVector zero() {
        return FloatVector.zero(F);
    }

    static FloatVector broadcast(float v) {
        return FloatVector.broadcast(F, v);
    }

    /**
     * L IEEE halves widened exactly: the exponent and mantissa bits placed as a float and scaled by
     * 2^112 re-bias normals and normalise subnormals in one multiply; Inf/NaN are patched in, the sign ORed.
     * Bit-identical to {@link Float#float16ToFloat} for all 65536 patterns.
     */
    static FloatVector halves(MemorySegment s, long off) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(SL, s, off, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.ZERO_EXTEND_S2I, IL, 0);
        IntVector em = h.and(0x7fff);
        IntVector shifted = em.lanewise(VectorOperators.LSHL, 13);
        IntVector bits = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts()
                .blend(shifted.or(0x7f800000), em.compare(VectorOperators.GE, 0x7c00))
                .blend(shifted.or(0x7fc00000), em.compare(VectorOperators.GT, 0x7c00)); // NaN made quiet, as F16C does
        return bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }

    /** L bfloat16 values widened (they are the top halves of floats). */
    static FloatVector bfloat16s(MemorySegment s, long off) {
        return ((IntVector) ShortVector.fromMemorySegment(SL, s, off, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.ZERO_EXTEND_S2I, IL, 0))
                .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /** High nibbles of an L-byte vector (see {@link #highNibbles}). */
    static ByteVector highNibblesL(ByteVector v) {
        return v.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F);
    }

    /**
     * Bytes shifted right by {@code k} through 16-bit lanes (x86 has no byte shifts). Each byte's top
     * {@code k} bits receive its neighbour's low bits: the caller masks them away.
     */
    static ByteVector shr(ByteVector v, int k) {
        return v.reinterpretAsShorts().lanewise(VectorOperators.LSHR, k).reinterpretAsBytes();
    }

    /** Bytes shifted left by {@code k} through 16-bit lanes; each byte's low {@code k} bits are polluted. */
    static ByteVector shl(ByteVector v, int k) {
        return v.reinterpretAsShorts().lanewise(VectorOperators.LSHL, k).reinterpretAsBytes();
    }

    /** {@code table[idx[i]]} for 4-bit indexes; {@code lo}/{@code hi} from {@link #table16}. */
    static ByteVector lookup16(ByteVector idx, ByteVector lo, ByteVector hi) {
        return L >= 16 ? idx.selectFrom(lo) : idx.selectFrom(lo, hi);
    }

    /** A 16-entry table as the two L-byte halves {@link #lookup16} wants (the same 16 entries twice when L = 16). */
    static ByteVector[] table16(byte[] t) {
        byte[] padded = new byte[2 * L];
        for (int i = 0; i < padded.length; i++) padded[i] = t[i % 16];
        return new ByteVector[]{ByteVector.fromArray(B, padded, 0), ByteVector.fromArray(B, padded, L)};
    }
}
