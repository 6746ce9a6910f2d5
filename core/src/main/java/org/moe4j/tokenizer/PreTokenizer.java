package org.moe4j.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits text into the words that byte-level BPE merges inside, by applying split rules in order (each rule
 * refines the pieces of the previous one), and carries the vocabulary settings the reference ties to the
 * pre-tokenizer name.
 */
final class PreTokenizer {
    private final String name;
    private final List<SplitRule> rules;
    private final boolean ignoreMerges;
    private final boolean addBos;
    private final boolean disablesBos;

    PreTokenizer(String name, List<SplitRule> rules, boolean ignoreMerges, boolean addBos, boolean disablesBos) {
        this.name = name;
        this.rules = List.copyOf(rules);
        this.ignoreMerges = ignoreMerges;
        this.addBos = addBos;
        this.disablesBos = disablesBos;
    }

    String name() {
        return name;
    }

    /** A word that is itself a token is emitted whole instead of being merged up from bytes (LLaMA 3 style). */
    boolean ignoreMerges() {
        return ignoreMerges;
    }

    /** Whether BOS is added by default when the file does not say. */
    boolean addBos() {
        return addBos;
    }

    /** ChatGLM's pre-tokenizer has no BOS token unless the file names one. */
    boolean disablesBos() {
        return disablesBos;
    }

    /** The words of {@code text}, in order; their concatenation is the text. */
    List<String> split(String text) {
        CodepointText cps = new CodepointText(text);
        IntList segments = new IntList(4);
        if (cps.length() > 0) {
            segments.add(cps.length());
        }
        for (SplitRule rule : rules) {
            segments = rule.split(cps, segments);
        }
        List<String> words = new ArrayList<>(segments.size());
        int start = 0;
        for (int i = 0; i < segments.size(); i++) {
            int end = start + segments.get(i);
            words.add(cps.substring(start, end));
            start = end;
        }
        return words;
    }

    @Override
    public String toString() {
        return "pre-tokenizer " + name + " " + rules;
    }
}
