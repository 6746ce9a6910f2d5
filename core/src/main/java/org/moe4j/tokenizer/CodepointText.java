package org.moe4j.tokenizer;

/**
 * The text a pre-tokenizer splits, as code points (the unit in which the reference counts split offsets),
 * with the two regex views built on demand: collapsed (one placeholder char per code point) and wide (the
 * code points themselves, non-ASCII whitespace replaced by U+000B).
 */
final class CodepointText {
    final int[] cps;
    private String collapsed;
    private String wide;
    /** Char index of each code point in {@link #wide}, or null when every code point is one char. */
    private int[] wideCharIndex;

    CodepointText(String text) {
        this.cps = text.codePoints().toArray();
    }

    int length() {
        return cps.length;
    }

    String collapsed() {
        if (collapsed == null) {
            char[] chars = new char[cps.length];
            for (int i = 0; i < cps.length; i++) {
                chars[i] = ReferenceRegex.collapsedChar(cps[i]);
            }
            collapsed = new String(chars);
        }
        return collapsed;
    }

    String wide() {
        if (wide == null) {
            StringBuilder sb = new StringBuilder(cps.length + 16);
            boolean supplementary = false;
            for (int cp : cps) {
                if (cp > 0x7F && CodepointFlags.isWhitespace(cp)) {
                    sb.append(ReferenceRegex.WHITESPACE);
                } else {
                    sb.appendCodePoint(cp);
                    supplementary |= cp > 0xFFFF;
                }
            }
            if (supplementary) {
                wideCharIndex = new int[cps.length + 1];
                int chars = 0;
                for (int i = 0; i < cps.length; i++) {
                    wideCharIndex[i] = chars;
                    chars += Character.charCount(cps[i]);
                }
                wideCharIndex[cps.length] = chars;
            }
            wide = sb.toString();
        }
        return wide;
    }

    /** Char index in {@link #wide()} of code point {@code cp}. */
    int wideCharIndex(int cp) {
        return wideCharIndex == null ? cp : wideCharIndex[cp];
    }

    /** Code point index of a char index in {@link #wide()} (always a code point boundary for regex matches). */
    int wideCodepointIndex(int charIndex) {
        if (wideCharIndex == null) {
            return charIndex;
        }
        int lo = 0;
        int hi = cps.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (wideCharIndex[mid] < charIndex) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    String substring(int from, int to) {
        return new String(cps, from, to - from);
    }
}
