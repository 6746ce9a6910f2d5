package org.moe4j.tools.perplexity;

import org.moe4j.model.Batch;
import org.moe4j.model.KVCache;
import org.moe4j.model.Model;

/**
 * Perplexity of a model over a token sequence, computed as the reference engine's perplexity tool does:
 * the text is cut into windows of {@code context} tokens, each window starts over from an empty cache with
 * its first token replaced by BOS (when the model uses one), and only the second half of each window is
 * scored, so every scored token sees at least {@code context / 2} tokens before it. Several windows go
 * through one forward pass, each in its own cache slot. Log-probabilities are computed in double and
 * summed in a fixed order, so the result is the same on every run.
 */
public final class Perplexity {
    /** Logit rows held at once, at most (several windows per pass need one row per scored token). */
    private static final long LOGIT_BUDGET_FLOATS = 96L << 20;

    /**
     * @param context      tokens per window
     * @param batchTokens  tokens per forward pass (rounded down to whole windows, at least one)
     * @param maxWindows   evaluate at most this many windows (0: all)
     */
    public record Settings(int context, int batchTokens, int maxWindows) {
        public Settings {
            if (context < 4) throw new IllegalArgumentException("the window (--ctx) must hold at least 4 tokens");
            if (batchTokens < 1 || maxWindows < 0) throw new IllegalArgumentException("batch >= 1, max windows >= 0");
        }
    }

    /**
     * @param windowPerplexity perplexity of the scored tokens of each window, in order
     * @param evaluatedTokens  tokens run through the model (scored or not)
     */
    public record Result(double perplexity, double meanNll, long scoredTokens, int windows, int context,
                         long evaluatedTokens, double seconds, double[] windowPerplexity) {
        public double tokensPerSecond() {
            return seconds > 0 ? evaluatedTokens / seconds : 0;
        }
    }

    /** Progress callback: windows done so far and the perplexity up to there. */
    public interface Listener {
        void windowDone(int done, int total, double perplexitySoFar);
    }

    private Perplexity() {
    }

    public static int windows(int tokens, Settings s) {
        int w = tokens / s.context();
        return s.maxWindows() > 0 ? Math.min(w, s.maxWindows()) : w;
    }

    /**
     * @param bos the token that starts each window, or -1 to keep the text's own first token
     */
    public static Result run(Model m, int[] tokens, int bos, Settings s, Listener listener) {
        int ctx = s.context();
        int windows = windows(tokens.length, s);
        if (windows == 0) {
            throw new IllegalArgumentException("the text has " + tokens.length + " tokens, fewer than one window of " + ctx
                    + "; use a smaller --ctx or a longer text");
        }
        int vocab = m.vocabSize();
        int first = ctx / 2;
        int scoredPerWindow = ctx - 1 - first;
        int perPass = Math.max(1, Math.min(s.batchTokens() / ctx, windows));
        perPass = (int) Math.max(1, Math.min(perPass, LOGIT_BUDGET_FLOATS / ((long) scoredPerWindow * vocab)));
        KVCache cache = m.newCache(perPass, ctx);
        float[] logits = new float[perPass * scoredPerWindow * vocab];
        Batch batch = new Batch(perPass * ctx);
        double[] windowNll = new double[windows];
        double nll = 0;
        long scored = 0;
        long t0 = System.nanoTime();
        for (int w0 = 0; w0 < windows; w0 += perPass) {
            int n = Math.min(perPass, windows - w0);
            batch.clear();
            for (int i = 0; i < n; i++) {
                cache.clear(i);
                int start = (w0 + i) * ctx;
                for (int j = 0; j < ctx; j++) {
                    int tok = j == 0 && bos >= 0 ? bos : tokens[start + j];
                    batch.add(tok, j, i, j >= first && j < ctx - 1);
                }
            }
            m.forward(batch, cache, logits);
            for (int i = 0; i < n; i++) {
                int start = (w0 + i) * ctx;
                double sum = 0;
                for (int j = 0; j < scoredPerWindow; j++) {
                    int row = (i * scoredPerWindow + j) * vocab;
                    sum -= logProbability(logits, row, vocab, tokens[start + first + j + 1]);
                }
                windowNll[w0 + i] = sum;
                nll += sum;
                scored += scoredPerWindow;
            }
            if (listener != null) listener.windowDone(w0 + n, windows, Math.exp(nll / scored));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double[] wp = new double[windows];
        for (int w = 0; w < windows; w++) wp[w] = Math.exp(windowNll[w] / scoredPerWindow);
        return new Result(Math.exp(nll / scored), nll / scored, scored, windows, ctx, (long) windows * ctx, seconds, wp);
    }

    /** {@code log softmax(row)[target]} in double. */
    static double logProbability(float[] logits, int off, int vocab, int target) {
        float max = Float.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) max = Math.max(max, logits[off + v]);
        double sum = 0;
        for (int v = 0; v < vocab; v++) sum += Math.exp((double) logits[off + v] - max);
        return (double) logits[off + target] - max - Math.log(sum);
    }
}
