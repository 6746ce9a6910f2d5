package org.moe4j.chat;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;

/**
 * Python's {@code ==} and {@code in}. EL coerces operands ({@code '1' == 1} holds there) and Java's
 * equals tells {@code Integer} 1 from {@code Long} 1; Python does neither.
 */
final class PythonEquality {

    private PythonEquality() {}

    static boolean equal(Object a, Object b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (isNumeric(a) && isNumeric(b)) {
            return decimal(a).compareTo(decimal(b)) == 0;
        }
        if (a instanceof CharSequence x && b instanceof CharSequence y) {
            return x.toString().equals(y.toString());
        }
        if (a instanceof Collection<?> x && b instanceof Collection<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            Iterator<?> i = x.iterator();
            Iterator<?> j = y.iterator();
            while (i.hasNext()) {
                if (!equal(i.next(), j.next())) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (Map.Entry<?, ?> entry : x.entrySet()) {
                if (!y.containsKey(entry.getKey()) || !equal(entry.getValue(), y.get(entry.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    /** {@code needle in container}. */
    static boolean contains(Object container, Object needle) {
        return switch (container) {
            case null -> false; // an undefined value iterates as empty
            case PythonNone none -> throw RenderFailure.raise("argument of type 'NoneType' is not iterable");
            case CharSequence text -> {
                if (!(needle instanceof CharSequence part)) {
                    throw RenderFailure.raise(
                            "'in <string>' requires string as left operand, not " + PythonTypes.typeName(needle));
                }
                yield text.toString().contains(part);
            }
            case Map<?, ?> map -> map.keySet().stream().anyMatch(key -> equal(key, needle));
            case Collection<?> items -> items.stream().anyMatch(item -> equal(item, needle));
            case PythonGenerator generator -> PythonIteration.items(generator).stream().anyMatch(item -> equal(item, needle));
            default -> throw RenderFailure.raise(
                    "argument of type '" + PythonTypes.typeName(container) + "' is not iterable");
        };
    }

    private static boolean isNumeric(Object value) {
        return value instanceof Number || value instanceof Boolean;
    }

    private static BigDecimal decimal(Object value) {
        return switch (value) {
            case Boolean b -> b ? BigDecimal.ONE : BigDecimal.ZERO;
            case BigDecimal d -> d;
            case Double d -> new BigDecimal(d);
            case Float f -> new BigDecimal(f);
            case java.math.BigInteger i -> new BigDecimal(i);
            default -> BigDecimal.valueOf(((Number) value).longValue());
        };
    }
}
