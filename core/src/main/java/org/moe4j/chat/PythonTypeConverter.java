package org.moe4j.chat;

import com.hubspot.jinjava.el.TruthyTypeConverter;

/**
 * Jinjava's EL type converter with Python's truth test for {@code not}, {@code and}, {@code or} and
 * conditional expressions (Jinjava's counts the string "false" as false).
 */
final class PythonTypeConverter extends TruthyTypeConverter {

    @Override
    protected Boolean coerceToBoolean(Object value) {
        return PythonTypes.isTruthy(value);
    }
}
