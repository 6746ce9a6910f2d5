package org.moe4j.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Jinja's {@code for} tag: {@code {% for a, b in items if cond %}...{% else %}...{% endfor %}} with
 * Python iteration (a dict yields its keys, None is an error), tuple unpacking, the inline filter
 * (which also decides {@code loop.length}), the {@code else} branch for an empty loop, a full
 * {@link LoopState} and {@code break}/{@code continue}. Jinjava's own for tag has no inline filter,
 * no else branch and no previtem/nextitem.
 */
final class PythonForTag implements Tag {

    @Override
    public String getName() {
        return "for";
    }

    @Override
    public String getEndTagName() {
        return "endfor";
    }

    @Override
    public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
        LoopHeader header = LoopHeader.parse(tagNode.getHelpers());
        int line = tagNode.getLineNumber();
        List<Object> all = PythonIteration.items(interpreter.resolveELExpression(header.iterable(), line));

        List<Node> body = new ArrayList<>();
        List<Node> orElse = new ArrayList<>();
        List<Node> target = body;
        for (Node child : tagNode.getChildren()) {
            if (target == body && child instanceof TagNode tag && tag.getName().equals("else")) {
                target = orElse;
            } else {
                target.add(child);
            }
        }

        StringBuilder out = new StringBuilder();
        try (var scope = interpreter.enterScope()) {
            List<Object> items = all;
            if (header.condition() != null) {
                items = new ArrayList<>();
                for (Object item : all) {
                    bind(interpreter, header.targets(), item);
                    if (PythonTypes.isTruthy(interpreter.resolveELExpression(header.condition(), line))) {
                        items.add(item);
                    }
                }
            }
            if (items.isEmpty()) {
                render(orElse, interpreter, out, null);
                return out.toString();
            }
            LoopState loop = new LoopState(items, 0);
            interpreter.getContext().put("loop", loop);
            for (int i = 0; i < items.size() && !loop.isBroken(); i++) {
                loop.moveTo(i);
                bind(interpreter, header.targets(), items.get(i));
                render(body, interpreter, out, loop);
            }
        }
        return out.toString();
    }

    private static void render(List<Node> nodes, JinjavaInterpreter interpreter, StringBuilder out, LoopState loop) {
        for (Node node : nodes) {
            try {
                out.append(node.render(interpreter).getValue());
            } catch (RuntimeException e) {
                LoopControlTag.Signal signal = signalIn(e);
                if (signal == null || loop == null) {
                    throw e;
                }
                if (signal.isBreak) {
                    loop.requestBreak();
                } else {
                    loop.requestContinue();
                }
                return;
            }
        }
    }

    /** Jinjava wraps exceptions thrown by tags; the loop signal may be a few causes down. */
    private static LoopControlTag.Signal signalIn(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof LoopControlTag.Signal signal) {
                return signal;
            }
        }
        return null;
    }

    private static void bind(JinjavaInterpreter interpreter, List<String> targets, Object item) {
        if (targets.size() == 1) {
            interpreter.getContext().put(targets.get(0), item);
            return;
        }
        List<Object> parts = PythonIteration.items(item);
        if (parts.size() != targets.size()) {
            throw RenderFailure.raise(parts.size() > targets.size()
                    ? "too many values to unpack (expected " + targets.size() + ")"
                    : "not enough values to unpack (expected " + targets.size() + ", got " + parts.size() + ")");
        }
        for (int i = 0; i < targets.size(); i++) {
            interpreter.getContext().put(targets.get(i), parts.get(i));
        }
    }

    /** {@code targets in iterable [if condition]}, split at the top level of the expression. */
    record LoopHeader(List<String> targets, String iterable, String condition) {

        static LoopHeader parse(String helpers) {
            String text = helpers.strip();
            int in = findKeyword(text, "in", 0);
            if (in < 0) {
                throw RenderFailure.raise("expected 'in' in for tag: " + text);
            }
            List<String> targets = new ArrayList<>();
            for (String name : text.substring(0, in).replace("(", "").replace(")", "").split(",")) {
                if (!name.isBlank()) {
                    targets.add(name.strip());
                }
            }
            String rest = text.substring(in + 2);
            if (findKeyword(rest, "recursive", 0) >= 0) {
                throw RenderFailure.raise("recursive for loops are not supported");
            }
            int condition = findKeyword(rest, "if", 0);
            return condition < 0
                    ? new LoopHeader(targets, rest.strip(), null)
                    : new LoopHeader(targets, rest.substring(0, condition).strip(), rest.substring(condition + 2).strip());
        }

        /** Index of {@code word} as a whole word outside brackets and string literals, or -1. */
        private static int findKeyword(String text, String word, int from) {
            int depth = 0;
            char quote = 0;
            for (int i = from; i < text.length(); i++) {
                char c = text.charAt(i);
                if (quote != 0) {
                    if (c == '\\') {
                        i++;
                    } else if (c == quote) {
                        quote = 0;
                    }
                } else if (c == '"' || c == '\'') {
                    quote = c;
                } else if (c == '(' || c == '[' || c == '{') {
                    depth++;
                } else if (c == ')' || c == ']' || c == '}') {
                    depth--;
                } else if (depth == 0 && text.startsWith(word, i)
                        && (i == 0 || !isNamePart(text.charAt(i - 1)))
                        && (i + word.length() == text.length() || !isNamePart(text.charAt(i + word.length())))) {
                    return i;
                }
            }
            return -1;
        }

        private static boolean isNamePart(char c) {
            return Character.isLetterOrDigit(c) || c == '_' || c == '.';
        }
    }
}
