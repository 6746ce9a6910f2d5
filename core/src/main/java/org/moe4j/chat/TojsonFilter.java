package org.moe4j.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.AdvancedFilter;
import java.util.List;
import java.util.Map;

/**
 * The {@code tojson} filter Hugging Face installs in place of Jinja's own: plain
 * {@code json.dumps(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)}, without
 * Jinja's HTML escaping. Parameters may be given by position in that order or by name.
 */
final class TojsonFilter implements AdvancedFilter {

    @Override
    public String getName() {
        return "tojson";
    }

    @Override
    public Object filter(
            Object value, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        boolean ensureAscii = PythonTypes.isTruthy(param(args, kwargs, 0, "ensure_ascii"));
        Object indent = param(args, kwargs, 1, "indent");
        Object separators = param(args, kwargs, 2, "separators");
        boolean sortKeys = PythonTypes.isTruthy(param(args, kwargs, 3, "sort_keys"));
        String indentText = switch (indent) {
            case null -> null;
            case Number n -> " ".repeat(Math.max(0, n.intValue()));
            default -> indent.toString();
        };
        String itemSeparator = null;
        String keySeparator = null;
        if (separators instanceof List<?> pair && pair.size() == 2) {
            itemSeparator = (String) pair.get(0);
            keySeparator = (String) pair.get(1);
        }
        String json = new PythonJson(indentText, itemSeparator, keySeparator, sortKeys).write(value);
        return ensureAscii ? escapeNonAscii(json) : json;
    }

    private static Object param(Object[] args, Map<String, Object> kwargs, int position, String name) {
        if (kwargs.containsKey(name)) {
            return kwargs.get(name);
        }
        return args != null && args.length > position ? args[position] : null;
    }

    private static String escapeNonAscii(String json) {
        StringBuilder out = new StringBuilder(json.length());
        for (char c : json.toCharArray()) {
            if (c < 0x80) {
                out.append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.toString();
    }
}
