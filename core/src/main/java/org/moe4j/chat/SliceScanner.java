package org.moe4j.chat;

import com.hubspot.jinjava.el.ext.ExtendedScanner;
import java.util.ArrayDeque;
import java.util.Deque;
import jinjava.de.odysseus.el.tree.impl.Scanner;

/**
 * Jinjava's scanner, plus one distinction its parser cannot make by itself: the second colon of a
 * Python slice ({@code [a:b:step]}, {@code [::-1]}) is returned as {@link #STEP_COLON} so that
 * {@link PythonSliceParser} can read a step. Tracking bracket nesting here keeps colons of dict
 * literals and of nested brackets out of it.
 */
final class SliceScanner extends ExtendedScanner {

  /** Same one-character image as a colon, so the scanner's position advances by one. */
  static final Scanner.ExtensionToken STEP_COLON = new Scanner.ExtensionToken(":");

  /** One entry per open bracket: colons seen at that level, or -1 for ( and {. */
  private final Deque<int[]> open = new ArrayDeque<>();

  SliceScanner(String input) {
    super(input);
  }

  @Override
  protected Token nextToken() throws ScanException {
    Token token = super.nextToken();
    switch (token.getSymbol()) {
      case LBRACK -> open.push(new int[] {0});
      case LPAREN -> open.push(new int[] {-1});
      case RBRACK, RPAREN -> open.poll();
      case EXTENSION -> {
        if ("{".equals(token.getImage())) {
          open.push(new int[] {-1});
        } else if ("}".equals(token.getImage())) {
          open.poll();
        }
      }
      case COLON -> {
        int[] level = open.peek();
        if (level != null && level[0] >= 0 && ++level[0] == 2) {
          return STEP_COLON;
        }
      }
      default -> {}
    }
    return token;
  }
}
