package org.moe4j.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.TagNode;

/**
 * {@code {% break %}} and {@code {% continue %}} (Jinja's loopcontrols extension, which Hugging Face
 * enables). They unwind to the enclosing {@link PythonForTag} by exception, so that nothing after
 * them renders even when they sit inside an {@code if}.
 */
final class LoopControlTag implements Tag {

    /** Thrown to the enclosing loop; carries no stack trace since it is control flow. */
    static final class Signal extends RuntimeException {
        final boolean isBreak;

        Signal(boolean isBreak) {
            super(isBreak ? "break" : "continue", null, false, false);
            this.isBreak = isBreak;
        }
    }

    private final boolean isBreak;

    private LoopControlTag(boolean isBreak) {
        this.isBreak = isBreak;
    }

    static LoopControlTag breakTag() {
        return new LoopControlTag(true);
    }

    static LoopControlTag continueTag() {
        return new LoopControlTag(false);
    }

    @Override
    public String getName() {
        return isBreak ? "break" : "continue";
    }

    @Override
    public String getEndTagName() {
        return null;
    }

    @Override
    public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
        throw new Signal(isBreak);
    }
}
