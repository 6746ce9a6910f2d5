package org.moe4j.server;

import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.moe4j.generate.GeneratedToken;
import org.moe4j.generate.SequenceListener;
import org.moe4j.generate.SequenceResult;

/**
 * Hands a sequence's progress from the engine's thread to the request's thread: the engine only enqueues,
 * the request thread takes events and does the slow part (JSON, network).
 */
final class SequenceEvents implements SequenceListener {
    sealed interface Event permits Started, Token, Finished, Failed {
    }

    record Started() implements Event {
    }

    record Token(GeneratedToken token) implements Event {
    }

    record Finished(SequenceResult result) implements Event {
    }

    record Failed(RuntimeException error) implements Event {
    }

    private final LinkedBlockingQueue<Event> queue = new LinkedBlockingQueue<>();

    @Override
    public void onStarted() {
        queue.add(new Started());
    }

    @Override
    public void onToken(GeneratedToken token) {
        queue.add(new Token(token));
    }

    @Override
    public void onFinish(SequenceResult result) {
        queue.add(new Finished(result));
    }

    @Override
    public void onError(RuntimeException error) {
        queue.add(new Failed(error));
    }

    /** The next event, or null after {@code millis} without one. */
    Event poll(long millis) throws InterruptedException {
        return queue.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** Moves every event already queued into {@code into}. */
    void drainTo(List<Event> into) {
        queue.drainTo(into);
    }
}
