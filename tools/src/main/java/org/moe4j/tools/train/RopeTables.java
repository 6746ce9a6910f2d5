package org.moe4j.tools.train;

import org.moe4j.model.Rope;

/**
 * NEOX rotary embedding for positions {@code 0 .. context-1}, with the factors computed by moe4j's own
 * {@link Rope} (so training rotates exactly as inference does). The backward pass rotates by the opposite
 * angle, the transpose of a rotation.
 */
final class RopeTables {
    private final Rope rope;
    private final int half;
    private final float[] cos;
    private final float[] sin;
    private final float[] negSin;

    RopeTables(ModelShape s) {
        this.rope = new Rope(Rope.Style.NEOX, s.headDim(), s.ropeBase(), 1f, 0f, 1f, s.context());
        this.half = s.headDim() / 2;
        cos = new float[s.context() * half];
        sin = new float[s.context() * half];
        negSin = new float[s.context() * half];
        for (int p = 0; p < s.context(); p++) rope.factors(p, cos, sin, p * half);
        for (int i = 0; i < sin.length; i++) negSin[i] = -sin[i];
    }

    void rotate(float[] x, int off, int heads, int headDim, int pos) {
        rope.rotate(x, off, heads, headDim, cos, sin, pos * half);
    }

    void rotateBack(float[] x, int off, int heads, int headDim, int pos) {
        rope.rotate(x, off, heads, headDim, cos, negSin, pos * half);
    }
}
