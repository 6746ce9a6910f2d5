package org.moe4j.cli;

import org.moe4j.cli.options.ExpertCacheOptions;
import org.moe4j.cli.options.ModelOptions;
import org.moe4j.cli.options.RoutingOptions;
import org.moe4j.cli.options.SamplingOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.moe4j.api.ChatSession;
import org.moe4j.api.Moe4j;
import org.moe4j.chat.ChatMessage;
import org.moe4j.chat.ChatTemplate;
import org.moe4j.chat.RenderOptions;
import org.moe4j.generate.GenerationConfig;
import org.moe4j.generate.GenerationStats;
import org.moe4j.moe.cache.ExpertCache;
import org.moe4j.trace.RoutingSession;
import org.moe4j.trace.TokenTexts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"Chat with a model, rendered with the model's own chat template (tokenizer.chat_template; "
                + "ChatML when the file has none).",
                "Interactive: type a message and press Enter; end a line with \\ to continue it, or wrap several lines "
                        + "in \"\"\". Commands: /reset, /system TEXT, /think (show or hide reasoning), /help, /exit. "
                        + "Ctrl-C stops the current answer; Ctrl-D or /exit quits.",
                "Non-interactive (--json): reads {\"messages\": [...]} from stdin and prints the reply as JSON."})
final class ChatCommand implements Callable<Integer> {
    @Option(names = "--system", description = "System prompt")
    String system;

    @Option(names = "--template", description = "Use this Jinja chat template file instead of the model's")
    Path templateFile;

    @Option(names = "--hide-thinking", description = "Do not show reasoning (thinking / analysis channel) text")
    boolean hideThinking;

    @Option(names = "--reasoning-effort", description = "For templates that take it (gpt-oss): low, medium or high")
    String reasoningEffort;

    @Option(names = "--no-thinking", description = "For templates that take enable_thinking (Qwen3): ask the model not to think")
    boolean noThinking;

    @Option(names = "--json", description = "Read a JSON conversation {\"messages\": [{\"role\": ..., \"content\": ...}]} from stdin, "
            + "print the reply as JSON and exit")
    boolean json;

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    SamplingOptions sampling;

    @Mixin
    RoutingOptions routing;

    @Mixin
    ExpertCacheOptions expertCache;

    private long decodeSteps;
    private long generationNanos;

    private static final String DIM = "\u001b[2m";
    private static final String RESET = "\u001b[0m";

    @Override
    public Integer call() throws IOException {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (Moe4j llm = Moe4j.load(modelOptions.path(), modelOptions.loadOptions(), modelOptions.contextLength())) {
            // before the routing session, so the trace and the active-expert figures hold only the chat
            if (!json) llm.warmUp();
            return chat(llm, out);
        }
    }

    private int chat(Moe4j llm, PrintStream out) throws IOException {
        // the cache after the routing session, so that skipping sees the routing after every policy
        try (RoutingSession rs = routing.install(llm.model(), TokenTexts.of(llm.tokenizer()));
             ExpertCache opened = expertCache.open(llm.model())) {
            ChatTemplate template = ChatSession.templateOf(llm, templateFile == null ? null : Files.readString(templateFile));
            RenderOptions options = RenderOptions.defaults();
            if (reasoningEffort != null) options = options.with("reasoning_effort", reasoningEffort);
            if (noThinking) options = options.with("enable_thinking", false);
            ChatSession session = new ChatSession(llm, template, options);
            session.setSystem(system);
            int code = json ? answerJson(session, out) : interactive(session, out);
            if (routing.requested()) System.err.println(rs.stats().summary());
            expertCache.report(opened, llm.model(), decodeSteps == 0 ? 0 : decodeSteps * 1e9 / generationNanos, System.err);
            return code;
        }
    }

    private int answerJson(ChatSession session, PrintStream out) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        JsonNode in = mapper.readTree(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        if (in == null || !in.has("messages") || !in.get("messages").isArray() || in.get("messages").isEmpty()) {
            throw new IllegalArgumentException("expected a JSON object with a non-empty \"messages\" array on stdin");
        }
        List<JsonNode> msgs = new ArrayList<>();
        in.get("messages").forEach(msgs::add);
        JsonNode last = msgs.get(msgs.size() - 1);
        if (!"user".equals(last.path("role").asText())) {
            throw new IllegalArgumentException("the last message must have role \"user\"");
        }
        for (JsonNode m : msgs.subList(0, msgs.size() - 1)) {
            String role = m.path("role").asText();
            String content = m.path("content").asText("");
            switch (role) {
                case "system" -> session.setSystem(content);
                case "user", "assistant" -> session.appendHistory(new ChatMessage(role, content, null, List.of(), null, null));
                default -> throw new IllegalArgumentException("unsupported role '" + role + "' (system, user, assistant)");
            }
        }
        ChatSession.Reply r = session.send(last.path("content").asText(""), sampling.toConfig(), null, null);
        count(r.result().stats());
        ObjectNode o = mapper.createObjectNode();
        o.put("role", "assistant");
        o.put("content", r.content());
        if (!r.reasoning().isEmpty()) o.put("reasoning", r.reasoning());
        o.put("stop_reason", r.result().reason().name().toLowerCase(Locale.ROOT));
        ObjectNode usage = o.putObject("usage");
        usage.put("prompt_tokens", r.promptTokens().length);
        usage.put("completion_tokens", r.result().tokens().length);
        out.println(mapper.writeValueAsString(o));
        return 0;
    }

    private int interactive(ChatSession session, PrintStream out) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        boolean tty = System.console() != null;
        boolean showThinking = !hideThinking;
        Interrupts.install();
        GenerationConfig cfg = sampling.toConfig();
        System.err.println("chat with " + modelOptions.path().getFileName() + " (" + session.format().output().name().toLowerCase(Locale.ROOT)
                + " output); /help for commands");
        while (true) {
            String msg = readMessage(in, out, tty);
            if (msg == null) break;
            if (msg.isBlank()) continue;
            if (msg.startsWith("/")) {
                String[] parts = msg.trim().split("\\s+", 2);
                switch (parts[0]) {
                    case "/exit", "/quit" -> { return 0; }
                    case "/reset" -> { session.reset(); System.err.println("(conversation cleared)"); }
                    case "/system" -> { session.setSystem(parts.length > 1 ? parts[1] : null); session.reset();
                        System.err.println(parts.length > 1 ? "(system prompt set; conversation cleared)" : "(system prompt removed)"); }
                    case "/think" -> { showThinking = !showThinking; System.err.println("(reasoning " + (showThinking ? "shown" : "hidden") + ")"); }
                    case "/help" -> System.err.println("/reset  /system TEXT  /think  /exit   (\\ at line end or \"\"\" for multi-line input)");
                    default -> System.err.println("unknown command " + parts[0] + "; /help lists them");
                }
                continue;
            }
            Interrupts.take();
            boolean show = showThinking;
            boolean[] inThought = {false};
            ChatSession.Reply r = session.send(msg, cfg, d -> {
                if (!d.reasoning().isEmpty() && show) {
                    if (!inThought[0]) { out.print(tty ? DIM : "<think>"); inThought[0] = true; }
                    out.print(d.reasoning());
                }
                if (!d.content().isEmpty()) {
                    if (inThought[0]) { out.print(tty ? RESET + "\n" : "</think>\n"); inThought[0] = false; }
                    out.print(d.content());
                }
                out.flush();
            }, Interrupts::pending);
            if (inThought[0]) out.print(tty ? RESET : "</think>");
            out.println();
            if (Interrupts.take()) System.err.println("(stopped)");
            System.err.println(dimIf(tty) + r.result().stats().summary() + (tty ? RESET : ""));
            count(r.result().stats());
            cfg = cfg.withSampler(cfg.sampler().withSeed(cfg.sampler().seed() + 1));
        }
        return 0;
    }

    /** Generation throughput over all replies, for the statistics after the chat. */
    private void count(GenerationStats s) {
        decodeSteps += s.decodeSteps();
        generationNanos += s.generationNanos();
    }

    private static String dimIf(boolean tty) {
        return tty ? DIM : "";
    }

    /** One message: a line, lines joined by a trailing backslash, or a block between """ lines. Null at end of input. */
    private static String readMessage(BufferedReader in, PrintStream out, boolean tty) throws IOException {
        if (tty) { out.print("> "); out.flush(); }
        String line = in.readLine();
        if (line == null) return null;
        if (line.trim().equals("\"\"\"")) {
            StringBuilder b = new StringBuilder();
            String l;
            while ((l = in.readLine()) != null && !l.trim().equals("\"\"\"")) {
                if (!b.isEmpty()) b.append('\n');
                b.append(l);
            }
            return b.toString();
        }
        StringBuilder b = new StringBuilder();
        while (line != null && line.endsWith("\\")) {
            b.append(line, 0, line.length() - 1).append('\n');
            if (tty) { out.print(". "); out.flush(); }
            line = in.readLine();
        }
        if (line != null) b.append(line);
        return b.toString();
    }
}
