package org.moe4j.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.moe4j.chat.ChatFormat;
import org.moe4j.chat.ChatMessage;
import org.moe4j.chat.ChatTemplate;
import org.moe4j.chat.ReplySplitter;
import org.moe4j.chat.RenderOptions;
import org.moe4j.generate.GenerationConfig;
import org.moe4j.generate.TextGenerator;
import org.moe4j.model.KVCache;
import org.moe4j.tokenizer.Tokenizer;

/**
 * A multi-turn conversation with a model, rendered with the model's own chat template. Each turn
 * renders the whole conversation, tokenizes it as the template dictates and evaluates only what the KV
 * cache does not already hold from earlier turns. The model's output is split into the answer and its
 * reasoning (thinking tags, or gpt-oss's harmony channels), so callers can show or hide the thinking.
 */
public final class ChatSession {

    /** A streamed piece of a reply: reasoning text, answer text, or both. */
    public record Delta(String reasoning, String content) {
    }

    /** A finished turn. */
    public record Reply(String content, String reasoning, TextGenerator.Result result, int[] promptTokens) {
    }

    /** ChatML, used when a model file carries no chat template (for example the conformance models). */
    public static final String FALLBACK_TEMPLATE = "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' "
            + "+ message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private final Moe4j llm;
    private final ChatTemplate template;
    private final ChatFormat format;
    private final RenderOptions options;
    private final List<ChatMessage> history = new ArrayList<>();
    private final KVCache cache;
    private int[] cached = new int[0];
    private String system;

    public ChatSession(Moe4j llm, ChatTemplate template, RenderOptions options) {
        this.llm = llm;
        this.template = template;
        this.format = ChatFormat.detect(template.source(), pieceText(llm.tokenizer(), llm.tokenizer().eos()));
        this.options = options.withGenerationPrompt(true);
        this.cache = llm.model().newCache(1, llm.contextLength());
    }

    /** A session with the model's own template (or ChatML when it has none). */
    public static ChatSession of(Moe4j llm) {
        return new ChatSession(llm, templateOf(llm, null), RenderOptions.defaults());
    }

    /** The model's template, or {@code override} if given, or ChatML when the file has none. */
    public static ChatTemplate templateOf(Moe4j llm, String override) {
        Tokenizer t = llm.tokenizer();
        String source = override != null ? override : llm.model().file().getString("tokenizer.chat_template", null);
        return ChatTemplate.of(source != null ? source : FALLBACK_TEMPLATE, pieceText(t, t.bos()), pieceText(t, t.eos()));
    }

    private static String pieceText(Tokenizer t, int id) {
        return id >= 0 ? t.piece(id) : "";
    }

    public ChatFormat format() {
        return format;
    }

    public List<ChatMessage> history() {
        return Collections.unmodifiableList(history);
    }

    /** Sets (or with null removes) the system prompt; it applies from the next turn on. */
    public void setSystem(String text) {
        system = text == null || text.isBlank() ? null : text;
    }

    /** Adds an earlier turn (e.g. a conversation given as JSON) without generating. */
    public void appendHistory(ChatMessage message) {
        history.add(message);
    }

    /** Forgets the conversation (the system prompt stays). */
    public void reset() {
        history.clear();
        cached = new int[0];
        cache.clearAll();
    }

    /** The prompt text of the conversation so far plus {@code pending}, as the template renders it. */
    public String render(List<ChatMessage> pending) {
        List<ChatMessage> all = new ArrayList<>();
        if (system != null) all.add(ChatMessage.system(system));
        all.addAll(history);
        all.addAll(pending);
        return template.render(all, options);
    }

    /** Token ids of a rendered prompt: special-token text becomes tokens; BOS only if the template did not write it. */
    public int[] tokenize(String rendered) {
        return tokenizeRendered(llm.tokenizer(), rendered);
    }

    /** Token ids of a prompt a chat template rendered, as {@link #tokenize(String)} makes them. */
    public static int[] tokenizeRendered(Tokenizer t, String rendered) {
        String bos = pieceText(t, t.bos());
        boolean templateWroteBos = !bos.isEmpty() && rendered.startsWith(bos);
        return t.encode(rendered, !templateWroteBos, true);
    }

    /** Sends a user message and generates the reply, streaming deltas. */
    public Reply send(String userText, GenerationConfig config, Consumer<Delta> onDelta, BooleanSupplier cancelled) {
        ChatMessage user = ChatMessage.user(userText);
        String rendered = render(List.of(user));
        int[] prompt = tokenize(rendered);
        GenerationConfig cfg = config.withStop(merge(config.stop(), format.stopStrings()));
        ReplySplitter splitter = new ReplySplitter(format, rendered,
                onDelta == null ? null : d -> onDelta.accept(new Delta(d.reasoning(), d.content())));
        int common = commonPrefix(cached, prompt);
        TextGenerator.Result r = new TextGenerator(llm.model(), llm.tokenizer())
                .generate(prompt, common, cfg, cache, 0, splitter::push, cancelled);
        splitter.finish();
        int inCache = cache.length(0);
        int[] all = new int[prompt.length + r.tokens().length];
        System.arraycopy(prompt, 0, all, 0, prompt.length);
        System.arraycopy(r.tokens(), 0, all, prompt.length, r.tokens().length);
        cached = java.util.Arrays.copyOf(all, Math.min(inCache, all.length));
        history.add(user);
        history.add(splitter.reasoning().isEmpty() ? ChatMessage.assistant(splitter.content())
                : ChatMessage.assistant(splitter.content(), splitter.reasoning()));
        return new Reply(splitter.content(), splitter.reasoning(), r, prompt);
    }

    private static List<String> merge(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        for (String s : b) if (!out.contains(s)) out.add(s);
        return out;
    }

    private static int commonPrefix(int[] a, int[] b) {
        int n = Math.min(a.length, b.length);
        int i = 0;
        while (i < n && a[i] == b[i]) i++;
        return i;
    }
}
