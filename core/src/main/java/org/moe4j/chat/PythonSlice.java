package org.moe4j.chat;

import com.hubspot.jinjava.el.ext.AstRangeBracket;
import java.util.ArrayList;
import java.util.List;
import jinjava.de.odysseus.el.tree.Bindings;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.de.odysseus.el.tree.impl.ast.AstRightValue;
import jinjava.javax.el.ELContext;

/**
 * {@code value[start:stop:step]} with Python's rules: negative indices count from the end, bounds
 * are clamped, a negative step walks backwards, and a missing bound means "from the edge".
 */
final class PythonSlice extends AstRangeBracket {

    private final AstNode start;
    private final AstNode stop;
    private final AstNode step;

    PythonSlice(AstNode base, AstNode start, AstNode stop, AstNode step) {
        super(base, start, stop, false, false, false);
        this.start = start;
        this.stop = stop;
        this.step = step;
    }

    @Override
    public Object eval(Bindings bindings, ELContext context) {
        Object base = prefix.eval(bindings, context);
        if (base == null) {
            return null;
        }
        if (base == PythonNone.NONE) {
            throw RenderFailure.raise("'NoneType' object is not subscriptable");
        }
        Integer from = index(start, bindings, context);
        Integer to = index(stop, bindings, context);
        Integer by = index(step, bindings, context);
        if (base instanceof CharSequence text) {
            int[] cps = text.toString().codePoints().toArray();
            StringBuilder out = new StringBuilder();
            for (int i : positions(cps.length, from, to, by)) {
                out.appendCodePoint(cps[i]);
            }
            return out.toString();
        }
        if (base instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (int i : positions(list.size(), from, to, by)) {
                out.add(list.get(i));
            }
            return out;
        }
        throw RenderFailure.raise("'" + PythonTypes.typeName(base) + "' object is not subscriptable");
    }

    private static Integer index(AstNode node, Bindings bindings, ELContext context) {
        if (node == null) {
            return null;
        }
        Object value = node.eval(bindings, context);
        return value == null || value == PythonNone.NONE ? null : ((Number) value).intValue();
    }

    /** The indices Python's {@code slice(from, to, by).indices(length)} would visit. */
    static int[] positions(int length, Integer from, Integer to, Integer by) {
        int step = by == null ? 1 : by;
        if (step == 0) {
            throw RenderFailure.raise("slice step cannot be zero");
        }
        int lower = step > 0 ? 0 : -1;
        int upper = step > 0 ? length : length - 1;
        int begin = from == null ? (step > 0 ? lower : upper) : clamp(from, length, lower, upper);
        int end = to == null ? (step > 0 ? upper : lower) : clamp(to, length, lower, upper);
        int count = step > 0
                ? Math.max(0, (end - begin + step - 1) / step)
                : Math.max(0, (begin - end - step - 1) / -step);
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = begin + i * step;
        }
        return out;
    }

    private static int clamp(int index, int length, int lower, int upper) {
        if (index < 0) {
            return Math.max(index + length, lower);
        }
        return Math.min(index, upper);
    }

    /** Stop and step of a three-part slice, carried from the parser to {@link PythonSlice}. */
    static final class Bounds extends AstRightValue {
        private final AstNode stop;
        private final AstNode step;

        Bounds(AstNode stop, AstNode step) {
            this.stop = stop;
            this.step = step;
        }

        AstNode stop() {
            return stop;
        }

        AstNode step() {
            return step;
        }

        @Override
        public void appendStructure(StringBuilder builder, Bindings bindings) {
            if (stop != null) {
                stop.appendStructure(builder, bindings);
            }
            builder.append(':');
            if (step != null) {
                step.appendStructure(builder, bindings);
            }
        }

        @Override
        public Object eval(Bindings bindings, ELContext context) {
            throw new IllegalStateException("slice bounds are not a value");
        }

        @Override
        public int getCardinality() {
            return 2;
        }

        @Override
        public AstNode getChild(int i) {
            return i == 0 ? stop : step;
        }
    }
}
