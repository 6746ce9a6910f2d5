package org.moe4j.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The Jinja tests whose meaning in Jinjava differs from Python's: a string is iterable and a
 * sequence, a dict is iterable and a sequence but not a string, an undefined value is iterable and
 * a sequence, and only None (not an undefined value) is none.
 */
final class PythonTests implements ExpTest {

    private final String name;
    private final Predicate<Object> test;

    private PythonTests(String name, Predicate<Object> test) {
        this.name = name;
        this.test = test;
    }

    static List<ExpTest> all() {
        return List.of(
                new PythonTests("string", v -> v instanceof CharSequence),
                new PythonTests("mapping", v -> v instanceof Map),
                // Jinja's Undefined iterates as empty and has a length, so it passes both of these.
                new PythonTests("iterable", v -> v == null || (v != PythonNone.NONE && (v instanceof CharSequence
                        || v instanceof Iterable || v instanceof Map || v instanceof Object[]))),
                new PythonTests("sequence", v -> v == null || v instanceof CharSequence || v instanceof Collection
                        || v instanceof Map || v instanceof Object[]),
                new PythonTests("number", v -> v instanceof Number),
                new PythonTests("integer", v -> v instanceof Integer || v instanceof Long
                        || v instanceof java.math.BigInteger),
                new PythonTests("float", v -> v instanceof Double || v instanceof Float),
                new PythonTests("boolean", v -> v instanceof Boolean),
                new PythonTests("true", v -> Boolean.TRUE.equals(v)),
                new PythonTests("false", v -> Boolean.FALSE.equals(v)),
                new PythonTests("none", v -> v == PythonNone.NONE));
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public boolean evaluate(Object value, JinjavaInterpreter interpreter, Object... args) {
        return test.test(value);
    }
}
