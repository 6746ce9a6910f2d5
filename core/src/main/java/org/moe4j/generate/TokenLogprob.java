package org.moe4j.generate;

/**
 * Log-probabilities of one sampling step under the model's distribution (log-softmax of the raw logits,
 * before temperature or any filter).
 *
 * @param token       the chosen token
 * @param logprob     its log-probability
 * @param topTokens   the most likely tokens, most likely first (ties: lowest id first)
 * @param topLogprobs their log-probabilities
 */
public record TokenLogprob(int token, float logprob, int[] topTokens, float[] topLogprobs) {

    /** Log-probabilities of {@code chosen} and the {@code top} most likely tokens of {@code logits[off .. off+n)}. */
    public static TokenLogprob of(float[] logits, int off, int n, int chosen, int top) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, logits[off + i]);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Math.exp(logits[off + i] - max);
        float lse = (float) (max + Math.log(sum));
        int k = Math.min(Math.max(0, top), n);
        int[] ids = new int[k];
        float[] lps = new float[k];
        int filled = 0;
        // insertion into a small sorted array: top is at most 20 in the OpenAI API
        for (int i = 0; i < n && k > 0; i++) {
            float v = logits[off + i];
            if (filled == k && v <= logits[off + ids[k - 1]]) continue;
            int j = filled < k ? filled++ : k - 1;
            while (j > 0 && logits[off + ids[j - 1]] < v) {
                ids[j] = ids[j - 1];
                j--;
            }
            ids[j] = i;
        }
        for (int i = 0; i < k; i++) lps[i] = logits[off + ids[i]] - lse;
        return new TokenLogprob(chosen, logits[off + chosen] - lse, ids, lps);
    }
}
