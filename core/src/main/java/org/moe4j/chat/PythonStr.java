package org.moe4j.chat;

import java.util.Collection;
import java.util.Iterator;
import java.util.Map;

/** Python's {@code str()} and {@code repr()} of template values, as {@code {{ value }}} prints them. */
final class PythonStr {

    private PythonStr() {}

    /** {@code str(value)}; an undefined value (Java null) prints as nothing, as in Jinja. */
    static String str(Object value) {
        return switch (value) {
            case null -> "";
            case CharSequence s -> s.toString();
            default -> repr(value);
        };
    }

    static String repr(Object value) {
        StringBuilder out = new StringBuilder();
        repr(value, out);
        return out.toString();
    }

    private static void repr(Object value, StringBuilder out) {
        switch (value) {
            case null -> out.append("Undefined");
            case PythonNone none -> out.append("None");
            case CharSequence s -> quote(s.toString(), out);
            case Boolean b -> out.append(b ? "True" : "False");
            case Double d -> out.append(PythonJson.floatRepr(d));
            case Float f -> out.append(PythonJson.floatRepr(f.doubleValue()));
            case java.math.BigDecimal d -> out.append(PythonJson.floatRepr(d.doubleValue()));
            case Map<?, ?> map -> {
                out.append('{');
                Iterator<? extends Map.Entry<?, ?>> entries = map.entrySet().iterator();
                while (entries.hasNext()) {
                    Map.Entry<?, ?> entry = entries.next();
                    repr(entry.getKey(), out);
                    out.append(": ");
                    repr(entry.getValue(), out);
                    if (entries.hasNext()) {
                        out.append(", ");
                    }
                }
                out.append('}');
            }
            case PythonTuple tuple -> {
                out.append('(');
                for (int i = 0; i < tuple.size(); i++) {
                    if (i > 0) {
                        out.append(", ");
                    }
                    repr(tuple.get(i), out);
                }
                out.append(tuple.size() == 1 ? ",)" : ")");
            }
            case Collection<?> items -> {
                out.append('[');
                Iterator<?> it = items.iterator();
                while (it.hasNext()) {
                    repr(it.next(), out);
                    if (it.hasNext()) {
                        out.append(", ");
                    }
                }
                out.append(']');
            }
            default -> out.append(value);
        }
    }

    /** Python's choice of quotes: single, unless the text has a single quote and no double quote. */
    private static void quote(String s, StringBuilder out) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        out.append(quote);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c == quote) {
                        out.append('\\').append(c);
                    } else if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append(quote);
    }
}
