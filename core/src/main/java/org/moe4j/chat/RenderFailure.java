package org.moe4j.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Errors raised while a template renders. Jinjava catches exceptions from filters, functions and
 * tags, records them and renders on, where Python stops at the first one; so the first message is
 * also kept in the render's context and {@link ChatTemplate} throws it once rendering returns.
 */
final class RenderFailure {

    /** Context variable holding the render's {@code AtomicReference<String>} for the first failure. */
    static final String HOLDER = "__moe4j_failure__";

    private RenderFailure() {}

    @SuppressWarnings("unchecked")
    static ChatTemplateException raise(String message) {
        JinjavaInterpreter interpreter = JinjavaInterpreter.getCurrent();
        if (interpreter != null && interpreter.getContext().get(HOLDER) instanceof AtomicReference<?> first) {
            ((AtomicReference<String>) first).compareAndSet(null, message);
        }
        return new ChatTemplateException(message);
    }
}
