package org.moe4j.chat;

import java.util.Collection;
import java.util.Map;

/** Python's view of the Java values that flow through a template. */
final class PythonTypes {

    private PythonTypes() {}

    static String typeName(Object value) {
        if (value == null) {
            return "Undefined";
        }
        if (value == PythonNone.NONE) {
            return "NoneType";
        }
        if (value instanceof CharSequence) {
            return "str";
        }
        if (value instanceof Boolean) {
            return "bool";
        }
        if (value instanceof Double || value instanceof Float || value instanceof java.math.BigDecimal) {
            return "float";
        }
        if (value instanceof Number) {
            return "int";
        }
        if (value instanceof Map) {
            return "dict";
        }
        if (value instanceof Collection) {
            return "list";
        }
        if (value instanceof PythonGenerator) {
            return "generator";
        }
        return value.getClass().getSimpleName();
    }

    /** {@code str.isspace()} for one code point. */
    static boolean isSpace(int cp) {
        return Character.isSpaceChar(cp)
                || (cp >= 0x09 && cp <= 0x0d)
                || (cp >= 0x1c && cp <= 0x1f)
                || cp == 0x85;
    }

    static boolean isTruthy(Object value) {
        if (value == null || value == PythonNone.NONE) {
            return false;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof Number n) {
            return n.doubleValue() != 0;
        }
        if (value instanceof CharSequence s) {
            return !s.isEmpty();
        }
        if (value instanceof com.hubspot.jinjava.util.HasObjectTruthValue truth) {
            return truth.getObjectTruthValue();
        }
        if (value instanceof Collection<?> c) {
            return !c.isEmpty();
        }
        if (value instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        return true;
    }
}
