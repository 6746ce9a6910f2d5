package org.moe4j.tokenizer;

import java.nio.charset.StandardCharsets;

/** UTF-8 helpers for decoding token bytes that may split a character across tokens. */
final class Utf8 {
    private Utf8() {
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * How many leading bytes of {@code buf[0..len)} can be decoded now. A trailing sequence that is incomplete
     * but could still become a valid character is held back; anything that can never become valid is released
     * so that the decoder turns it into U+FFFD right away.
     */
    static int decodablePrefix(byte[] buf, int len) {
        for (int back = 1; back <= Math.min(3, len); back++) {
            int b = buf[len - back] & 0xFF;
            if (b >= 0x80 && b < 0xC0) {
                continue; // continuation byte: keep looking for the lead byte
            }
            int need = sequenceLength(b);
            return need > back ? len - back : len;
        }
        return len;
    }

    /** Bytes in the sequence a lead byte starts; 1 for ASCII and for bytes that cannot start a sequence. */
    private static int sequenceLength(int lead) {
        if (lead >= 0xC2 && lead <= 0xDF) {
            return 2;
        }
        if (lead >= 0xE0 && lead <= 0xEF) {
            return 3;
        }
        if (lead >= 0xF0 && lead <= 0xF4) {
            return 4;
        }
        return 1;
    }

    /** Well-formed text: unpaired surrogates (which UTF-8 cannot carry) become U+FFFD. */
    static String wellFormed(String s) {
        int n = s.length();
        StringBuilder sb = null;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            boolean lone = Character.isHighSurrogate(c)
                    ? !(i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1)))
                    : Character.isLowSurrogate(c);
            if (Character.isHighSurrogate(c) && !lone) {
                if (sb != null) {
                    sb.append(c).append(s.charAt(i + 1));
                }
                i++;
                continue;
            }
            if (lone && sb == null) {
                sb = new StringBuilder(n).append(s, 0, i);
            }
            if (sb != null) {
                sb.append(lone ? '\uFFFD' : c);
            }
        }
        return sb == null ? s : sb.toString();
    }
}
