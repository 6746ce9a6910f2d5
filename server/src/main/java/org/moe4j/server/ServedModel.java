package org.moe4j.server;

import java.nio.file.Path;
import java.util.List;
import org.moe4j.api.ChatSession;
import org.moe4j.api.Moe4j;
import org.moe4j.chat.ChatFormat;
import org.moe4j.chat.ChatTemplate;
import org.moe4j.tokenizer.Tokenizer;

/**
 * The model a server serves, with what requests need to know about it: its public id, chat template and
 * output format, context length, and the routing policy requests get when they name none.
 */
public final class ServedModel {
    private final Moe4j llm;
    private final String id;
    private final ChatTemplate template;
    private final ChatFormat format;
    private final List<String> defaultPolicy;
    private final long created = System.currentTimeMillis() / 1000;

    public ServedModel(Moe4j llm, String id, List<String> defaultPolicy) {
        this.llm = llm;
        this.id = id;
        this.template = ChatSession.templateOf(llm, null);
        Tokenizer t = llm.tokenizer();
        this.format = ChatFormat.detect(template.source(), t.eos() >= 0 ? t.piece(t.eos()) : null);
        this.defaultPolicy = defaultPolicy == null ? List.of() : List.copyOf(defaultPolicy);
    }

    /** The id of a model file: its name without the {@code .gguf} extension. */
    public static String idOf(Path file) {
        String n = file.getFileName().toString();
        return n.toLowerCase(java.util.Locale.ROOT).endsWith(".gguf") ? n.substring(0, n.length() - 5) : n;
    }

    public Moe4j llm() {
        return llm;
    }

    public String id() {
        return id;
    }

    public ChatTemplate template() {
        return template;
    }

    public ChatFormat format() {
        return format;
    }

    public Tokenizer tokenizer() {
        return llm.tokenizer();
    }

    public int contextLength() {
        return llm.contextLength();
    }

    public List<String> defaultPolicy() {
        return defaultPolicy;
    }

    /** Unix time the server loaded the model (the {@code created} field of {@code /v1/models}). */
    public long created() {
        return created;
    }
}
