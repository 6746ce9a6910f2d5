package org.moe4j.chat;

import java.util.Iterator;
import java.util.List;

/**
 * The lazy sequence that Jinja's {@code map}, {@code select}, {@code reject}, {@code selectattr},
 * {@code rejectattr} and {@code unique} filters return: it can be iterated once, has no length and
 * cannot be serialized with {@code tojson} until turned into a list, just like Python's generator.
 */
final class PythonGenerator implements Iterable<Object> {

    private final List<Object> items;
    private boolean consumed;

    PythonGenerator(List<Object> items) {
        this.items = items;
    }

    @Override
    public Iterator<Object> iterator() {
        if (consumed) {
            return List.<Object>of().iterator();
        }
        consumed = true;
        return items.iterator();
    }

    @Override
    public String toString() {
        return "<generator object>";
    }
}
