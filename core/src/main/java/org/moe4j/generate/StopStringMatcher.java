package org.moe4j.generate;

import java.util.List;

/**
 * Finds stop strings in streamed text and tells how much text is safe to show: text that could still
 * turn out to be the start of a stop string is held back until the next piece decides it.
 */
final class StopStringMatcher {
    private final List<String> stops;
    private final StringBuilder text = new StringBuilder();
    private int emitted;
    private int stopAt = -1;

    StopStringMatcher(List<String> stops) {
        this.stops = stops;
    }

    /** Adds a piece of output; returns the text that became safe to show (possibly empty). */
    String push(String piece) {
        if (stopAt >= 0) return "";
        int searchFrom = Math.max(0, emitted - longestStop());
        text.append(piece);
        int first = -1;
        for (String s : stops) {
            int i = text.indexOf(s, searchFrom);
            if (i >= 0 && (first < 0 || i < first)) first = i;
        }
        if (first >= 0) {
            stopAt = first;
            String out = first > emitted ? text.substring(emitted, first) : "";
            emitted = Math.max(emitted, first);
            return out;
        }
        int safe = text.length() - heldBack();
        String out = safe > emitted ? text.substring(emitted, safe) : "";
        emitted = Math.max(emitted, safe);
        return out;
    }

    boolean stopped() {
        return stopAt >= 0;
    }

    /** The rest of the text once generation ended without a stop string. */
    String flush() {
        if (stopAt >= 0) return "";
        String out = text.substring(emitted);
        emitted = text.length();
        return out;
    }

    /** The final text: everything before the stop string, if any. */
    String text() {
        return stopAt >= 0 ? text.substring(0, stopAt) : text.toString();
    }

    private int longestStop() {
        int m = 0;
        for (String s : stops) m = Math.max(m, s.length());
        return m;
    }

    private boolean endsWithPrefix(String s, int k) {
        int start = text.length() - k;
        for (int i = 0; i < k; i++) {
            if (text.charAt(start + i) != s.charAt(i)) return false;
        }
        return true;
    }

    /** Length of the longest suffix of the text that is a proper prefix of some stop string. */
    private int heldBack() {
        int best = 0;
        for (String s : stops) {
            int max = Math.min(s.length() - 1, text.length());
            for (int k = max; k > best; k--) {
                if (endsWithPrefix(s, k)) {
                    best = k;
                    break;
                }
            }
        }
        return best;
    }
}
