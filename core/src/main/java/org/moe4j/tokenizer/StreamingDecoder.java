package org.moe4j.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns tokens into text one at a time, as they are generated. A token may end in the middle of a UTF-8
 * character (byte-fallback and byte-level tokens split emoji and CJK characters); those bytes are held back
 * until the character is complete, so {@link #push} never returns half a character.
 *
 * <p>SentencePiece encodes a text with a leading space it did not contain; a decoder that starts a text
 * removes one leading space from the first token that produces any text (a leading BOS produces none).
 * Use {@link #StreamingDecoder(Tokenizer, boolean)} with {@code false} to continue a text instead, where that
 * space is a real word separator. Not thread-safe.
 */
public final class StreamingDecoder {
    private final Tokenizer tokenizer;
    private boolean stripLeadingSpace;
    private byte[] pending = new byte[16];
    private int pendingLength;

    /** A decoder for a stream that starts a text. */
    public StreamingDecoder(Tokenizer tokenizer) {
        this(tokenizer, true);
    }

    /**
     * @param startOfText whether the stream starts a text (so the SentencePiece space prefix is removed) or
     *                    continues one
     */
    public StreamingDecoder(Tokenizer tokenizer, boolean startOfText) {
        this.tokenizer = tokenizer;
        this.stripLeadingSpace = startOfText && tokenizer.addsSpacePrefix();
    }

    /** The text completed by this token: everything decodable so far, up to any incomplete character. */
    public String push(int id) {
        byte[] bytes = tokenizer.tokenBytes(id);
        int from = 0;
        if (stripLeadingSpace && bytes.length > 0) {
            stripLeadingSpace = false;
            if (bytes[0] == ' ') {
                from = 1;
            }
        }
        append(bytes, from);
        int ready = Utf8.decodablePrefix(pending, pendingLength);
        if (ready == 0) {
            return "";
        }
        String text = new String(pending, 0, ready, StandardCharsets.UTF_8);
        System.arraycopy(pending, ready, pending, 0, pendingLength - ready);
        pendingLength -= ready;
        return text;
    }

    /** Whatever is still held back (bytes that never completed a character become U+FFFD). */
    public String flush() {
        String text = new String(pending, 0, pendingLength, StandardCharsets.UTF_8);
        pendingLength = 0;
        return text;
    }

    /** Whether bytes of an incomplete character are being held back. */
    public boolean hasPending() {
        return pendingLength > 0;
    }

    private void append(byte[] bytes, int from) {
        int n = bytes.length - from;
        if (pendingLength + n > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + n));
        }
        System.arraycopy(bytes, from, pending, pendingLength, n);
        pendingLength += n;
    }
}
