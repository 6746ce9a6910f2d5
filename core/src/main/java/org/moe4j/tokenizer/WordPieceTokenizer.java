package org.moe4j.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * BERT's WordPiece as the reference runs it: the text is lower-cased and stripped of accents, cut at
 * whitespace, punctuation and CJK ideographs, and each word is covered greedily by the longest pieces; a word
 * that cannot be covered becomes the unknown token.
 *
 * <p>GGUF converters store word-initial pieces with a {@code ▁} prefix and continuation pieces bare (BERT's
 * {@code the} / {@code ##s} become {@code ▁the} / {@code s}); the reference then matches {@code ▁word} as a
 * whole. Vocabularies that kept BERT's own spelling (continuations with {@code ##}, no {@code ▁} anywhere) are
 * matched the way BERT does, piece by piece with {@code ##} after the first.
 */
final class WordPieceTokenizer extends AbstractTokenizer {
    private static final String CONTINUATION = "##";

    /** Whether pieces are spelled BERT's way ({@code ##} continuations) rather than the converted way. */
    private final boolean hashContinuations;

    WordPieceTokenizer(Vocabulary vocab) {
        super(vocab);
        boolean phantomSpace = false;
        boolean hashes = false;
        for (int id = 0; id < vocab.size(); id++) {
            String t = vocab.text(id);
            phantomSpace |= t.charAt(0) == SentencePieceTokenizer.SPACE;
            hashes |= t.startsWith(CONTINUATION) && t.length() > CONTINUATION.length();
        }
        this.hashContinuations = hashes && !phantomSpace;
    }

    @Override
    void encode(String text, List<Fragment> fragments, boolean addSpecial, IntList out) {
        SpecialTokens special = vocab.special();
        if (addSpecial && special.bos() >= 0) {
            out.add(special.bos()); // [CLS]
        }
        for (Fragment f : fragments) {
            if (f.isToken()) {
                out.add(f.token());
                continue;
            }
            for (String word : words(text.substring(f.start(), f.end()))) {
                encodeWord(word, out);
            }
        }
        if (addSpecial && special.sep() >= 0) {
            out.add(special.sep());
        }
    }

    @Override
    byte[] normalTokenBytes(String text) {
        if (hashContinuations) {
            // render like the converted spelling: words start with a space, continuations attach
            return Utf8.bytes(text.startsWith(CONTINUATION) ? text.substring(CONTINUATION.length()) : " " + text);
        }
        return Utf8.bytes(text.replace(SentencePieceTokenizer.SPACE, ' '));
    }

    /** BERT's basic tokenizer: normalization, then words split at whitespace and around punctuation. */
    List<String> words(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean strip = vocab.stripAccents();
        boolean lower = vocab.lowercase();
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (strip) {
                cp = CodepointFlags.nfdFirst(cp);
            }
            int flags = CodepointFlags.of(cp);
            if ((flags & CodepointFlags.WHITESPACE) != 0) {
                finish(word, words);
                continue;
            }
            int category = flags & CodepointFlags.CATEGORIES;
            if (cp == 0 || cp == 0xFFFD || category == CodepointFlags.CONTROL
                    || (strip && category == CodepointFlags.ACCENT_MARK)) {
                continue;
            }
            int c = lower ? CodepointFlags.toLower(cp) : cp;
            if (category == CodepointFlags.PUNCTUATION || (cp < 0x7F && category == CodepointFlags.SYMBOL)
                    || CodepointFlags.isChineseChar(cp)) {
                finish(word, words);
                words.add(Character.toString(c));
            } else {
                word.appendCodePoint(c);
            }
        }
        finish(word, words);
        return words;
    }

    private static void finish(StringBuilder word, List<String> words) {
        if (!word.isEmpty()) {
            words.add(word.toString());
            word.setLength(0);
        }
    }

    private void encodeWord(String word, IntList out) {
        String text = hashContinuations ? word : SentencePieceTokenizer.SPACE + word;
        int n = text.length();
        int before = out.size();
        for (int i = 0; i < n; ) {
            int matchEnd = -1;
            for (int j = Math.min(n, i + vocab.maxTokenChars()); j > i; j--) {
                if (j < n && Character.isLowSurrogate(text.charAt(j)) && Character.isHighSurrogate(text.charAt(j - 1))) {
                    continue; // never cut a character in half
                }
                String piece = text.substring(i, j);
                int id = vocab.id(hashContinuations && i > 0 ? CONTINUATION + piece : piece);
                if (id >= 0) {
                    out.add(id);
                    matchEnd = j;
                    break;
                }
            }
            if (matchEnd < 0) {
                out.truncate(before); // one uncovered position discards the whole word
                break;
            }
            i = matchEnd;
        }
        if (out.size() == before) {
            out.add(vocab.special().unk());
        }
    }
}
