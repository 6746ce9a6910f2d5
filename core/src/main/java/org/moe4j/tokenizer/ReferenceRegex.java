package org.moe4j.tokenizer;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a pre-tokenizer regex, written as the reference engine writes it, into a {@link Pattern} that splits
 * text the same way.
 *
 * <p>The reference cannot match Unicode categories with its regex library, so when a regex uses
 * {@code \p{L}}, {@code \p{N}}, {@code \p{P}}, {@code \p{M}} or {@code \p{S}} it runs the regex over a
 * <em>collapsed</em> copy of the text: ASCII stays, every other code point becomes one placeholder character
 * for its category (non-ASCII whitespace becomes U+000B), and each category in the regex becomes a class of
 * its placeholder plus the ASCII members. Running the same transformation here reproduces its quirks exactly,
 * e.g. that upper- and lower-case letters outside ASCII are indistinguishable. Regexes without categories run
 * over the real code points, again with non-ASCII whitespace replaced by U+000B.
 */
final class ReferenceRegex {
    private static final char OTHER = 0xD0;
    private static final char NUMBER = 0xD1;
    private static final char LETTER = 0xD2;
    private static final char PUNCTUATION = 0xD3;
    private static final char ACCENT_MARK = 0xD4;
    private static final char SYMBOL = 0xD5;
    static final char WHITESPACE = 0x0B;

    /** Category escape -> the class members that stand for it in collapsed text. */
    private static final Map<String, String> CATEGORY_CLASS = Map.of(
            "\\p{N}", NUMBER + "0-9",
            "\\p{L}", LETTER + "A-Za-z",
            "\\p{P}", PUNCTUATION + "!-#%-*,-/:-;?-@\\[-\\]_\\{\\}",
            "\\p{M}", String.valueOf(ACCENT_MARK),
            "\\p{S}", SYMBOL + "\\$\\+<->^`\\|",
            "\\p{Lu}", LETTER + "A-Za-z",
            "\\p{Ll}", LETTER + "A-Za-z",
            "\\p{Lt}", LETTER + "A-Za-z",
            "\\p{Lm}", LETTER + "A-Za-z",
            "\\p{Lo}", LETTER + "A-Za-z");

    /** {@code ((?=[X])([^Y]))}: one character in X but not in Y, written as a lookahead for ECMAScript. */
    private static final Pattern LOOKAHEAD_CLASS = Pattern.compile("\\(\\(\\?=\\[([^\\]]*)\\]\\)\\(\\[\\^([^\\]]*)\\]\\)\\)");

    private ReferenceRegex() {
    }

    static boolean usesCategories(String regex) {
        for (String category : CATEGORY_CLASS.keySet()) {
            if (regex.contains(category)) {
                return true;
            }
        }
        return false;
    }

    /** The placeholder a code point becomes in collapsed text. */
    static char collapsedChar(int cp) {
        if (cp < 128) {
            return (char) cp;
        }
        int flags = CodepointFlags.of(cp);
        if ((flags & CodepointFlags.WHITESPACE) != 0) {
            return WHITESPACE;
        }
        return switch (flags & CodepointFlags.CATEGORIES) {
            case CodepointFlags.NUMBER -> NUMBER;
            case CodepointFlags.LETTER -> LETTER;
            case CodepointFlags.PUNCTUATION -> PUNCTUATION;
            case CodepointFlags.ACCENT_MARK -> ACCENT_MARK;
            case CodepointFlags.SYMBOL -> SYMBOL;
            default -> OTHER;
        };
    }

    /** The regex to run over collapsed text, following the reference's rewrite character by character. */
    static String collapse(String regex) {
        StringBuilder out = new StringBuilder(regex.length() + 32);
        boolean insideClass = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '[' && (i == 0 || regex.charAt(i - 1) != '\\')) {
                out.append('[');
                insideClass = true;
                continue;
            }
            if (insideClass && c == ']' && regex.charAt(i - 1) != '\\') {
                out.append(']');
                insideClass = false;
                continue;
            }
            if (c == '\\' && i + 3 < regex.length() && regex.charAt(i + 1) == 'p' && regex.charAt(i + 2) == '{') {
                int close = regex.indexOf('}', i + 3);
                if (close >= 0 && close <= i + 10) {
                    String members = CATEGORY_CLASS.get(regex.substring(i, close + 1));
                    if (members != null) {
                        out.append(insideClass ? members : "[" + members + "]");
                        i = close;
                        continue;
                    }
                }
            }
            out.append(c);
        }
        return out.toString();
    }

    /**
     * Adapts ECMAScript syntax to java.util.regex where the two differ: {@code $} only matches at the very end
     * (Java would also match before a final line break), and single-character lookahead groups become class
     * intersections, which Java repeats without recursion (long letter runs would overflow the stack).
     */
    static Pattern compile(String regex) {
        Matcher m = LOOKAHEAD_CLASS.matcher(regex);
        String rewritten = m.replaceAll(r -> Matcher.quoteReplacement("[" + r.group(1) + "&&[^" + r.group(2) + "]]"));
        StringBuilder out = new StringBuilder(rewritten.length() + 4);
        boolean insideClass = false;
        for (int i = 0; i < rewritten.length(); i++) {
            char c = rewritten.charAt(i);
            if (c == '\\' && i + 1 < rewritten.length()) {
                out.append(c).append(rewritten.charAt(++i));
                continue;
            }
            if (c == '[') {
                insideClass = true;
            } else if (c == ']') {
                insideClass = false;
            }
            out.append(c == '$' && !insideClass ? "\\z" : String.valueOf(c));
        }
        return Pattern.compile(out.toString());
    }
}
