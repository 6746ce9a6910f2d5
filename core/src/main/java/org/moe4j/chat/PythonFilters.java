package org.moe4j.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.AdvancedFilter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Jinja filters whose Jinjava versions print, measure or iterate values the Java way:
 * {@code string}, {@code safe} (Markup), {@code list}, {@code items} (missing from Jinjava),
 * {@code first}, {@code last}, {@code trim}, {@code dictsort},
 * {@code join}, {@code indent} and {@code length}/{@code count} (Python counts code points, not
 * UTF-16 units, and refuses generators).
 */
final class PythonFilters {

    private PythonFilters() {}

    static List<Filter> all() {
        return List.of(
                simple("string", value -> PythonStr.str(value)),
                simple("safe", value -> value instanceof PythonMarkup ? value : new PythonMarkup(PythonStr.str(value))),
                simple("list", value -> PythonIteration.items(value)),
                simple("items", PythonFilters::items),
                simple("first", value -> {
                    List<Object> items = PythonIteration.items(value);
                    return items.isEmpty() ? null : items.getFirst();
                }),
                simple("last", value -> {
                    List<Object> items = PythonIteration.items(value);
                    return items.isEmpty() ? null : items.getLast();
                }),
                new Trim(),
                new DictSort(),
                new Join(),
                new Indent(),
                simple("length", PythonFilters::length),
                simple("count", PythonFilters::length));
    }

    private interface Function {
        Object apply(Object value);
    }

    private static Filter simple(String name, Function function) {
        return new AdvancedFilter() {
            @Override
            public String getName() {
                return name;
            }

            @Override
            public Object filter(Object value, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
                return function.apply(value);
            }
        };
    }

    /** {@code items}: a mapping's (key, value) pairs; nothing for an undefined value. */
    private static Object items(Object value) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw RenderFailure.raise("Can only get item pairs from a mapping.");
        }
        return PythonMethods.items(map);
    }

    private static Object length(Object value) {
        return switch (value) {
            case null -> 0;
            case CharSequence s -> s.toString().codePointCount(0, s.length());
            case Collection<?> c -> c.size();
            case Map<?, ?> m -> m.size();
            default -> throw RenderFailure.raise(
                    "object of type '" + PythonTypes.typeName(value) + "' has no len()");
        };
    }

    private static Object arg(Object[] args, Map<String, Object> kwargs, int position, String name, Object otherwise) {
        if (kwargs.containsKey(name)) {
            return kwargs.get(name);
        }
        return args != null && args.length > position ? args[position] : otherwise;
    }

    /** {@code trim(chars=None)}: Python's {@code str.strip}, which knows Unicode whitespace. */
    private static final class Trim implements AdvancedFilter {
        @Override
        public String getName() {
            return "trim";
        }

        @Override
        public Object filter(Object value, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object chars = arg(args, kwargs, 0, "chars", null);
            return PythonStrings.strip(PythonStr.str(value), chars == PythonNone.NONE ? null : chars, true, true);
        }
    }

    /** {@code dictsort(case_sensitive=False, by='key', reverse=False)}: (key, value) tuples. */
    private static final class DictSort implements AdvancedFilter {
        @Override
        public String getName() {
            return "dictsort";
        }

        @Override
        public Object filter(Object value, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            if (!(value instanceof Map<?, ?> map)) {
                throw RenderFailure.raise("'" + PythonTypes.typeName(value) + "' object has no attribute 'items'");
            }
            boolean caseSensitive = PythonTypes.isTruthy(arg(args, kwargs, 0, "case_sensitive", false));
            boolean byValue = "value".equals(arg(args, kwargs, 1, "by", "key"));
            boolean reverse = PythonTypes.isTruthy(arg(args, kwargs, 2, "reverse", false));
            List<Object> pairs = new java.util.ArrayList<>(PythonMethods.items(map));
            java.util.Comparator<Object> order = (a, b) -> {
                Object x = ((PythonTuple) a).get(byValue ? 1 : 0);
                Object y = ((PythonTuple) b).get(byValue ? 1 : 0);
                if (x instanceof CharSequence && y instanceof CharSequence && !caseSensitive) {
                    return x.toString().toLowerCase(java.util.Locale.ROOT).compareTo(y.toString().toLowerCase(java.util.Locale.ROOT));
                }
                if (x instanceof Number m && y instanceof Number n) {
                    return Double.compare(m.doubleValue(), n.doubleValue());
                }
                return PythonStr.str(x).compareTo(PythonStr.str(y));
            };
            pairs.sort(reverse ? order.reversed() : order);
            return pairs;
        }
    }

    /** {@code join(d="", attribute=None)}: items converted with {@code str()}. */
    private static final class Join implements AdvancedFilter {
        @Override
        public String getName() {
            return "join";
        }

        @Override
        public Object filter(Object value, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            String separator = PythonStr.str(arg(args, kwargs, 0, "d", ""));
            Object attribute = arg(args, kwargs, 1, "attribute", null);
            StringBuilder out = new StringBuilder();
            boolean first = true;
            for (Object item : PythonIteration.items(value)) {
                if (!first) {
                    out.append(separator);
                }
                Object shown = attribute == null ? item : interpreter.resolveProperty(item, attribute.toString());
                out.append(PythonStr.str(shown));
                first = false;
            }
            return out.toString();
        }
    }

    /** {@code indent(width=4, first=False, blank=False)}, with Jinja's handling of line ends. */
    private static final class Indent implements AdvancedFilter {
        @Override
        public String getName() {
            return "indent";
        }

        @Override
        public Object filter(Object value, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object width = arg(args, kwargs, 0, "width", 4);
            boolean first = PythonTypes.isTruthy(arg(args, kwargs, 1, "first", false));
            boolean blank = PythonTypes.isTruthy(arg(args, kwargs, 2, "blank", false));
            String indention = width instanceof CharSequence s ? s.toString() : " ".repeat(((Number) width).intValue());
            List<String> lines = PythonStrings.splitlines(PythonStr.str(value) + "\n");
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (i > 0) {
                    out.append('\n');
                    if (blank || !line.isEmpty()) {
                        out.append(indention);
                    }
                }
                out.append(line);
            }
            return first ? indention + out : out.toString();
        }
    }
}
