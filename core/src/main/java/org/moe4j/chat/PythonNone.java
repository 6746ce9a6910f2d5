package org.moe4j.chat;

import com.hubspot.jinjava.objects.serialization.PyishSerializable;
import com.hubspot.jinjava.util.HasObjectTruthValue;
import java.io.IOException;
import java.util.Iterator;

/**
 * Python's {@code None}. Jinjava has only Java null, which it also uses for undefined names, but
 * Jinja keeps them apart and templates depend on it: Hugging Face passes {@code tools=None} when
 * there are no tools, so {@code tools is defined} holds, {@code tools is none} holds, and
 * {@code for tool in tools} fails. Values arriving as null in template data, {@code none} literals
 * and {@code dict.get} misses become this object; Java null keeps meaning undefined.
 */
final class PythonNone implements HasObjectTruthValue, PyishSerializable, Iterable<Object> {

    static final PythonNone NONE = new PythonNone();

    private PythonNone() {}

    @Override
    public boolean getObjectTruthValue() {
        return false;
    }

    /** Iterating None is an error in Python; Jinjava filters and loops reach it through here. */
    @Override
    public Iterator<Object> iterator() {
        throw RenderFailure.raise("'NoneType' object is not iterable");
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends Appendable & CharSequence> T appendPyishString(T appendable) throws IOException {
        return (T) appendable.append("None");
    }

    @Override
    public String toString() {
        return "None";
    }
}
