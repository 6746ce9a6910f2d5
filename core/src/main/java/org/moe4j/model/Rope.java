package org.moe4j.model;

/**
 * Rotary position embedding, computed as the reference does (angles accumulated in float, YaRN
 * interpolation per dimension pair). Two pairings exist: {@link Style#NORM} rotates adjacent pairs
 * {@code (x[2i], x[2i+1])}, {@link Style#NEOX} rotates {@code (x[i], x[i + nRot/2])}. Only the first
 * {@code nRot} dimensions of a head rotate.
 */
public final class Rope {
    public enum Style { NORM, NEOX }

    private final Style style;
    private final int nRot;
    private final float thetaScale;
    private final float freqScale;
    private final float extFactor;
    private final float mscale;
    private final float corrLow;
    private final float corrHigh;
    private final float[] freqFactors;

    /**
     * @param freqScale   1 / scaling factor (1 without scaling)
     * @param extFactor   YaRN extrapolation mix (1 for YaRN, 0 otherwise)
     * @param attnFactor  base multiplier of cos and sin (YaRN multiplies it by 1 + 0.1 ln(1/freqScale))
     * @param origContext original training context, for YaRN's correction dimensions
     */
    public Rope(Style style, int nRot, float base, float freqScale, float extFactor, float attnFactor, int origContext) {
        this(style, nRot, base, freqScale, extFactor, attnFactor, origContext, 32f, 1f, null);
    }

    /** @param freqFactors per-pair divisors of the base angle (llama 3's {@code rope_freqs}), or null */
    public Rope(Style style, int nRot, float base, float freqScale, float extFactor, float attnFactor, int origContext,
                float betaFast, float betaSlow, float[] freqFactors) {
        if (freqFactors != null && freqFactors.length < nRot / 2) {
            throw new IllegalArgumentException("rope_freqs has " + freqFactors.length + " entries, needs " + nRot / 2);
        }
        this.freqFactors = freqFactors;
        if (nRot <= 0 || nRot % 2 != 0) {
            throw new IllegalArgumentException("rope dimension count must be positive and even, is " + nRot);
        }
        this.style = style;
        this.nRot = nRot;
        this.thetaScale = (float) Math.pow(base, -2.0f / nRot);
        this.freqScale = freqScale;
        this.extFactor = extFactor;
        this.mscale = extFactor != 0f ? attnFactor * (1f + 0.1f * (float) Math.log(1f / freqScale)) : attnFactor;
        float low = (float) Math.floor(corrDim(nRot, origContext, betaFast, base));
        float high = (float) Math.ceil(corrDim(nRot, origContext, betaSlow, base));
        this.corrLow = Math.max(0, low);
        this.corrHigh = Math.min(nRot - 1, high);
    }

    private static float corrDim(int nDims, int nCtxOrig, float nRotations, float base) {
        return nDims * (float) Math.log(nCtxOrig / (nRotations * 2 * (float) Math.PI)) / (2 * (float) Math.log(base));
    }

    public int dimensions() {
        return nRot;
    }

    private float[] cosCache = new float[0];
    private float[] sinCache = new float[0];

    /** Computes the rotation factors of every token of a batch once, for all layers that share this rope. */
    public void prepare(Batch batch) {
        int half = nRot / 2;
        int need = batch.size() * half;
        if (cosCache.length < need) {
            cosCache = new float[need];
            sinCache = new float[need];
        }
        for (int t = 0; t < batch.size(); t++) {
            factors(batch.position(t), cosCache, sinCache, t * half);
        }
    }

    /** Rotates the heads of batch token {@code t} with the factors {@link #prepare(Batch)} computed. */
    public void rotate(float[] x, int off, int heads, int headDim, int t) {
        rotate(x, off, heads, headDim, cosCache, sinCache, t * (nRot / 2));
    }

    /** Fills {@code cos[off ..]} and {@code sin[off ..]} with the {@code nRot/2} rotation factors of a position. */
    public void factors(int pos, float[] cos, float[] sin, int off) {
        float theta = pos;
        for (int i = 0; i < nRot / 2; i++) {
            float thetaExtrap = freqFactors == null ? theta : theta / freqFactors[i];
            float thetaInterp = freqScale * thetaExtrap;
            float t = thetaInterp;
            if (extFactor != 0f) {
                float y = (i - corrLow) / Math.max(0.001f, corrHigh - corrLow);
                float rampMix = (1 - Math.min(1, Math.max(0, y))) * extFactor;
                t = thetaInterp * (1 - rampMix) + thetaExtrap * rampMix;
            }
            cos[off + i] = (float) Math.cos(t) * mscale;
            sin[off + i] = (float) Math.sin(t) * mscale;
            theta *= thetaScale;
        }
    }

    /** Rotates {@code heads} vectors of {@code headDim} floats starting at {@code x[off]}. */
    public void rotate(float[] x, int off, int heads, int headDim, float[] cos, float[] sin, int cOff) {
        int half = nRot / 2;
        for (int h = 0; h < heads; h++) {
            int base = off + h * headDim;
            for (int i = 0; i < half; i++) {
                int a = style == Style.NORM ? base + 2 * i : base + i;
                int b = style == Style.NORM ? a + 1 : a + half;
                float c = cos[cOff + i];
                float s = sin[cOff + i];
                float x0 = x[a];
                float x1 = x[b];
                x[a] = x0 * c - x1 * s;
                x[b] = x0 * s + x1 * c;
            }
        }
    }
}
