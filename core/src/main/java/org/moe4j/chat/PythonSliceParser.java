package org.moe4j.chat;

import com.hubspot.jinjava.el.ext.AstRangeBracket;
import com.hubspot.jinjava.el.ext.ExtendedParser;
import jinjava.de.odysseus.el.tree.impl.Builder;
import jinjava.de.odysseus.el.tree.impl.Scanner;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;

/**
 * Jinjava's expression parser extended with the step part of Python slices ({@code items[::-1]}),
 * which Qwen3 templates use, and with Python semantics for every slice.
 *
 * <p>Jinjava parses {@code [start:stop]} by calling {@link #expr} for start and stop. When the stop
 * expression is followed by the scanner's {@link SliceScanner#STEP_COLON}, this parser reads the
 * step and hands stop and step back together as a {@link PythonSlice.Bounds} node, which
 * {@link #createAstRangeBracket} unpacks.
 */
final class PythonSliceParser extends ExtendedParser {

  PythonSliceParser(Builder context, String input) {
    super(context, input);
  }

  @Override
  protected Scanner createScanner(String expression) {
    return new SliceScanner(expression);
  }

  @Override
  protected AstNode expr(boolean required)
      throws Scanner.ScanException, jinjava.de.odysseus.el.tree.impl.Parser.ParseException {
    if (getToken() == SliceScanner.STEP_COLON) {
      return new PythonSlice.Bounds(null, readStep());
    }
    AstNode node = super.expr(required);
    if (getToken() == SliceScanner.STEP_COLON) {
      return new PythonSlice.Bounds(node, readStep());
    }
    return node;
  }

  private AstNode readStep()
      throws Scanner.ScanException, jinjava.de.odysseus.el.tree.impl.Parser.ParseException {
    consumeToken();
    return super.expr(false);
  }

  @Override
  protected AstRangeBracket createAstRangeBracket(
      AstNode base, AstNode start, AstNode stop, boolean lvalue, boolean strict) {
    if (stop instanceof PythonSlice.Bounds bounds) {
      return new PythonSlice(base, start, bounds.stop(), bounds.step());
    }
    return new PythonSlice(base, start, stop, null);
  }
}
