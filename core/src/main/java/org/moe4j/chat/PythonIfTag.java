package org.moe4j.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.tag.IfTag;
import com.hubspot.jinjava.tree.TagNode;

/**
 * {@code if}/{@code elif} with Python's truth test. Jinjava's treats the strings "false" and
 * "False" as false, so a message whose content is "false" would vanish from a prompt.
 */
final class PythonIfTag extends IfTag {

    @Override
    public boolean isPositiveIfElseNode(TagNode tagNode, JinjavaInterpreter interpreter) {
        Object condition = interpreter.resolveELExpression(
                tagNode.getHelpers(), tagNode.getLineNumber(), tagNode.getStartPosition());
        return PythonTypes.isTruthy(condition);
    }
}
