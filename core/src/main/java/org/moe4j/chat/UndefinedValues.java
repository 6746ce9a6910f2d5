package org.moe4j.chat;

import java.util.List;
import java.util.Map;
import jinjava.de.odysseus.el.tree.Bindings;
import jinjava.de.odysseus.el.tree.impl.ast.AstBracket;
import jinjava.de.odysseus.el.tree.impl.ast.AstDot;
import jinjava.de.odysseus.el.tree.impl.ast.AstIdentifier;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.javax.el.ELContext;

/**
 * Jinja's wording for an undefined value that was used where a value is needed. Jinjava evaluates
 * such expressions to Java null; when an operation then fails, the expression that produced the
 * null is described the way Jinja's {@code Undefined} describes itself.
 */
final class UndefinedValues {

    private UndefinedValues() {}

    /** "'name' is undefined", or "'dict object' has no attribute 'key'" for a missing key. */
    static String describe(AstNode node, Bindings bindings, ELContext context) {
        if (node instanceof AstIdentifier identifier) {
            return "'" + identifier.getName() + "' is undefined";
        }
        if (node instanceof AstDot dot) {
            String text = dot.toString();
            String name = text.substring(text.lastIndexOf('.') + 1).strip();
            return missingMember(dot.getChild(0), name, bindings, context);
        }
        if (node instanceof AstBracket bracket && bracket.getCardinality() > 1) {
            Object key = bracket.getChild(1).eval(bindings, context);
            return missingMember(bracket.getChild(0), PythonStr.str(key), bindings, context);
        }
        return "'" + node + "' is undefined";
    }

    private static String missingMember(AstNode base, String name, Bindings bindings, ELContext context) {
        Object value = base.eval(bindings, context);
        if (value == null) {
            return describe(base, bindings, context);
        }
        if (value == PythonNone.NONE) {
            return name.chars().allMatch(Character::isDigit) ? "None has no element " + name : "'None' has no attribute '" + name + "'";
        }
        String type = switch (value) {
            case Map<?, ?> map -> "dict";
            case List<?> list -> "list";
            default -> PythonTypes.typeName(value);
        };
        return "'" + type + " object' has no attribute '" + name + "'";
    }
}
