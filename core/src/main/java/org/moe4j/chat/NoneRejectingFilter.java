package org.moe4j.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.List;
import java.util.Map;

/**
 * Wraps one of Jinjava's sequence filters so that it fails on None as Python does ({@code
 * tools|selectattr(...)} with {@code tools=None} raises in Hugging Face), instead of treating None
 * as an object to iterate once or as empty.
 */
final class NoneRejectingFilter implements Filter {

  /** Filters that iterate or measure their input, for which Python rejects None. */
  static final List<String> NAMES = List.of(
      "selectattr", "rejectattr", "select", "reject", "map", "list", "length", "count", "join",
      "first", "last", "sort", "unique", "dictsort", "sum", "min", "max", "reverse", "batch",
      "slice", "groupby");

  private final Filter delegate;

  NoneRejectingFilter(Filter delegate) {
    this.delegate = delegate;
  }

  @Override
  public String getName() {
    return delegate.getName();
  }

  @Override
  public Object filter(Object value, JinjavaInterpreter interpreter, String... args) {
    rejectNone(value);
    return delegate.filter(value, interpreter, args);
  }

  @Override
  public Object filter(Object value, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
    rejectNone(value);
    return delegate.filter(value, interpreter, args, kwargs);
  }

  private void rejectNone(Object value) {
    if (value == PythonNone.NONE) {
      throw RenderFailure.raise(getName().equals("length") || getName().equals("count")
          ? "object of type 'NoneType' has no len()"
          : "'NoneType' object is not iterable");
    }
  }
}
