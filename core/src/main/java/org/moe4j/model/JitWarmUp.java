package org.moe4j.model;

/**
 * Small forward passes that get the kernels compiled by the JIT before anything is timed. Until C2
 * compiles a Vector API kernel it runs as boxed Java code, tens of times slower and allocating on every
 * operation. A big model's kernels loop long enough per call to be compiled within a round or two; a
 * small model's do not, so rounds repeat until a minimum time has passed.
 */
public final class JitWarmUp {
    private static final int MAX_ROUNDS = 400;

    private JitWarmUp() {
    }

    /**
     * Runs rounds of a 16-token prompt (the batched kernels) and 8 single-token steps (the decode
     * kernels) in a scratch cache, at least two rounds and until {@code minSeconds} have passed; returns
     * the seconds taken. The model's routing hooks see these passes: install tracing afterwards.
     */
    public static double run(Model model, double minSeconds) {
        long t0 = System.nanoTime();
        int vocab = model.vocabSize();
        KVCache scratch = model.newCache(1, 32);
        float[] logits = new float[vocab];
        int[] ids = new int[16];
        for (int i = 0; i < ids.length; i++) ids[i] = (i * 7919) % vocab;
        Batch prompt = Batch.of(ids, 0, 0, false);
        Batch step = new Batch(1);
        for (int round = 0; round < MAX_ROUNDS; round++) {
            scratch.clear(0);
            model.forward(prompt, scratch, logits);
            for (int p = 0; p < 8; p++) {
                step.clear();
                step.add(ids[p], ids.length + p, 0, true);
                model.forward(step, scratch, logits);
            }
            if (round >= 1 && (System.nanoTime() - t0) / 1e9 >= minSeconds) break;
        }
        return (System.nanoTime() - t0) / 1e9;
    }
}
