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

    /** A record's prediction count when it has none (the first MoE block). */
    static final int NO_PREDICTION = 0xFFFF;

    /** Bytes of a routing record; {@code predicted} is -1 without the prediction field. */
    static int routingBytes(int count, int scores, int predicted) {
        return ROUTING_FIXED + count * (2 + 4) + scores * 4 + (predicted < 0 ? 0 : 2 + 2 * predicted);
    }

    /** What a buffer of records holds, in order. */
    interface Visitor {
        void token(TokenText t);

        void routing(TraceRecord r);
    }

    /** Reads every record from the buffer's position to its limit. */
    static void readAll(ByteBuffer b, boolean scores, boolean predictions, Visitor v) throws IOException {
        while (b.hasRemaining()) {
            byte tag = b.get();
            if (tag == TraceFormat.TAG_TOKEN) v.token(readToken(b));
            else if (tag == TraceFormat.TAG_ROUTING) v.routing(readRouting(b, scores, predictions));
            else throw new IOException("corrupt trace: unknown record tag " + tag + " at byte " + (b.position() - 1));
        }
    }

    /** Reads a routing record whose tag byte was already consumed. */
    static TraceRecord readRouting(ByteBuffer b, boolean scores, boolean predictions) throws IOException {
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
        int[] predicted = null;
        if (predictions) {
            int m = Short.toUnsignedInt(b.getShort());
            if (m != NO_PREDICTION) {
                if (m > nExpert) throw new IOException("corrupt trace: a prediction of " + m + " experts out of " + nExpert);
                predicted = new int[m];
                for (int j = 0; j < m; j++) {
                    predicted[j] = Short.toUnsignedInt(b.getShort());
                    if (predicted[j] >= nExpert) throw new IOException("corrupt trace: predicted expert " + predicted[j] + " of " + nExpert);
                }
            }
        }
        return new TraceRecord(seq, slot, pos, token, layer, nExpert, experts, weights, s, predicted);
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
