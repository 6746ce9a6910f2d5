package org.moe4j.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.time.ZonedDateTime;
import java.util.List;

/** The globals Hugging Face adds to the template environment: {@code raise_exception} and {@code strftime_now}. */
final class TemplateFunctions {

    /** Context variable holding the render's {@link ZonedDateTime}, so tests can fix "now". */
    static final String NOW = "__moe4j_now__";

    private TemplateFunctions() {}

    static List<ELFunctionDefinition> all() {
        return List.of(
                new ELFunctionDefinition("", "raise_exception", TemplateFunctions.class, "raiseException", Object.class),
                new ELFunctionDefinition("", "strftime_now", TemplateFunctions.class, "strftimeNow", String.class));
    }

    /** Names a template may test with {@code is defined}, as it can in Python where they are globals. */
    static List<String> names() {
        return List.of("raise_exception", "strftime_now");
    }

    public static Object raiseException(Object message) {
        throw RenderFailure.raise(String.valueOf(message));
    }

    public static String strftimeNow(String format) {
        JinjavaInterpreter interpreter = JinjavaInterpreter.getCurrent();
        Object now = interpreter == null ? null : interpreter.getContext().get(NOW);
        return Strftime.format(now instanceof ZonedDateTime t ? t : ZonedDateTime.now(), format);
    }
}
