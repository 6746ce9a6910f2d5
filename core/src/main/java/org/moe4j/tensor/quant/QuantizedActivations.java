package org.moe4j.tensor.quant;

/**
 * Activation rows encoded for the integer dot products of {@link QuantFormat}: a reusable buffer (no
 * allocation per token) that holds up to {@code capacity} elements, i.e. several rows of {@code cols}
 * elements each, row {@code r} starting at element {@code r * cols}.
 *
 * <p>Layouts: {@code qs[i]} is the 8-bit value of element {@code i}; {@code d[b]} the scale of block
 * {@code b} (F16-rounded for Q8_0/Q8_1, F32 for Q8_K); {@code s[b]} the Q8_1 term {@code d * sum(q)}
 * (F16-rounded); {@code bsums[g]} the Q8_K sum of the 16 values of group {@code g}; {@code f[i]} the
 * rounded value for F16/BF16 (and the plain value for F32); {@code wide[i]} is {@code qs[i]} widened to
 * 16 bits, so the vector kernels, which multiply in 16-bit lanes, widen each activation once per row
 * instead of once per weight row; {@code qf[i]} is {@code qs[i]} as a float, for kernels that multiply in
 * float lanes (int8 x int8 products and their sums within a block are exact there). Both encoders fill
 * {@code qs}, {@code wide} and {@code qf} together.
 */
public final class QuantizedActivations {
    private ActivationType type;
    private int capacity;
    public byte[] qs = new byte[0];
    public short[] wide = new short[0];
    public float[] qf = new float[0];
    public float[] d = new float[0];
    public float[] s = new float[0];
    public short[] bsums = new short[0];
    public float[] f = new float[0];

    public QuantizedActivations() {
    }

    public QuantizedActivations(ActivationType type, int capacity) {
        ensure(type, capacity);
    }

    public ActivationType type() {
        return type;
    }

    /** Makes room for {@code capacity} elements of {@code type}; allocates only when growing. */
    public QuantizedActivations ensure(ActivationType type, int capacity) {
        this.type = type;
        if (capacity > this.capacity) {
            this.capacity = capacity;
            qs = new byte[capacity];
            wide = new short[capacity];
            qf = new float[capacity];
            d = new float[capacity / 32 + 1];
            s = new float[capacity / 32 + 1];
            bsums = new short[capacity / 16 + 1];
            f = new float[capacity];
        }
        return this;
    }

    /** Encodes {@code n} values {@code x[xOff ..]} into elements {@code [elementOffset, elementOffset + n)}. */
    public void quantize(float[] x, int xOff, int elementOffset, int n) {
        ActivationQuantizer.quantize(type, x, xOff, this, elementOffset, n);
    }
}
