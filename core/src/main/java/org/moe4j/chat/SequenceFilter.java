package org.moe4j.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.List;
import java.util.Map;

/**
 * Wraps one of Jinjava's sequence filters so that it behaves as Jinja's: None is an error for most
 * ({@code tools|sort} with Hugging Face's {@code tools=None}) and gives an empty result for the
 * filters that Jinja guards with a truth test ({@code tools|selectattr(...)}); and the filters that
 * return generators in Jinja return a {@link PythonGenerator}.
 */
final class SequenceFilter implements Filter {

    /** Filters that iterate their input, for which Python rejects None. */
    static final List<String> REJECTING = List.of(
            "sort", "unique", "sum", "min", "max", "reverse", "batch", "slice", "groupby");

    /** Filters that return a generator in Jinja. */
    static final List<String> GENERATORS = List.of("selectattr", "rejectattr", "select", "reject", "map", "unique");

    /** Filters that Jinja writes as {@code if value: ...}, so None gives an empty result. */
    static final List<String> EMPTY_ON_NONE = List.of("selectattr", "rejectattr", "select", "reject", "map");

    /** Every filter this adapts. */
    static final List<String> NAMES = java.util.stream.Stream.concat(REJECTING.stream(), EMPTY_ON_NONE.stream()).toList();

    private final Filter delegate;

    SequenceFilter(Filter delegate) {
        this.delegate = delegate;
    }

    @Override
    public String getName() {
        return delegate.getName();
    }

    @Override
    public Object filter(Object value, JinjavaInterpreter interpreter, String... args) {
        if (value == PythonNone.NONE) {
            return onNone();
        }
        return asGenerator(delegate.filter(materialize(value), interpreter, args));
    }

    @Override
    public Object filter(Object value, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        if (value == PythonNone.NONE) {
            return onNone();
        }
        return asGenerator(delegate.filter(materialize(value), interpreter, args, kwargs));
    }

    /** Jinjava's filters expect collections; a generator is consumed into a list for them. */
    private static Object materialize(Object value) {
        return value instanceof PythonGenerator ? PythonIteration.items(value) : value;
    }

    private Object asGenerator(Object result) {
        if (!GENERATORS.contains(getName()) || result == null) {
            return result;
        }
        return new PythonGenerator(PythonIteration.items(result));
    }

    private Object onNone() {
        if (EMPTY_ON_NONE.contains(getName())) {
            return new PythonGenerator(new java.util.ArrayList<>());
        }
        throw RenderFailure.raise("'NoneType' object is not iterable");
    }
}
