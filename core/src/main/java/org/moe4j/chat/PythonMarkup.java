package org.moe4j.chat;

import com.hubspot.jinjava.util.HasObjectTruthValue;

/**
 * What Jinja's {@code safe} filter returns: markupsafe's {@code Markup}, a string that escapes
 * whatever plain string is added to it with {@code +} ({@code "x"|safe + '"'} gives
 * {@code x&#34;}). Hugging Face renders without autoescaping, so this is the only place where HTML
 * escaping shows, and functionary templates rely on it.
 */
final class PythonMarkup implements CharSequence, HasObjectTruthValue {

    private final String text;

    PythonMarkup(String text) {
        this.text = text;
    }

    /** {@code a + b} where at least one side is Markup: the plain side is escaped. */
    static PythonMarkup concat(CharSequence left, CharSequence right) {
        return new PythonMarkup(escapeUnlessMarkup(left) + escapeUnlessMarkup(right));
    }

    private static String escapeUnlessMarkup(CharSequence value) {
        return value instanceof PythonMarkup markup ? markup.text : escape(value.toString());
    }

    /** markupsafe's {@code escape}. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '\'' -> out.append("&#39;");
                case '"' -> out.append("&#34;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    @Override
    public boolean getObjectTruthValue() {
        return !text.isEmpty();
    }

    @Override
    public int length() {
        return text.length();
    }

    @Override
    public char charAt(int index) {
        return text.charAt(index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return text.subSequence(start, end);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CharSequence s && text.contentEquals(s);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
