package org.moe4j.tokenizer;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A split rule given by a regex: inside each segment, every match becomes a piece and so does every stretch
 * of text between matches (nothing is dropped).
 */
final class RegexSplitRule implements SplitRule {
    private final String source;
    private final Pattern pattern;
    private final boolean collapsed;

    RegexSplitRule(String referenceRegex) {
        this.source = referenceRegex;
        this.collapsed = ReferenceRegex.usesCategories(referenceRegex);
        this.pattern = ReferenceRegex.compile(collapsed ? ReferenceRegex.collapse(referenceRegex) : referenceRegex);
    }

    @Override
    public IntList split(CodepointText text, IntList segments) {
        String view = collapsed ? text.collapsed() : text.wide();
        Matcher m = pattern.matcher(view);
        IntList out = new IntList(segments.size() * 4);
        int start = 0;
        for (int s = 0; s < segments.size(); s++) {
            int end = start + segments.get(s);
            m.region(charIndex(text, start), charIndex(text, end));
            int done = start;
            while (m.find()) {
                int matchStart = cpIndex(text, m.start());
                int matchEnd = cpIndex(text, m.end());
                if (matchStart > done) {
                    out.add(matchStart - done);
                }
                // an empty match cuts the text without producing a piece of its own
                if (matchEnd > matchStart) {
                    out.add(matchEnd - matchStart);
                }
                done = matchEnd;
            }
            if (done < end) {
                out.add(end - done);
            }
            start = end;
        }
        return out;
    }

    private int charIndex(CodepointText text, int cp) {
        return collapsed ? cp : text.wideCharIndex(cp);
    }

    private int cpIndex(CodepointText text, int charIndex) {
        return collapsed ? charIndex : text.wideCodepointIndex(charIndex);
    }

    @Override
    public String toString() {
        return "regex " + source;
    }
}
