package org.moe4j.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.List;
import java.util.Map;

/** Jinja's {@code items} filter, which Jinjava lacks: a mapping's key/value pairs, in order. */
final class ItemsFilter implements Filter {

  @Override
  public String getName() {
    return "items";
  }

  @Override
  public Object filter(Object value, JinjavaInterpreter interpreter, String... args) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw RenderFailure.raise("Can only get item pairs from a mapping.");
    }
    return PythonMethods.items(map);
  }
}
