package org.moe4j.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import jinjava.javax.el.CompositeELResolver;
import jinjava.javax.el.ELResolver;
import jinjava.javax.el.ExpressionFactory;

/**
 * A Jinjava set up to render chat templates as Hugging Face's jinja2 environment does. Jinjava
 * supplies the template machinery (tags, macros, scoping, filters); every place where its
 * behaviour differs from Python's Jinja in a way templates show is replaced through its extension
 * points: the expression parser ({@link PythonExpressionParser}), an EL resolver for Python methods
 * ({@link PythonMethods}), the output strategy ({@link PythonOutput}), filters, tests, tags and
 * functions. Whitespace control is resolved before Jinjava sees the source ({@link JinjaWhitespace}),
 * and output containing {@code {{ }}} is never rendered a second time.
 */
final class JinjaEnvironment {

    private static final Jinjava JINJAVA = create();

    private JinjaEnvironment() {}

    static Jinjava jinjava() {
        return JINJAVA;
    }

    private static Jinjava create() {
        JinjavaConfig config = JinjavaConfig.newBuilder()
                // Whitespace is resolved beforehand, exactly as Jinja does it (see JinjaWhitespace).
                .withTrimBlocks(false)
                .withLstripBlocks(false)
                .withNestedInterpretationEnabled(false)
                .withEnableRecursiveMacroCalls(true)
                .withMaxMacroRecursionDepth(100)
                .withFailOnUnknownTokens(false)
                .withElResolver(resolver())
                .withExecutionMode(PythonOutput.INSTANCE)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withEvaluateMapKeys(true)
                        .withUseNaturalOperatorPrecedence(true)
                        .build())
                .build();
        Jinjava jinjava = new PythonSyntaxJinjava(config);
        for (String name : SequenceFilter.NAMES) {
            Filter original = jinjava.getGlobalContext().getFilter(name);
            if (original != null) {
                jinjava.registerFilter(new SequenceFilter(original));
            }
        }
        PythonFilters.all().forEach(jinjava::registerFilter);
        jinjava.registerFilter(new TojsonFilter());
        for (ExpTest test : PythonTests.all()) {
            jinjava.registerExpTest(test);
        }
        for (ELFunctionDefinition function : TemplateFunctions.all()) {
            jinjava.registerFunction(function);
        }
        jinjava.registerTag(new GenerationTag());
        jinjava.registerTag(new FilterTag());
        jinjava.registerTag(new PythonForTag());
        jinjava.registerTag(new PythonIfTag());
        jinjava.registerTag(LoopControlTag.breakTag());
        jinjava.registerTag(LoopControlTag.continueTag());
        return jinjava;
    }

    private static ELResolver resolver() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        return resolver;
    }

    /** Jinjava whose expressions are parsed by {@link PythonExpressionParser}. */
    private static final class PythonSyntaxJinjava extends Jinjava {
        private final ExpressionFactory expressionFactory = PythonSyntaxBuilder.expressionFactory();

        PythonSyntaxJinjava(JinjavaConfig config) {
            super(config);
        }

        @Override
        public ExpressionFactory getExpressionFactory() {
            return expressionFactory;
        }
    }
}
