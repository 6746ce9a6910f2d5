package org.moe4j.chat;

/**
 * A chat template could not be rendered: the template called {@code raise_exception(message)}
 * (then {@link #getMessage()} is exactly that message), or it failed as Python Jinja would fail.
 */
public final class ChatTemplateException extends RuntimeException {

    public ChatTemplateException(String message) {
        super(message);
    }

    public ChatTemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
