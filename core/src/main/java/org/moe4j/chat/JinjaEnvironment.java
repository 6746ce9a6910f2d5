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
 * A Jinjava set up to render chat templates as Hugging Face's Jinja environment does
 * ({@code trim_blocks} and {@code lstrip_blocks} being applied by {@link JinjaWhitespace} first):
 * Python operator precedence and dict-literal keys,
 * Python slices and str/dict methods, HF's {@code tojson}, {@code raise_exception} and
 * {@code strftime_now}, and no re-rendering of output that happens to contain {@code {{ }}}.
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
            .withKeepNullableLoopValues(true)
            .build())
        .build();
    Jinjava jinjava = new PythonSyntaxJinjava(config);
    for (String name : concat(NoneRejectingFilter.REJECTING, NoneRejectingFilter.EMPTY_ON_NONE)) {
      Filter original = jinjava.getGlobalContext().getFilter(name);
      if (original != null) {
        jinjava.registerFilter(new NoneRejectingFilter(original));
      }
    }
    PythonFilters.all().forEach(jinjava::registerFilter);
    jinjava.registerFilter(new TojsonFilter());
    jinjava.registerFilter(new ItemsFilter());
    for (ExpTest test : PythonTests.all()) {
      jinjava.registerExpTest(test);
    }
    for (ELFunctionDefinition function : TemplateFunctions.all()) {
      jinjava.registerFunction(function);
    }
    jinjava.registerTag(new GenerationTag());
    jinjava.registerTag(new FilterTag());
    jinjava.registerTag(new PythonForTag());
    jinjava.registerTag(LoopControlTag.breakTag());
    jinjava.registerTag(LoopControlTag.continueTag());
    return jinjava;
  }

  private static java.util.List<String> concat(java.util.List<String> a, java.util.List<String> b) {
    java.util.List<String> all = new java.util.ArrayList<>(a);
    all.addAll(b);
    return all;
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
