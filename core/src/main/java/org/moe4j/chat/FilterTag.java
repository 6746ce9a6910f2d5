package org.moe4j.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;

/**
 * {@code {% filter name %}...{% endfilter %}}: applies filters (without arguments, chained with
 * {@code |}) to the rendered body. Jinja has this tag and Jinjava does not.
 */
final class FilterTag implements Tag {

    @Override
    public String getName() {
        return "filter";
    }

    @Override
    public String getEndTagName() {
        return "endfilter";
    }

    @Override
    public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
        StringBuilder body = new StringBuilder();
        for (Node child : tagNode.getChildren()) {
            body.append(child.render(interpreter).getValue());
        }
        Object value = body.toString();
        for (String name : tagNode.getHelpers().trim().split("\\s*\\|\\s*")) {
            Filter filter = interpreter.getContext().getFilter(name);
            if (filter == null) {
                throw RenderFailure.raise("No filter named '" + name + "'.");
            }
            value = filter.filter(value, interpreter);
        }
        return PythonStr.str(value);
    }
}
