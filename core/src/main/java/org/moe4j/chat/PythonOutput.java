package org.moe4j.chat;

import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.expression.ExpressionStrategy;
import com.hubspot.jinjava.mode.ExecutionMode;
import com.hubspot.jinjava.tree.output.RenderedOutputNode;
import com.hubspot.jinjava.tree.parse.ExpressionToken;

/**
 * Prints {@code {{ expression }}} with Python's {@code str()}: {@code True}, {@code None},
 * {@code ['a', 1]}, {@code 1.0}, where Jinjava would print {@code true}, nothing, or Java's forms.
 * Installed through the execution mode, the hook Jinjava offers for choosing an expression strategy.
 */
final class PythonOutput implements ExpressionStrategy, ExecutionMode {

    static final PythonOutput INSTANCE = new PythonOutput();

    private PythonOutput() {}

    @Override
    public RenderedOutputNode interpretOutput(ExpressionToken token, JinjavaInterpreter interpreter) {
        Object value = interpreter.resolveELExpression(token.getExpr(), token.getLineNumber());
        return new RenderedOutputNode(PythonStr.str(value));
    }

    @Override
    public void prepareContext(Context context) {
        context.setExpressionStrategy(this);
    }
}
