package org.moe4j.chat;

import jinjava.de.odysseus.el.tree.Bindings;
import jinjava.de.odysseus.el.tree.impl.ast.AstBracket;
import jinjava.de.odysseus.el.tree.impl.ast.AstDot;
import jinjava.de.odysseus.el.tree.impl.ast.AstIdentifier;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.PropertyNotFoundException;

/**
 * {@code a.b} and {@code a[b]} that fail when {@code a} is undefined, as Jinja's {@code Undefined}
 * does; EL quietly yields null. A missing key of a defined value stays undefined, as in Jinja.
 */
final class StrictMemberAccess {

    private StrictMemberAccess() {}

    static Object get(AstNode prefix, Object property, Bindings bindings, ELContext context) {
        Object base = prefix.eval(bindings, context);
        if (base == null) {
            throw RenderFailure.raise(describeMissingBase(prefix, bindings, context));
        }
        if (property == null) {
            return null;
        }
        context.setPropertyResolved(false);
        Object result = context.getELResolver().getValue(context, base, property);
        if (!context.isPropertyResolved()) {
            throw new PropertyNotFoundException("no property '" + property + "' on " + PythonTypes.typeName(base));
        }
        return result;
    }

    private static String describeMissingBase(AstNode prefix, Bindings bindings, ELContext context) {
        if (prefix instanceof AstIdentifier identifier) {
            String name = identifier.getName();
            if (name.startsWith("filter:")) {
                return "No filter named '" + name.substring("filter:".length()) + "'.";
            }
            if (name.startsWith("exptest:")) {
                return "No test named '" + name.substring("exptest:".length()) + "'.";
            }
        }
        return UndefinedValues.describe(prefix, bindings, context);
    }

    /** {@code a.name}. */
    static final class Dot extends AstDot {
        Dot(AstNode base, String property, boolean lvalue) {
            super(base, property, lvalue);
        }

        @Override
        public Object eval(Bindings bindings, ELContext context) {
            return get(prefix, getProperty(bindings, context), bindings, context);
        }
    }

    /** {@code a[key]}. */
    static final class Bracket extends AstBracket {
        Bracket(AstNode base, AstNode property, boolean lvalue, boolean strict) {
            super(base, property, lvalue, strict);
        }

        @Override
        public Object eval(Bindings bindings, ELContext context) {
            return get(prefix, getProperty(bindings, context), bindings, context);
        }
    }
}
