package org.moe4j.chat;

import java.util.AbstractList;
import java.util.List;

/**
 * An immutable pair or tuple, as {@code dict.items()} and the {@code dictsort} filter produce them:
 * a sequence that unpacks in {@code for k, v in ...} and prints as {@code ('a', 1)}.
 */
final class PythonTuple extends AbstractList<Object> {

    private final List<Object> items;

    PythonTuple(Object... items) {
        this.items = java.util.Arrays.asList(items);
    }

    @Override
    public Object get(int index) {
        return items.get(index);
    }

    @Override
    public int size() {
        return items.size();
    }
}
