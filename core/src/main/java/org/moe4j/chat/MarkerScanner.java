package org.moe4j.chat;

import java.util.List;

/**
 * Finds markers in text that arrives in pieces. A marker can be split across chunks, so text that
 * could be the beginning of one is held back until the next chunk (or the end) decides.
 */
final class MarkerScanner {

    private final StringBuilder pending = new StringBuilder();

    /** A match: the text before the marker, and the marker (null when none was found). */
    record Match(String before, String marker) {}

    void append(String chunk) {
        pending.append(chunk);
    }

    /**
     * Removes and returns the text up to and including the first of {@code markers}. Without a
     * marker, returns the text that cannot start one (with a null marker) and keeps the rest.
     */
    Match next(List<String> markers) {
        int best = -1;
        String found = null;
        for (String marker : markers) {
            int at = pending.indexOf(marker);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
                found = marker;
            }
        }
        if (found != null) {
            String before = pending.substring(0, best);
            pending.delete(0, best + found.length());
            return new Match(before, found);
        }
        int keep = partialMarkerLength(markers);
        String before = pending.substring(0, pending.length() - keep);
        pending.delete(0, pending.length() - keep);
        return new Match(before, null);
    }

    /** Everything still held back, at the end of the stream. */
    String drain() {
        String rest = pending.toString();
        pending.setLength(0);
        return rest;
    }

    /** Length of the longest tail of the pending text that is a proper prefix of some marker. */
    private int partialMarkerLength(List<String> markers) {
        int longest = 0;
        for (String marker : markers) {
            int max = Math.min(marker.length() - 1, pending.length());
            for (int n = max; n > longest; n--) {
                if (pending.substring(pending.length() - n).equals(marker.substring(0, n))) {
                    longest = n;
                    break;
                }
            }
        }
        return longest;
    }
}
