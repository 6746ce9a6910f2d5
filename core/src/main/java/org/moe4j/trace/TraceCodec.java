package org.moe4j.trace;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** The binary record layout shared by the writer, the JSONL formatter and the reader (docs/trace-format.md). */
final class TraceCodec {
    /** tag, seq, slot, pos, token, layer, n_expert, count */
    private static final int ROUTING_FIXED = 1 + 4 + 2 + 4 + 4 + 2 + 2 + 2;

    private TraceCodec() {
    }

    static int routingBytes(int count, int scores) {
        return ROUTING_FIXED + count * (2 + 4) + scores * 4;
    }

    /** What a buffer of records holds, in order. */
    interface Visitor {
        void token(TokenText t);

        void routing(TraceRecord r);
    }

    /** Reads every record from the buffer's position to its limit. */
    static void readAll(ByteBuffer b, boolean scores, Visitor v) throws IOException {
        while (b.hasRemaining()) {
            byte tag = b.get();
            if (tag == TraceFormat.TAG_TOKEN) v.token(readToken(b));
            else if (tag == TraceFormat.TAG_ROUTING) v.routing(readRouting(b, scores));
            else throw new IOException("corrupt trace: unknown record tag " + tag + " at byte " + (b.position() - 1));
        }
    }

    /** Reads a routing record whose tag byte was already consumed. */
    static TraceRecord readRouting(ByteBuffer b, boolean scores) {
        int seq = b.getInt();
        int slot = Short.toUnsignedInt(b.getShort());
        int pos = b.getInt();
        int token = b.getInt();
        int layer = Short.toUnsignedInt(b.getShort());
        int nExpert = Short.toUnsignedInt(b.getShort());
        int k = Short.toUnsignedInt(b.getShort());
        int[] experts = new int[k];
        float[] weights = new float[k];
        for (int j = 0; j < k; j++) experts[j] = Short.toUnsignedInt(b.getShort());
        for (int j = 0; j < k; j++) weights[j] = b.getFloat();
        float[] s = null;
        if (scores) {
            s = new float[nExpert];
            for (int x = 0; x < nExpert; x++) s[x] = b.getFloat();
        }
        return new TraceRecord(seq, slot, pos, token, layer, nExpert, experts, weights, s);
    }

    /** A token-text record (tag consumed): the token id and its text. */
    record TokenText(int token, String text) {
    }

    static TokenText readToken(ByteBuffer b) {
        int token = b.getInt();
        int len = Short.toUnsignedInt(b.getShort());
        byte[] utf8 = new byte[len];
        b.get(utf8);
        return new TokenText(token, new String(utf8, StandardCharsets.UTF_8));
    }
}
