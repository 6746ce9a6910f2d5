package org.moe4j.chat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import jinjava.de.odysseus.el.misc.TypeConverter;
import jinjava.de.odysseus.el.tree.Bindings;
import jinjava.de.odysseus.el.tree.impl.ast.AstBinary;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.javax.el.ELContext;

/**
 * Operators with Python's meaning. Jinjava's {@code +} concatenates a string with anything and its
 * {@code ~} prints values the Java way ({@code true}, {@code null}); Python refuses {@code "a" + 1}
 * and prints {@code True} and {@code None}. Equality and membership follow {@link PythonEquality}.
 */
final class PythonOperators {

    private PythonOperators() {}

    /** {@code a ~ b}: both sides converted with {@code str()}, undefined as "". */
    static final AstBinary.Operator CONCAT = new AstBinary.SimpleOperator() {
        @Override
        protected Object apply(TypeConverter converter, Object left, Object right) {
            return PythonStr.str(left) + PythonStr.str(right);
        }

        @Override
        public String toString() {
            return "~";
        }
    };

    /** {@code a + b}: numbers add, strings and lists concatenate, other mixes are errors. */
    static final AstBinary.Operator ADD = new AstBinary.SimpleOperator() {
        @Override
        public Object eval(Bindings bindings, ELContext context, AstNode left, AstNode right) {
            Object a = left.eval(bindings, context);
            if (a == null) {
                throw RenderFailure.raise(UndefinedValues.describe(left, bindings, context));
            }
            Object b = right.eval(bindings, context);
            if (b == null) {
                throw RenderFailure.raise(UndefinedValues.describe(right, bindings, context));
            }
            return apply(null, a, b);
        }

        @Override
        protected Object apply(TypeConverter converter, Object left, Object right) {
            if (left instanceof CharSequence a && right instanceof CharSequence b) {
                if (a instanceof PythonMarkup || b instanceof PythonMarkup) {
                    return PythonMarkup.concat(a, b);
                }
                return a.toString() + b;
            }
            if (left instanceof Collection<?> a && right instanceof Collection<?> b) {
                List<Object> sum = new ArrayList<>(a);
                sum.addAll(b);
                return sum;
            }
            if (isNumber(left) && isNumber(right)) {
                return add((Number) number(left), (Number) number(right));
            }
            if (left instanceof CharSequence) {
                throw RenderFailure.raise(
                        "can only concatenate str (not \"" + PythonTypes.typeName(right) + "\") to str");
            }
            throw RenderFailure.raise("unsupported operand type(s) for +: '"
                    + PythonTypes.typeName(left) + "' and '" + PythonTypes.typeName(right) + "'");
        }

        @Override
        public String toString() {
            return "+";
        }
    };

    private static boolean isInteger(Object value) {
        return value instanceof Boolean || (value instanceof Number n && !isFloat(n));
    }

    private static boolean isNumber(Object value) {
        return value instanceof Number || value instanceof Boolean;
    }

    private static Object number(Object value) {
        return value instanceof Boolean b ? (b ? 1L : 0L) : value;
    }

    private static Number add(Number a, Number b) {
        if (isFloat(a) || isFloat(b)) {
            return a.doubleValue() + b.doubleValue();
        }
        return Math.addExact(a.longValue(), b.longValue());
    }

    private static boolean isFloat(Number n) {
        return n instanceof Double || n instanceof Float || n instanceof java.math.BigDecimal;
    }

    /** {@code a * b}: numbers multiply, a string or list times an int repeats. */
    static final AstBinary.Operator MUL = new AstBinary.SimpleOperator() {
        @Override
        protected Object apply(TypeConverter converter, Object left, Object right) {
            if (left instanceof CharSequence text && isInteger(right)) {
                return text.toString().repeat(Math.max(0, ((Number) number(right)).intValue()));
            }
            if (right instanceof CharSequence text && isInteger(left)) {
                return text.toString().repeat(Math.max(0, ((Number) number(left)).intValue()));
            }
            if (left instanceof Collection<?> items && isInteger(right)) {
                List<Object> out = new ArrayList<>();
                for (int i = 0; i < ((Number) number(right)).intValue(); i++) {
                    out.addAll(items);
                }
                return out;
            }
            if (isNumber(left) && isNumber(right)) {
                Number a = (Number) number(left);
                Number b = (Number) number(right);
                if (isFloat(a) || isFloat(b)) {
                    return a.doubleValue() * b.doubleValue();
                }
                return Math.multiplyExact(a.longValue(), b.longValue());
            }
            throw RenderFailure.raise("unsupported operand type(s) for *: '"
                    + PythonTypes.typeName(left) + "' and '" + PythonTypes.typeName(right) + "'");
        }

        @Override
        public String toString() {
            return "*";
        }
    };

    /** {@code a and b}: a if a is false, else b (the operand itself, not a bool). */
    static final AstBinary.Operator AND = new AstBinary.Operator() {
        @Override
        public Object eval(Bindings bindings, ELContext context, AstNode left, AstNode right) {
            Object a = left.eval(bindings, context);
            return PythonTypes.isTruthy(a) ? right.eval(bindings, context) : a;
        }

        @Override
        public String toString() {
            return "and";
        }
    };

    /** {@code a or b}: a if a is true, else b. */
    static final AstBinary.Operator OR = new AstBinary.Operator() {
        @Override
        public Object eval(Bindings bindings, ELContext context, AstNode left, AstNode right) {
            Object a = left.eval(bindings, context);
            return PythonTypes.isTruthy(a) ? a : right.eval(bindings, context);
        }

        @Override
        public String toString() {
            return "or";
        }
    };

    static final AstBinary.Operator EQ = simple("==", (a, b) -> PythonEquality.equal(a, b));
    static final AstBinary.Operator NE = simple("!=", (a, b) -> !PythonEquality.equal(a, b));
    static final AstBinary.Operator IN = simple("in", (a, b) -> PythonEquality.contains(b, a));
    static final AstBinary.Operator NOT_IN = simple("not in", (a, b) -> !PythonEquality.contains(b, a));

    private static AstBinary.Operator simple(String symbol, java.util.function.BinaryOperator<Object> function) {
        return new AstBinary.SimpleOperator() {
            @Override
            protected Object apply(TypeConverter converter, Object left, Object right) {
                return function.apply(left, right);
            }

            @Override
            public String toString() {
                return symbol;
            }
        };
    }
}
