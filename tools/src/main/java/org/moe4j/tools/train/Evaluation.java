package org.moe4j.tools.train;

import java.util.List;
import java.util.Locale;

/** Held-out perplexity, overall and per corpus file, and the expert load of the held-out tokens. */
public record Evaluation(double perplexity, List<String> names, double[] perplexities, int tokens, long[][] load) {

    public String summary() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "held-out ppl %.2f", perplexity));
        if (names.size() > 1) {
            sb.append(" (");
            for (int i = 0; i < names.size(); i++) {
                if (i > 0) sb.append(", ");
                sb.append(String.format(Locale.ROOT, "%s %.2f", names.get(i), perplexities[i]));
            }
            sb.append(')');
        }
        return sb.toString();
    }
}
