package org.moe4j.chat;

import com.hubspot.jinjava.el.ext.ExtendedScanner;
import java.util.ArrayDeque;
import java.util.Deque;
import jinjava.de.odysseus.el.tree.impl.Scanner;

/**
 * Jinjava's expression scanner with three corrections for Jinja source:
 *
 * <ul>
 *   <li>{@code x+1} is an addition (Jinjava reads {@code +1} as a unary plus and then fails);
 *   <li>string literals take Python's escapes ({@code \x41}, {@code \u00e9}, {@code \0}) and keep
 *       unknown ones such as {@code \d} as written, where Jinjava rejects them;
 *   <li>the second colon of a slice ({@code [a:b:step]}, {@code [::-1]}) is returned as
 *       {@link #STEP_COLON} so that {@link PythonExpressionParser} can read a step. Bracket nesting
 *       is tracked so that colons of dict literals and of inner brackets are left alone.
 * </ul>
 */
final class PythonScanner extends ExtendedScanner {

    /** Same one-character image as a colon, so the scanner's position advances by one. */
    static final Scanner.ExtensionToken STEP_COLON = new Scanner.ExtensionToken(":");

    /** One entry per open bracket: colons seen at that level, or -1 for ( and {. */
    private final Deque<int[]> open = new ArrayDeque<>();
    private Token previous;

    PythonScanner(String input) {
        super(input);
    }

    @Override
    protected Token nextToken() throws ScanException {
        Token token = super.nextToken();
        token = trackBrackets(token);
        previous = token;
        return token;
    }

    private Token trackBrackets(Token token) {
        switch (token.getSymbol()) {
            case LBRACK -> open.push(new int[] {0});
            case LPAREN -> open.push(new int[] {-1});
            case RBRACK, RPAREN -> open.poll();
            case EXTENSION -> {
                if ("{".equals(token.getImage())) {
                    open.push(new int[] {-1});
                } else if ("}".equals(token.getImage())) {
                    open.poll();
                }
            }
            case COLON -> {
                int[] level = open.peek();
                if (level != null && level[0] >= 0 && ++level[0] == 2) {
                    return STEP_COLON;
                }
            }
            default -> {}
        }
        return token;
    }

    @Override
    protected Token nextEval() throws ScanException {
        if (getInput().charAt(getPosition()) == '+' && previous != null && endsOperand(previous)) {
            return fixed(Symbol.PLUS);
        }
        return super.nextEval();
    }

    private static boolean endsOperand(Token token) {
        return switch (token.getSymbol()) {
            case IDENTIFIER, INTEGER, FLOAT, STRING, TRUE, FALSE, NULL, RPAREN, RBRACK -> true;
            case EXTENSION -> "}".equals(token.getImage());
            default -> false;
        };
    }

    @Override
    protected Token nextString() throws ScanException {
        String input = getInput();
        char quote = input.charAt(getPosition());
        StringBuilder value = new StringBuilder();
        int i = getPosition() + 1;
        while (i < input.length()) {
            char c = input.charAt(i++);
            if (c == quote) {
                return token(Symbol.STRING, value.toString(), i - getPosition());
            }
            if (c != '\\') {
                value.append(c);
                continue;
            }
            if (i == input.length()) {
                break;
            }
            i = escape(input, i, value);
        }
        throw new ScanException(getPosition(), "unterminated string", String.valueOf(quote));
    }

    /** Appends the escape whose letter is at {@code i} and returns the index after it. */
    private static int escape(String input, int i, StringBuilder value) {
        char c = input.charAt(i);
        switch (c) {
            case '\n' -> {
                return i + 1;
            }
            case '\\', '\'', '"' -> value.append(c);
            case 'n' -> value.append('\n');
            case 't' -> value.append('\t');
            case 'r' -> value.append('\r');
            case 'b' -> value.append('\b');
            case 'f' -> value.append('\f');
            case 'v' -> value.append('\u000b');
            case 'a' -> value.append('\u0007');
            case 'x' -> {
                return hex(input, i, 2, value);
            }
            case 'u' -> {
                return hex(input, i, 4, value);
            }
            case 'U' -> {
                return hex(input, i, 8, value);
            }
            default -> {
                if (c >= '0' && c <= '7') {
                    int end = i;
                    while (end < input.length() && end < i + 3 && input.charAt(end) >= '0' && input.charAt(end) <= '7') {
                        end++;
                    }
                    value.appendCodePoint(Integer.parseInt(input.substring(i, end), 8));
                    return end;
                }
                value.append('\\').append(c);
            }
        }
        return i + 1;
    }

    private static int hex(String input, int i, int digits, StringBuilder value) {
        int end = i + 1 + digits;
        if (end > input.length()) {
            throw new IllegalArgumentException("truncated \\" + input.charAt(i) + " escape");
        }
        value.appendCodePoint(Integer.parseInt(input.substring(i + 1, end), 16));
        return end;
    }
}
