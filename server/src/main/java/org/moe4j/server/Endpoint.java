package org.moe4j.server;

/** The two generation endpoints: their request shapes and response objects differ. */
public enum Endpoint {
    CHAT("/v1/chat/completions", "chat.completion", "chatcmpl-"),
    COMPLETION("/v1/completions", "text_completion", "cmpl-");

    final String path;
    final String object;
    final String idPrefix;

    Endpoint(String path, String object, String idPrefix) {
        this.path = path;
        this.object = object;
        this.idPrefix = idPrefix;
    }
}
