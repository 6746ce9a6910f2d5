package org.moe4j.tools.train;

/**
 * Everything the forward pass of one micro-batch keeps for its backward pass, plus the gradient buffers of
 * that micro-batch. One instance per micro-batch, reused every step, so a step allocates nothing.
 */
final class Activations {
    final int sequences;
    final int tokensPerSequence;
    final int n;
    final int[] tokens;
    final int[] targets;
    final Layer[] layers;
    final float[] xFinal;
    final float[] xnFinal;
    final float[] rFinal;
    final float[] logits;

    // backward scratch, shared by the layers
    final float[] dx;
    final float[] dxn;
    final float[] dq;
    final float[] dk;
    final float[] dv;
    final float[] datt;
    final float[] dScores;
    final float[] dz;
    final float[] transposed;
    final float[] dExpertIn;
    final float[] dExpertOut;
    final float[] dHidden;

    /** This micro-batch's parameter gradients, laid out like the parameters. */
    final float[] grad;

    double lossSum;
    int lossCount;
    /** Forward only: keep the raw logits instead of turning them into the loss (comparisons with inference). */
    boolean keepLogits;

    Activations(ModelShape s, int sequences, int tokensPerSequence, int paramCount) {
        this.sequences = sequences;
        this.tokensPerSequence = tokensPerSequence;
        this.n = sequences * tokensPerSequence;
        int d = s.dim();
        int t = tokensPerSequence;
        tokens = new int[n];
        targets = new int[n];
        layers = new Layer[s.layers()];
        for (int l = 0; l < layers.length; l++) layers[l] = new Layer(s, sequences, t);
        xFinal = new float[n * d];
        xnFinal = new float[n * d];
        rFinal = new float[n];
        logits = new float[n * s.vocab()];
        int pairs = n * s.topK();
        dx = new float[n * d];
        dxn = new float[n * d];
        dq = new float[n * s.qWidth()];
        dk = new float[n * s.kvWidth()];
        dv = new float[n * s.kvWidth()];
        datt = new float[n * s.qWidth()];
        dScores = new float[t * t];
        dz = new float[n * s.experts()];
        int maxMatrix = Math.max(Math.max(s.vocab(), t), Math.max(s.expertHidden(), Math.max(d, s.qWidth())));
        transposed = new float[Math.max(t * s.headDim(), maxMatrix * Math.max(d, s.expertHidden()))];
        dExpertIn = new float[pairs * d];
        dExpertOut = new float[pairs * d];
        dHidden = new float[pairs * s.expertHidden()];
        grad = new float[paramCount];
    }

    /** Floats a micro-batch of this size holds (activations, backward scratch, its gradient), to check memory first. */
    static long floats(ModelShape s, int sequences, int t, int paramCount) {
        long n = (long) sequences * t;
        long d = s.dim(), q = s.qWidth(), kv = s.kvWidth(), h = s.expertHidden(), k = s.topK(), e = s.experts();
        long perLayer = n * (4 * d + 2 * q + 3 * kv + s.heads() + s.kvHeads() + 2) + (long) sequences * s.heads() * t * t
                + n * k * (2 * d + 3 * h + 3) + n * (e + 1) + 2 * e;
        long scratch = n * (2 * d + 2 * q + 2 * kv + e) + (long) t * t + n * k * (2 * d + h)
                + Math.max((long) t * s.headDim(), (long) Math.max(Math.max(s.vocab(), t), Math.max(h, Math.max(d, q))) * Math.max(d, h));
        return s.layers() * perLayer + scratch + n * (2 * d + 1 + s.vocab()) + paramCount;
    }

    /** The forward values of one block. */
    static final class Layer {
        final float[] xIn;
        final float[] xn1;
        final float[] r1;
        final float[] qRaw;
        final float[] kRaw;
        final float[] rq;
        final float[] rk;
        final float[] q;
        final float[] k;
        final float[] v;
        final float[] probs;
        final float[] att;
        final float[] xMid;
        final float[] xn2;
        final float[] r2;
        final Routing routing;
        final float[] expertIn;
        final float[] gate;
        final float[] up;
        final float[] hidden;
        final float[] expertOut;

        Layer(ModelShape s, int sequences, int t) {
            int n = sequences * t;
            int d = s.dim();
            xIn = new float[n * d];
            xn1 = new float[n * d];
            r1 = new float[n];
            qRaw = new float[n * s.qWidth()];
            kRaw = new float[n * s.kvWidth()];
            rq = new float[n * s.heads()];
            rk = new float[n * s.kvHeads()];
            q = new float[n * s.qWidth()];
            k = new float[n * s.kvWidth()];
            v = new float[n * s.kvWidth()];
            probs = new float[sequences * s.heads() * t * t];
            att = new float[n * s.qWidth()];
            xMid = new float[n * d];
            xn2 = new float[n * d];
            r2 = new float[n];
            routing = new Routing(n, s.experts(), s.topK());
            int pairs = n * s.topK();
            expertIn = new float[pairs * d];
            gate = new float[pairs * s.expertHidden()];
            up = new float[pairs * s.expertHidden()];
            hidden = new float[pairs * s.expertHidden()];
            expertOut = new float[pairs * d];
        }
    }

    /**
     * Routing of one block for the tokens of a micro-batch: probabilities, the selected experts and their
     * renormalised weights, and the (token, choice) pairs grouped by expert, which is the row order of the
     * expert buffers.
     */
    static final class Routing {
        final int experts;
        final int topK;
        final float[] probs;
        final float[] logPartition;
        final int[] selected;
        final float[] weights;
        final int[] counts;
        final int[] starts;
        final int[] rowOfPair;
        final int[] pairOfRow;
        final float[] gateGrad;
        final double[] probSum;
        double zSquaredSum;

        Routing(int n, int experts, int topK) {
            this.experts = experts;
            this.topK = topK;
            probs = new float[n * experts];
            logPartition = new float[n];
            selected = new int[n * topK];
            weights = new float[n * topK];
            counts = new int[experts];
            starts = new int[experts + 1];
            rowOfPair = new int[n * topK];
            pairOfRow = new int[n * topK];
            gateGrad = new float[n * topK];
            probSum = new double[experts];
        }
    }
}
