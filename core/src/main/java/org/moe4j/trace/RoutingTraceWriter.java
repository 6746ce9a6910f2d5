package org.moe4j.trace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.IntFunction;
import org.moe4j.moe.CrossLayerGate;
import org.moe4j.moe.RoutingDecision;
import org.moe4j.moe.RoutingObserver;

/**
 * Records every final routing decision of a model to a file, binary or JSONL (chosen by the file name,
 * see {@link TraceFormat} and docs/trace-format.md). Register it with {@code model.routing().addObserver}.
 *
 * <p>The forward thread only appends fixed-layout binary records to a buffer; full buffers go to a
 * background thread that writes them (binary) or formats them (JSONL), so tracing costs the forward
 * pass little more than a memory copy. A token's text is looked up once, the first time the token is seen.
 */
public final class RoutingTraceWriter implements RoutingObserver, CrossLayerGate.Sink, AutoCloseable {
    private static final int BUFFER_BYTES = 1 << 20;
    private static final int BUFFERS = 4;
    private static final ByteBuffer END = ByteBuffer.allocate(0);

    private final TraceHeader header;
    private final IntFunction<String> tokenText;
    private final BlockingQueue<ByteBuffer> full = new ArrayBlockingQueue<>(BUFFERS + 1);
    private final BlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(BUFFERS);
    private final SequenceTracker sequences = new SequenceTracker();
    private final BitSet tokensSeen = new BitSet();
    private final Thread thread;
    private final TraceSink sink;
    private ByteBuffer buf;
    private volatile Throwable failure;
    private boolean closed;
    private long records;
    /**
     * Per block, the prediction made for it one block earlier (made before the block routes, since the
     * gate runs ahead): {@code count[t]} ids of token t at {@code t * stride}, for {@code tokens} tokens.
     */
    private static final class Prediction {
        int tokens = -1;
        int stride;
        int[] ids = new int[0];
        int[] count = new int[0];
    }

    private Prediction[] predictions = new Prediction[0];

    private RoutingTraceWriter(TraceSink sink, TraceHeader header, IntFunction<String> tokenText) {
        this.sink = sink;
        this.header = header;
        this.tokenText = tokenText;
        for (int i = 0; i < BUFFERS; i++) free.add(ByteBuffer.allocate(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN));
        buf = free.poll();
        thread = Thread.ofPlatform().daemon().name("moe4j-trace-writer").start(this::drain);
    }

    /**
     * Opens a trace file; JSONL when the name ends in {@code .jsonl}.
     *
     * @param tokenText a token's text (for the trace and the analysis report), or null to store ids only
     */
    public static RoutingTraceWriter open(Path path, TraceHeader header, IntFunction<String> tokenText) {
        if (header.experts() > 0xFFFF || header.blocks() > 0xFFFF) {
            throw new IllegalArgumentException("a trace holds at most 65535 experts and blocks");
        }
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            TraceSink sink = TraceFormat.forPath(path) == TraceFormat.JSONL
                    ? new JsonlSink(path, header) : new BinarySink(path, header);
            return new RoutingTraceWriter(sink, header, tokenText);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the trace " + path + ": " + e.getMessage(), e);
        }
    }

    public TraceHeader header() {
        return header;
    }

    /** Routing records written so far. */
    public synchronized long records() {
        return records;
    }

    @Override
    public void onRouting(RoutingDecision d) {
        // decisions are recorded a layer at a time in onLayerRouted
    }

    /**
     * Keeps the cross-layer gate's prediction for the next MoE block, to be written with that block's
     * records ({@link CrossLayerGate#subscribe subscribe} this writer to the model's gate; the header must say
     * {@code predictions}).
     */
    @Override
    public synchronized void predicted(int target, RoutingDecision[] perToken, int n, boolean fromDense) {
        if (closed || !header.predictions() || n == 0) return;
        if (target >= predictions.length) predictions = java.util.Arrays.copyOf(predictions, target + 1);
        Prediction p = predictions[target];
        if (p == null) p = predictions[target] = new Prediction();
        int stride = perToken[0].expertCount();
        if (p.ids.length < n * stride) p.ids = new int[n * stride];
        if (p.count.length < n) p.count = new int[n];
        for (int t = 0; t < n; t++) {
            RoutingDecision d = perToken[t];
            int k = Math.min(d.count(), stride);
            for (int j = 0; j < k; j++) p.ids[t * stride + j] = d.expert(j);
            java.util.Arrays.sort(p.ids, t * stride, t * stride + k);
            p.count[t] = k;
        }
        p.stride = stride;
        p.tokens = n;
    }

    @Override
    public synchronized void onLayerRouted(int layer, RoutingDecision[] ds, int n) {
        if (closed) return;
        // a prediction belongs to this pass's layer only if it was made for as many tokens
        Prediction p = layer < predictions.length ? predictions[layer] : null;
        if (p != null && p.tokens != n) p = null;
        for (int t = 0; t < n; t++) {
            RoutingDecision d = ds[t];
            int token = d.token();
            if (tokenText != null && !tokensSeen.get(token)) {
                tokensSeen.set(token);
                putToken(token, tokenText.apply(token));
            }
            putRouting(d, p, t);
        }
        if (layer < predictions.length && predictions[layer] != null) predictions[layer].tokens = -1;
        records += n;
    }

    private void putToken(int token, String text) {
        byte[] utf8 = text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
        int len = Math.min(utf8.length, 0xFFFF);
        ensure(1 + 4 + 2 + len);
        buf.put(TraceFormat.TAG_TOKEN).putInt(token).putShort((short) len).put(utf8, 0, len);
    }

    private void putRouting(RoutingDecision d, Prediction p, int t) {
        int k = d.count();
        int e = d.expertCount();
        int m = p != null ? p.count[t] : 0;
        ensure(TraceCodec.routingBytes(k, header.scores() ? e : 0, header.predictions() ? m : -1));
        buf.put(TraceFormat.TAG_ROUTING)
                .putInt(sequences.seq(d.slot(), d.layer(), d.position()))
                .putShort((short) d.slot())
                .putInt(d.position())
                .putInt(d.token())
                .putShort((short) d.layer())
                .putShort((short) e)
                .putShort((short) k);
        for (int j = 0; j < k; j++) buf.putShort((short) d.expert(j));
        for (int j = 0; j < k; j++) buf.putFloat(d.weight(j));
        if (header.scores()) {
            for (int x = 0; x < e; x++) buf.putFloat(d.probability(x));
        }
        if (header.predictions()) {
            if (p == null) {
                buf.putShort((short) TraceCodec.NO_PREDICTION);
            } else {
                buf.putShort((short) m);
                for (int j = 0; j < m; j++) buf.putShort((short) p.ids[t * p.stride + j]);
            }
        }
    }

    private void ensure(int bytes) {
        if (buf.remaining() >= bytes) return;
        handOff();
        if (buf.remaining() < bytes) {
            throw new IllegalStateException("trace record of " + bytes + " bytes exceeds the buffer");
        }
    }

    private void handOff() {
        checkFailure();
        buf.flip();
        try {
            full.put(buf);
            buf = free.take();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing the trace", ex);
        }
        buf.clear();
    }

    private void drain() {
        while (true) {
            ByteBuffer b = take(full);
            if (b == END) return;
            if (failure == null) {
                try {
                    sink.write(b);
                } catch (Throwable t) {
                    failure = t; // reported to the forward thread at its next hand-off; buffers keep cycling
                }
            }
            free.add(b);
        }
    }

    private static ByteBuffer take(BlockingQueue<ByteBuffer> q) {
        while (true) {
            try {
                return q.take();
            } catch (InterruptedException ignored) {
                // the writer thread ends only on END, so that nothing buffered is lost
            }
        }
    }

    private void checkFailure() {
        Throwable f = failure;
        if (f != null) {
            throw f instanceof IOException io ? new UncheckedIOException("writing the trace failed: " + io.getMessage(), io)
                    : new IllegalStateException("writing the trace failed: " + f, f);
        }
    }

    /** Writes what is buffered and closes the file. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            buf.flip();
            full.put(buf);
            full.put(END);
            thread.join();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        try {
            sink.close();
        } catch (IOException ex) {
            if (failure == null) failure = ex;
        }
        checkFailure();
    }
}
