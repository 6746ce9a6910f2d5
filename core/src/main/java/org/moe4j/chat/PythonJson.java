package org.moe4j.chat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * {@code json.dumps(value, ensure_ascii=False, indent=..., separators=..., sort_keys=...)} as Hugging
 * Face's {@code tojson} filter calls it: the exact spacing, escaping and float formatting of Python,
 * which prompts depend on byte for byte.
 */
final class PythonJson {

    private final String indent;
    private final String itemSeparator;
    private final String keySeparator;
    private final boolean sortKeys;

    /**
     * @param indent null for one line, else the string repeated per nesting level (Python accepts an
     *     int n, meaning n spaces)
     * @param itemSeparator null for Python's default: ", " on one line, "," when indenting
     * @param keySeparator null for ": "
     */
    PythonJson(String indent, String itemSeparator, String keySeparator, boolean sortKeys) {
        this.indent = indent;
        this.itemSeparator = itemSeparator != null ? itemSeparator : (indent == null ? ", " : ",");
        this.keySeparator = keySeparator != null ? keySeparator : ": ";
        this.sortKeys = sortKeys;
    }

    static String dumps(Object value) {
        return new PythonJson(null, null, null, false).write(value);
    }

    String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out, 0);
        return out.toString();
    }

    private void write(Object value, StringBuilder out, int level) {
        switch (value) {
            case null -> throw RenderFailure.raise("Object of type Undefined is not JSON serializable");
            case PythonNone none -> out.append("null");
            case CharSequence s -> quote(s.toString(), out);
            case Boolean b -> out.append(b ? "true" : "false");
            case Double d -> out.append(floatRepr(d));
            case Float f -> out.append(floatRepr(f.doubleValue()));
            case BigDecimal d -> out.append(floatRepr(d.doubleValue()));
            case Number n -> out.append(n instanceof BigInteger ? n.toString() : Long.toString(n.longValue()));
            case Map<?, ?> map -> writeObject(map, out, level);
            case Collection<?> items -> writeArray(items, out, level);
            case Object[] items -> writeArray(List.of(items), out, level);
            default -> throw RenderFailure.raise(
                    "Object of type " + PythonTypes.typeName(value) + " is not JSON serializable");
        }
    }

    private void writeArray(Collection<?> items, StringBuilder out, int level) {
        if (items.isEmpty()) {
            out.append("[]");
            return;
        }
        out.append('[');
        boolean first = true;
        for (Object item : items) {
            if (!first) {
                out.append(itemSeparator);
            }
            newline(out, level + 1);
            write(item, out, level + 1);
            first = false;
        }
        newline(out, level);
        out.append(']');
    }

    private void writeObject(Map<?, ?> map, StringBuilder out, int level) {
        if (map.isEmpty()) {
            out.append("{}");
            return;
        }
        List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
        if (sortKeys) {
            entries.sort((a, b) -> key(a.getKey()).compareTo(key(b.getKey())));
        }
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> entry : entries) {
            if (!first) {
                out.append(itemSeparator);
            }
            newline(out, level + 1);
            quote(key(entry.getKey()), out);
            out.append(keySeparator);
            write(entry.getValue(), out, level + 1);
            first = false;
        }
        newline(out, level);
        out.append('}');
    }

    /** Python converts non-string keys: None to "null", booleans to "true"/"false", numbers as written. */
    private static String key(Object key) {
        return switch (key) {
            case null -> "null";
            case PythonNone none -> "null";
            case String s -> s;
            case Boolean b -> b ? "true" : "false";
            case Double d -> floatRepr(d);
            default -> key.toString();
        };
    }

    private void newline(StringBuilder out, int level) {
        if (indent != null) {
            out.append('\n').append(indent.repeat(level));
        }
    }

    private static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** Python's {@code repr(float)}: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        String digits = exact.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - exact.scale();
        String sign = d < 0 ? "-" : "";
        if (exponent < -4 || exponent >= 16) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
        }
        String plain = exact.abs().toPlainString();
        return sign + (plain.contains(".") ? plain : plain + ".0");
    }
}
