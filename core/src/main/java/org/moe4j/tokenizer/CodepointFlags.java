package org.moe4j.tokenizer;

import java.text.Normalizer;

/**
 * Unicode character classes exactly as the reference engine groups them: one coarse category per code point
 * (letters, numbers, marks, punctuation, symbols, separators, controls, unassigned) plus the White_Space
 * property. Pre-tokenizers and the WordPiece normalizer must agree with the reference on these classes, not
 * with java.util.regex or {@link Character#isWhitespace}, which differ (e.g. U+001C..U+001F, U+00A0).
 */
final class CodepointFlags {
    static final int UNDEFINED = 0x0001;
    static final int NUMBER = 0x0002;
    static final int LETTER = 0x0004;
    static final int SEPARATOR = 0x0008;
    static final int ACCENT_MARK = 0x0010;
    static final int PUNCTUATION = 0x0020;
    static final int SYMBOL = 0x0040;
    static final int CONTROL = 0x0080;
    static final int CATEGORIES = 0x00FF;
    static final int WHITESPACE = 0x0100;

    private CodepointFlags() {
    }

    /** Category bit plus {@link #WHITESPACE}; code points outside Unicode count as unassigned. */
    static int of(int cp) {
        if (cp < 0 || cp > Character.MAX_CODE_POINT) {
            return UNDEFINED;
        }
        int category = category(cp);
        return isWhitespace(cp) ? category | WHITESPACE : category;
    }

    static int category(int cp) {
        return switch (Character.getType(cp)) {
            case Character.UNASSIGNED -> UNDEFINED;
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK -> ACCENT_MARK;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            case Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> SEPARATOR;
            case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE -> CONTROL;
            case Character.DASH_PUNCTUATION, Character.START_PUNCTUATION, Character.END_PUNCTUATION,
                 Character.CONNECTOR_PUNCTUATION, Character.OTHER_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                 Character.FINAL_QUOTE_PUNCTUATION -> PUNCTUATION;
            case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL,
                 Character.OTHER_SYMBOL -> SYMBOL;
            default -> UNDEFINED;
        };
    }

    /** The Unicode White_Space property (PropList.txt), which is what the reference's tables hold. */
    static boolean isWhitespace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F
                || cp == 0x205F || cp == 0x3000;
    }

    static boolean isLetter(int cp) {
        return cp >= 0 && category(cp) == LETTER;
    }

    static boolean isNumber(int cp) {
        return cp >= 0 && category(cp) == NUMBER;
    }

    /** Simple (one-to-one) lower-case mapping from UnicodeData.txt, the table the reference uses. */
    static int toLower(int cp) {
        return Character.toLowerCase(cp);
    }

    /**
     * The first code point of the canonical decomposition. The reference strips accents by keeping only that
     * code point (so a precomposed letter loses its accents and a Hangul syllable becomes its leading jamo).
     */
    static int nfdFirst(int cp) {
        if (cp < 0xC0) {
            return cp;
        }
        String s = Character.toString(cp);
        if (Normalizer.isNormalized(s, Normalizer.Form.NFD)) {
            return cp;
        }
        return Normalizer.normalize(s, Normalizer.Form.NFD).codePointAt(0);
    }

    /** CJK ideograph blocks the BERT tokenizer isolates (the reference keeps HF's 0x2B920 typo). */
    static boolean isChineseChar(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    /** Han ideographs as Kimi-K2's pre-tokenizer defines them. */
    static boolean isHan(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF)
                || (cp >= 0x2CEB0 && cp <= 0x2EBEF) || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
