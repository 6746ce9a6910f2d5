package org.moe4j.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What {@code for x in value} visits in Python. */
final class PythonIteration {

    private PythonIteration() {}

    static List<Object> items(Object value) {
        List<Object> out = new ArrayList<>();
        switch (value) {
            case null -> {} // undefined iterates as empty in Jinja
            case PythonNone none -> throw RenderFailure.raise("'NoneType' object is not iterable");
            case Map<?, ?> map -> out.addAll(map.keySet());
            case Map.Entry<?, ?> entry -> {
                out.add(entry.getKey());
                out.add(entry.getValue());
            }
            case Iterable<?> iterable -> iterable.forEach(out::add);
            case Object[] array -> out.addAll(List.of(array));
            case CharSequence text -> text.codePoints().forEach(cp -> out.add(Character.toString(cp)));
            default -> throw RenderFailure.raise("'" + PythonTypes.typeName(value) + "' object is not iterable");
        }
        return out;
    }
}
