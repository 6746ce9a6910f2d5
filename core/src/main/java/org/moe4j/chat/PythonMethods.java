package org.moe4j.chat;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Resolves method calls on strings, dicts, lists and the loop variable the way Jinja does ({@code s.startswith(..)},
 * {@code d.items()}, {@code d.get(k, default)}), ahead of Jinjava's bean resolver, which would look
 * for Java methods of the same name.
 *
 * <p>Methods that mutate a list or dict are refused with the message of the
 * {@code ImmutableSandboxedEnvironment} that Hugging Face renders chat templates in, so a template
 * that only works by mutating fails here exactly as it fails there.
 */
final class PythonMethods extends ELResolver {

    private static final Set<String> LIST_MUTATORS =
            Set.of("append", "pop", "extend", "insert", "remove", "clear", "sort", "reverse");
    private static final Set<String> DICT_MUTATORS =
            Set.of("pop", "popitem", "update", "setdefault", "clear");

    @Override
    public Object invoke(
            ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(method instanceof String name) || base == null) {
            return null;
        }
        Object[] args = params == null ? new Object[0] : params;
        Object result;
        if (base == PythonNone.NONE) {
            throw RenderFailure.raise("'None' has no attribute '" + name + "'");
        } else if (base instanceof LoopState loop && loop.hasMethod(name)) {
            result = loop.call(name, args);
        } else if (base instanceof CharSequence text) {
            result = PythonStrings.call(text.toString(), name, args);
        } else if (base instanceof Map<?, ?> map) {
            if (!isDictMethod(name)) {
                throw RenderFailure.raise("'dict object' has no attribute '" + name + "'");
            }
            result = dictMethod(map, name, args);
        } else if (base instanceof List<?> list) {
            if (!isListMethod(name)) {
                throw RenderFailure.raise("'list object' has no attribute '" + name + "'");
            }
            result = listMethod(list, name, args);
        } else {
            return null;
        }
        context.setPropertyResolved(true);
        return result;
    }

    private static boolean isDictMethod(String name) {
        return switch (name) {
            case "get", "items", "keys", "values" -> true;
            default -> DICT_MUTATORS.contains(name);
        };
    }

    private static boolean isListMethod(String name) {
        return name.equals("index") || name.equals("count") || LIST_MUTATORS.contains(name);
    }

    private static Object dictMethod(Map<?, ?> map, String name, Object[] args) {
        return switch (name) {
            case "get" -> map.containsKey(args[0])
                    ? map.get(args[0])
                    : (args.length > 1 ? args[1] : PythonNone.NONE);
            case "items" -> items(map);
            case "keys" -> new ArrayList<>(map.keySet());
            case "values" -> new ArrayList<>(map.values());
            default -> throw unsafe(name, "dict");
        };
    }

    private static Object listMethod(List<?> list, String name, Object[] args) {
        return switch (name) {
            case "index" -> {
                int at = list.indexOf(args[0]);
                if (at < 0) {
                    throw RenderFailure.raise(args[0] + " is not in list");
                }
                yield at;
            }
            case "count" -> (int) list.stream().filter(e -> java.util.Objects.equals(e, args[0])).count();
            default -> throw unsafe(name, "list");
        };
    }

    /** {@code dict.items()}: key/value pairs that unpack in {@code for k, v in ...}. */
    static List<Object> items(Map<?, ?> map) {
        List<Object> out = new ArrayList<>(map.size());
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            out.add(new PythonTuple(entry.getKey(), entry.getValue()));
        }
        return out;
    }

    private static ChatTemplateException unsafe(String name, String type) {
        return RenderFailure.raise(
                "access to attribute '" + name + "' of '" + type + "' object is unsafe.");
    }

    /** Attributes of the loop variable; an attribute of None is undefined in Jinja, not an error. */
    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        if (base instanceof LoopState loop) {
            context.setPropertyResolved(true);
            return loop.attribute(String.valueOf(property));
        }
        if (base == PythonNone.NONE) {
            context.setPropertyResolved(true);
        }
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {}

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return Object.class;
    }
}
