package org.moe4j.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.List;
import java.util.Map;

/**
 * Wraps one of Jinjava's sequence filters so that None gets Jinja's treatment: an error for most
 * ({@code tools|list} with Hugging Face's {@code tools=None}), an empty result for the filters that
 * Jinja guards with a truth test ({@code tools|selectattr(...)}).
 */
final class NoneRejectingFilter implements Filter {

  /** Filters that iterate their input, for which Python rejects None. */
  static final List<String> REJECTING = List.of(
      "list", "first", "last", "sort", "unique", "dictsort", "sum", "min", "max", "reverse",
      "batch", "slice", "groupby");

  /** Filters that Jinja writes as {@code if value: ...}, so None gives an empty result. */
  static final List<String> EMPTY_ON_NONE = List.of("selectattr", "rejectattr", "select", "reject", "map");

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
    if (value == PythonNone.NONE) {
      return onNone();
    }
    return delegate.filter(value, interpreter, args);
  }

  @Override
  public Object filter(Object value, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
    if (value == PythonNone.NONE) {
      return onNone();
    }
    return delegate.filter(value, interpreter, args, kwargs);
  }

  private Object onNone() {
    if (EMPTY_ON_NONE.contains(getName())) {
      return new java.util.ArrayList<>();
    }
    throw RenderFailure.raise("'NoneType' object is not iterable");
  }
}
