package org.moe4j.chat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Applies Jinja's lexer-level whitespace rules to a template source ahead of Jinjava, and returns
 * an equivalent source with no whitespace control left in it.
 *
 * <p>Jinjava's own handling differs from Jinja's in ways prompts show: it strips the indentation
 * before a tag even when text precedes the tag on its line, and handles whitespace around comments
 * differently. Its token scanner and tree parser are not extension points, so this class does
 * Jinja's part exactly, as jinja2's lexer does with Hugging Face's settings
 * ({@code trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False}):
 *
 * <ul>
 *   <li>newlines are normalized to {@code \n} and one trailing newline is dropped;
 *   <li>{@code {%-}, {@code {{-}, {@code {#-} strip all whitespace before the tag, and {@code -%}},
 *       {@code -}}}, {@code -#}} all whitespace after it;
 *   <li>lstrip_blocks: a block or comment tag alone after indentation on its line (or at the
 *       template start, or right after a tag that ended a line) takes that indentation away, unless
 *       opened with {@code +};
 *   <li>trim_blocks: the first newline after a block or comment tag is removed, unless closed with
 *       {@code +};
 *   <li>comments are removed; {@code raw} blocks become literal text.
 * </ul>
 *
 * The result is rendered by Jinjava with its own trimming switched off.
 */
final class JinjaWhitespace {

    private static final Pattern RAW_BEGIN = Pattern.compile("\\{%([-+]?)\\s*raw\\s*(-?)%}");
    private static final Pattern RAW_END = Pattern.compile("\\{%([-+]?)\\s*endraw\\s*([-+]?)%}");

    private final String source;
    private final StringBuilder out = new StringBuilder();
    private int pos;
    private boolean lineStarting = true;
    /** Whitespace after the previous tag is to be stripped (it closed with '-'). */
    private boolean stripNext;

    private JinjaWhitespace(String source) {
        this.source = source;
    }

    static String resolve(String template) {
        String normalized = template.replace("\r\n", "\n").replace('\r', '\n');
        if (normalized.endsWith("\n")) {
            normalized = normalized.substring(0, normalized.length() - 1);
        }
        JinjaWhitespace lexer = new JinjaWhitespace(normalized);
        lexer.run();
        return lexer.out.toString();
    }

    private void run() {
        while (pos < source.length()) {
            int start = nextTagStart(pos);
            if (start < 0) {
                text(source.substring(pos));
                return;
            }
            char kind = source.charAt(start + 1);
            char sign = start + 2 < source.length() ? source.charAt(start + 2) : 0;
            if (sign != '-' && sign != '+') {
                sign = 0;
            }
            String text = source.substring(pos, start);
            if (sign == '-') {
                text = PythonStrings.strip(text, null, false, true);
            } else if (sign != '+' && kind != '{') {
                text = lstripBlock(text);
            }
            text(text);
            int bodyStart = start + 2 + (sign == 0 ? 0 : 1);
            Matcher raw = RAW_BEGIN.matcher(source).region(start, source.length());
            if (kind == '%' && raw.lookingAt()) {
                rawBlock(raw);
            } else if (kind == '#') {
                comment(bodyStart);
            } else {
                tag(kind, bodyStart);
            }
        }
    }

    private int nextTagStart(int from) {
        for (int i = from; i + 1 < source.length(); i++) {
            if (source.charAt(i) == '{') {
                char next = source.charAt(i + 1);
                if (next == '{' || next == '%' || next == '#') {
                    return i;
                }
            }
        }
        return -1;
    }

    /** Drops the indentation before a block or comment tag that starts its line. */
    private String lstripBlock(String text) {
        int lineStart = text.lastIndexOf('\n') + 1;
        if (lineStart > 0 || lineStarting) {
            String indentation = text.substring(lineStart);
            if (!indentation.isEmpty() && indentation.codePoints().allMatch(PythonTypes::isSpace)) {
                return text.substring(0, lineStart);
            }
        }
        return text;
    }

    private void text(String text) {
        if (stripNext) {
            text = PythonStrings.strip(text, null, true, false);
            stripNext = false;
        }
        if (text.isEmpty()) {
            return;
        }
        if (text.contains("{{") || text.contains("{%") || text.contains("{#")) {
            // Text that would read as a tag once its neighbours are joined: print it as a string literal.
            out.append("{{ \"")
                    .append(text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"))
                    .append("\" }}");
        } else {
            out.append(text);
        }
    }

    private void comment(int bodyStart) {
        int end = source.indexOf("#}", bodyStart);
        if (end < 0) {
            throw new ChatTemplateException("Missing end of comment tag");
        }
        char sign = source.charAt(end - 1);
        if (end - 1 < bodyStart || (sign != '-' && sign != '+')) {
            sign = 0;
        }
        pos = end + 2;
        closeTag(sign, true);
    }

    private void tag(char kind, int bodyStart) {
        String close = kind == '{' ? "}}" : "%}";
        int depth = 0;
        int i = bodyStart;
        while (i < source.length()) {
            char c = source.charAt(i);
            if (depth == 0) {
                for (String sign : new String[] {"-", "+", ""}) {
                    if ((kind == '%' || !sign.equals("+")) && source.startsWith(sign + close, i)) {
                        emitTag(kind, source.substring(bodyStart, i));
                        pos = i + sign.length() + 2;
                        closeTag(sign.isEmpty() ? 0 : sign.charAt(0), kind == '%');
                        return;
                    }
                }
            }
            if (c == '\'' || c == '"') {
                i = skipString(i);
                continue;
            }
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
                depth--;
            }
            i++;
        }
        throw new ChatTemplateException("unexpected end of template, expected '" + close + "'");
    }

    private void emitTag(char kind, String body) {
        body = separateClosingBraces(body);
        String trimmed = body.strip();
        if (kind == '{' && (trimmed.startsWith("-") || trimmed.startsWith("+"))) {
            // Jinjava would read a leading sign as whitespace control ({{ -1 }} as {{- 1 }}).
            out.append("{{ (").append(trimmed).append(") }}");
        } else {
            out.append(kind == '{' ? "{{" : "{%").append(body).append(kind == '{' ? "}}" : "%}");
        }
    }

    /**
     * Jinjava ends a tag at the first {@code }}} even inside a dict literal ({@code f({'a': {}})}),
     * where Jinja counts brackets; outside string literals, "}}" becomes the equivalent "} }".
     */
    private static String separateClosingBraces(String body) {
        StringBuilder out = new StringBuilder(body.length());
        char quote = 0;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            out.append(c);
            if (quote != 0) {
                if (c == '\\' && i + 1 < body.length()) {
                    out.append(body.charAt(++i));
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '}' && i + 1 < body.length() && body.charAt(i + 1) == '}') {
                out.append(' ');
            }
        }
        return out.toString();
    }

    private int skipString(int quoteAt) {
        char quote = source.charAt(quoteAt);
        for (int i = quoteAt + 1; i < source.length(); i++) {
            char c = source.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == quote) {
                return i + 1;
            }
        }
        throw new ChatTemplateException("unterminated string in template");
    }

    /** After a tag: '-' strips what follows, otherwise trim_blocks eats one newline after blocks. */
    private void closeTag(char sign, boolean isBlock) {
        if (sign == '-') {
            int end = pos;
            while (end < source.length() && PythonTypes.isSpace(source.charAt(end))) {
                end++;
            }
            lineStarting = end > pos && source.charAt(end - 1) == '\n';
            pos = end;
        } else if (isBlock && sign != '+' && pos < source.length() && source.charAt(pos) == '\n') {
            pos++;
            lineStarting = true;
        } else {
            lineStarting = false;
        }
    }

    private void rawBlock(Matcher begin) {
        int contentStart = begin.end();
        if (!begin.group(2).isEmpty()) {
            while (contentStart < source.length() && PythonTypes.isSpace(source.charAt(contentStart))) {
                contentStart++;
            }
        }
        Matcher end = RAW_END.matcher(source);
        if (!end.find(contentStart)) {
            throw new ChatTemplateException("Missing end of raw directive");
        }
        String content = source.substring(contentStart, end.start());
        if (end.group(1).equals("-")) {
            content = PythonStrings.strip(content, null, false, true);
        } else if (!end.group(1).equals("+")) {
            int lineStart = content.lastIndexOf('\n') + 1;
            String indentation = content.substring(lineStart);
            if (lineStart > 0 && !indentation.isEmpty() && indentation.isBlank()) {
                content = content.substring(0, lineStart);
            }
        }
        text(content);
        pos = end.end();
        closeTag(end.group(2).isEmpty() ? 0 : end.group(2).charAt(0), true);
    }
}
