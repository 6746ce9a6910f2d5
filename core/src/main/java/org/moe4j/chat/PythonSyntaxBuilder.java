package org.moe4j.chat;

import com.hubspot.jinjava.el.ExtendedSyntaxBuilder;
import jinjava.de.odysseus.el.ExpressionFactoryImpl;
import jinjava.de.odysseus.el.tree.TreeStore;
import jinjava.de.odysseus.el.tree.impl.Cache;
import jinjava.de.odysseus.el.tree.impl.Parser;
import jinjava.javax.el.ExpressionFactory;

/** Builds expression trees with {@link PythonExpressionParser} instead of Jinjava's own parser. */
final class PythonSyntaxBuilder extends ExtendedSyntaxBuilder {

    PythonSyntaxBuilder() {
        super(Feature.METHOD_INVOCATIONS, Feature.VARARGS);
    }

    @Override
    protected Parser createParser(String expression) {
        return new PythonExpressionParser(this, expression);
    }

    /** An expression factory configured like Jinjava's default one, but parsing with this builder. */
    static ExpressionFactory expressionFactory() {
        return new ExpressionFactoryImpl(
                new TreeStore(new PythonSyntaxBuilder(), new Cache(1000)), new PythonTypeConverter());
    }
}
