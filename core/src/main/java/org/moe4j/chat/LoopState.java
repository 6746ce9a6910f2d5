package org.moe4j.chat;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The {@code loop} variable of a {@code for} tag, with everything Jinja offers:
 * {@code index}, {@code index0}, {@code revindex}, {@code revindex0}, {@code first}, {@code last},
 * {@code length}, {@code depth}, {@code depth0}, {@code previtem}, {@code nextitem},
 * {@code cycle(...)} and {@code changed(...)}. Jinjava's own loop object lacks previtem and
 * nextitem, which Qwen3-Coder and Hermes templates use.
 */
final class LoopState {

    private final List<Object> items;
    private final int depth0;
    private int index0;
    private Object[] lastChanged;
    private boolean broken;
    private boolean continued;

    LoopState(List<Object> items, int depth0) {
        this.items = items;
        this.depth0 = depth0;
    }

    void moveTo(int index) {
        index0 = index;
        continued = false;
    }

    /** The attribute's value, or null (undefined) at the ends for previtem/nextitem and for unknown names. */
    Object attribute(String name) {
        int length = items.size();
        return switch (name) {
            case "index" -> index0 + 1;
            case "index0" -> index0;
            case "revindex" -> length - index0;
            case "revindex0" -> length - index0 - 1;
            case "first" -> index0 == 0;
            case "last" -> index0 == length - 1;
            case "length" -> length;
            case "depth" -> depth0 + 1;
            case "depth0" -> depth0;
            case "previtem" -> index0 > 0 ? items.get(index0 - 1) : null;
            case "nextitem" -> index0 + 1 < length ? items.get(index0 + 1) : null;
            default -> null;
        };
    }

    boolean hasMethod(String name) {
        return name.equals("cycle") || name.equals("changed");
    }

    Object call(String name, Object[] args) {
        if (name.equals("cycle")) {
            if (args.length == 0) {
                throw RenderFailure.raise("no items for cycling given");
            }
            return args[index0 % args.length];
        }
        boolean changed = lastChanged == null || !Arrays.equals(lastChanged, args, (a, b) -> Objects.equals(a, b) ? 0 : 1);
        lastChanged = args.clone();
        return changed;
    }

    void requestBreak() {
        broken = true;
    }

    void requestContinue() {
        continued = true;
    }

    boolean isBroken() {
        return broken;
    }

    boolean isContinued() {
        return continued;
    }

    @Override
    public String toString() {
        return "<LoopContext " + (index0 + 1) + "/" + items.size() + ">";
    }
}
