package org.moe4j.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Cuts special tokens out of the input before the model tokenizes the rest. As in the reference, tokens are
 * tried longest first, each over every text fragment left by the longer ones; user-defined tokens are always
 * matched, control and unknown tokens only when special text is parsed. Tokens marked to strip whitespace eat
 * the spaces beside them.
 */
final class SpecialTokenSplitter {
    private final Vocabulary vocab;
    private final int[] candidates;
    /** A trie over all candidate texts, to find in one pass which of possibly thousands of tokens occur at all. */
    private final TrieNode root = new TrieNode();

    private static final class TrieNode {
        final Map<Character, TrieNode> next = new HashMap<>(4);
        int token = -1;
    }

    SpecialTokenSplitter(Vocabulary vocab) {
        this.vocab = vocab;
        this.candidates = vocab.specialTokensByLength();
        for (int id : candidates) {
            TrieNode node = root;
            for (char c : vocab.text(id).toCharArray()) {
                node = node.next.computeIfAbsent(c, k -> new TrieNode());
            }
            node.token = id;
        }
    }

    List<Fragment> split(String text, boolean parseSpecial) {
        List<Fragment> fragments = new ArrayList<>();
        if (text.isEmpty()) {
            return fragments;
        }
        fragments.add(Fragment.text(0, text.length()));
        boolean[] occurs = occurringTokens(text);
        for (int id : candidates) {
            if (!occurs[id] || (!parseSpecial && !vocab.has(id, TokenAttr.USER_DEFINED))) {
                continue;
            }
            fragments = splitAll(text, fragments, id);
        }
        return fragments;
    }

    private boolean[] occurringTokens(String text) {
        boolean[] occurs = new boolean[vocab.size()];
        for (int i = 0; i < text.length(); i++) {
            TrieNode node = root;
            for (int j = i; j < text.length(); j++) {
                node = node.next.get(text.charAt(j));
                if (node == null) {
                    break;
                }
                if (node.token >= 0) {
                    occurs[node.token] = true;
                }
            }
        }
        return occurs;
    }

    private List<Fragment> splitAll(String text, List<Fragment> fragments, int id) {
        String special = vocab.text(id);
        boolean lstrip = vocab.has(id, TokenAttr.LSTRIP);
        boolean rstrip = vocab.has(id, TokenAttr.RSTRIP);
        List<Fragment> out = new ArrayList<>(fragments.size() + 4);
        for (Fragment f : fragments) {
            if (f.isToken()) {
                out.add(f);
                continue;
            }
            int start = f.start();
            int end = f.end();
            int match;
            while (start < end && (match = text.indexOf(special, start)) >= 0 && match + special.length() <= end) {
                int leftEnd = match;
                if (lstrip) {
                    while (leftEnd > start && isSpace(text.charAt(leftEnd - 1))) {
                        leftEnd--;
                    }
                }
                if (leftEnd > start) {
                    out.add(Fragment.text(start, leftEnd));
                }
                out.add(Fragment.token(id));
                start = match + special.length();
                if (rstrip) {
                    while (start < end && isSpace(text.charAt(start))) {
                        start++;
                    }
                }
            }
            if (start < end) {
                out.add(Fragment.text(start, end));
            }
        }
        return out;
    }

    /** C's isspace: the whitespace the reference strips next to special tokens. */
    private static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }
}
