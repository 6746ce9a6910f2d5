package org.moe4j.chat;

import com.hubspot.jinjava.el.ext.AdditionOperator;
import com.hubspot.jinjava.el.ext.AstNamedParameter;
import com.hubspot.jinjava.el.ext.AstRangeBracket;
import com.hubspot.jinjava.el.ext.AstTuple;
import com.hubspot.jinjava.el.ext.CollectionMembershipOperator;
import com.hubspot.jinjava.el.ext.CollectionNonMembershipOperator;
import com.hubspot.jinjava.el.ext.ExtendedParser;
import com.hubspot.jinjava.el.ext.NamedParameterOperator;
import com.hubspot.jinjava.el.ext.OrOperator;
import com.hubspot.jinjava.el.ext.StringConcatOperator;
import jinjava.de.odysseus.el.tree.Bindings;
import jinjava.de.odysseus.el.tree.impl.Builder;
import jinjava.de.odysseus.el.tree.impl.Scanner;
import jinjava.de.odysseus.el.tree.impl.ast.AstBinary;
import jinjava.de.odysseus.el.tree.impl.ast.AstBracket;
import jinjava.de.odysseus.el.tree.impl.ast.AstDot;
import jinjava.de.odysseus.el.tree.impl.ast.AstIdentifier;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.de.odysseus.el.tree.impl.ast.AstParameters;
import jinjava.de.odysseus.el.tree.impl.ast.AstRightValue;
import jinjava.de.odysseus.el.tree.impl.ast.AstUnary;
import jinjava.javax.el.ELContext;

/**
 * Jinjava's expression parser, corrected where its grammar differs from Jinja's in ways chat
 * templates rely on:
 *
 * <ul>
 *   <li>{@code not} binds looser than comparisons and tests, so {@code not x is defined} means
 *       {@code not (x is defined)} and {@code not a in b} means {@code not (a in b)};
 *   <li>a keyword argument takes a whole expression, so {@code namespace(i=items|length - 1)} passes
 *       {@code (items|length) - 1} rather than subtracting 1 from the argument;
 *   <li>{@code and}, {@code or}, {@code +}, {@code *}, {@code ~}, {@code ==}, {@code !=}, {@code in} and {@code not in} behave as in
 *       Python ({@link PythonOperators});
 *   <li>{@code a.b} and {@code a[b]} fail when {@code a} is undefined ({@link StrictMemberAccess});
 *   <li>{@code none} is Python's None ({@link PythonNone}), distinct from an undefined name;
 *   <li>calls, lists and tuples accept a trailing comma, and tuples print as tuples;
 *   <li>slices take a step ({@code items[::-1]}, used by Qwen3) and follow Python's rules.
 * </ul>
 *
 * <p>Jinjava parses {@code [start:stop]} by calling {@link #expr} for start and stop. When the stop
 * expression is followed by the scanner's {@link PythonScanner#STEP_COLON}, this parser reads the
 * step and hands stop and step back together as a {@link PythonSlice.Bounds} node, which
 * {@link #createAstRangeBracket} unpacks.
 */
final class PythonExpressionParser extends ExtendedParser {

    PythonExpressionParser(Builder context, String input) {
        super(context, input);
        putExtensionHandler(StringConcatOperator.TOKEN, new ExtensionHandler(ExtensionPoint.ADD) {
            @Override
            public AstNode createAstNode(AstNode... children) {
                return createAstBinary(children[0], children[1], PythonOperators.CONCAT);
            }
        });
        putExtensionHandler(CollectionMembershipOperator.TOKEN, new ExtensionHandler(ExtensionPoint.CMP) {
            @Override
            public AstNode createAstNode(AstNode... children) {
                return createAstBinary(children[0], children[1], PythonOperators.IN);
            }
        });
        putExtensionHandler(CollectionNonMembershipOperator.TOKEN, new ExtensionHandler(ExtensionPoint.CMP) {
            @Override
            public AstNode createAstNode(AstNode... children) {
                return createAstBinary(children[0], children[1], PythonOperators.NOT_IN);
            }
        });
    }

    @Override
    protected AstBinary createAstBinary(AstNode left, AstNode right, AstBinary.Operator operator) {
        AstBinary.Operator python = operator;
        if (operator == AdditionOperator.OP) {
            python = PythonOperators.ADD;
        } else if (operator == AstBinary.AND) {
            python = PythonOperators.AND;
        } else if (operator == AstBinary.OR || operator == OrOperator.OP) {
            python = PythonOperators.OR;
        } else if (operator == AstBinary.MUL) {
            python = PythonOperators.MUL;
        } else if (operator == AstBinary.EQ) {
            python = PythonOperators.EQ;
        } else if (operator == AstBinary.NE) {
            python = PythonOperators.NE;
        }
        return super.createAstBinary(left, right, python);
    }

    /** Argument, list and tuple syntax with Python's optional trailing comma: {@code (1,)}, {@code [a, b,]}. */
    @Override
    protected AstParameters params(Scanner.Symbol left, Scanner.Symbol right)
            throws Scanner.ScanException, jinjava.de.odysseus.el.tree.impl.Parser.ParseException {
        consumeToken(left);
        java.util.List<AstNode> items = new java.util.ArrayList<>();
        AstNode item = expr(false);
        while (item != null) {
            items.add(item);
            if (getToken().getSymbol() != Scanner.Symbol.COMMA) {
                break;
            }
            consumeToken();
            item = expr(false);
        }
        consumeToken(right);
        return createAstParameters(items);
    }

    /** Tuple literals print as tuples: {@code (1,)}. */
    @Override
    protected AstTuple createAstTuple(AstParameters parameters) {
        return new AstTuple(parameters) {
            @Override
            public Object eval(Bindings bindings, ELContext context) {
                Object value = super.eval(bindings, context);
                return value instanceof java.util.List<?> items ? new PythonTuple(items.toArray()) : value;
            }
        };
    }

    @Override
    protected AstDot createAstDot(AstNode base, String property, boolean lvalue) {
        return new StrictMemberAccess.Dot(base, property, lvalue);
    }

    @Override
    protected AstBracket createAstBracket(AstNode base, AstNode property, boolean lvalue, boolean strict) {
        return new StrictMemberAccess.Bracket(base, property, lvalue, strict);
    }

    @Override
    protected Scanner createScanner(String expression) {
        return new PythonScanner(expression);
    }

    @Override
    protected AstNode eq(boolean required)
            throws Scanner.ScanException, jinjava.de.odysseus.el.tree.impl.Parser.ParseException {
        if (getToken().getSymbol() == Scanner.Symbol.NOT) {
            consumeToken();
            return createAstUnary(eq(true), AstUnary.NOT);
        }
        return super.eq(required);
    }

    /** {@code none} and {@code None} are Python's None, which Jinjava would look up as variables. */
    @Override
    protected AstNode nonliteral()
            throws Scanner.ScanException, jinjava.de.odysseus.el.tree.impl.Parser.ParseException {
        Scanner.Token token = getToken();
        if (token.getSymbol() == Scanner.Symbol.IDENTIFIER
                && (token.getImage().equals("none") || token.getImage().equals("None"))
                && lookahead(0).getSymbol() != Scanner.Symbol.LPAREN) {
            consumeToken();
            return new NoneLiteral();
        }
        return super.nonliteral();
    }

    @Override
    protected AstNode add(boolean required)
            throws Scanner.ScanException, jinjava.de.odysseus.el.tree.impl.Parser.ParseException {
        if (getToken().getSymbol() == Scanner.Symbol.IDENTIFIER
                && lookahead(0) == NamedParameterOperator.TOKEN) {
            AstIdentifier name = identifier(consumeToken().getImage());
            consumeToken();
            return new AstNamedParameter(name, expr(true));
        }
        return super.add(required);
    }

    @Override
    protected AstNode expr(boolean required)
            throws Scanner.ScanException, jinjava.de.odysseus.el.tree.impl.Parser.ParseException {
        if (getToken() == PythonScanner.STEP_COLON) {
            return new PythonSlice.Bounds(null, readStep());
        }
        AstNode node = super.expr(required);
        if (getToken() == PythonScanner.STEP_COLON) {
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

    private static final class NoneLiteral extends AstRightValue {
        @Override
        public Object eval(Bindings bindings, ELContext context) {
            return PythonNone.NONE;
        }

        @Override
        public void appendStructure(StringBuilder builder, Bindings bindings) {
            builder.append("none");
        }

        @Override
        public int getCardinality() {
            return 0;
        }

        @Override
        public AstNode getChild(int i) {
            return null;
        }
    }
}
