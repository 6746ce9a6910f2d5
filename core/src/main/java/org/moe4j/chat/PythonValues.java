package org.moe4j.chat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Converts caller data into template values: copies maps and lists, and turns null into None. */
final class PythonValues {

    private PythonValues() {}

    static Object of(Object value) {
        return switch (value) {
            case null -> PythonNone.NONE;
            case Map<?, ?> map -> {
                Map<Object, Object> copy = new LinkedHashMap<>();
                map.forEach((k, v) -> copy.put(k, of(v)));
                yield copy;
            }
            case List<?> list -> {
                List<Object> copy = new ArrayList<>(list.size());
                list.forEach(item -> copy.add(of(item)));
                yield copy;
            }
            default -> value;
        };
    }
}
