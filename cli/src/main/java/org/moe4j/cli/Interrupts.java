package org.moe4j.cli;

import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * Ctrl-C handling for interactive commands: the first Ctrl-C during generation stops the current answer
 * (the command decides what happens next); a second one within two seconds exits.
 */
final class Interrupts {
    private static final AtomicBoolean requested = new AtomicBoolean();
    private static volatile long last;
    private static boolean installed;

    private Interrupts() {
    }

    static synchronized void install() {
        if (installed) return;
        installed = true;
        try {
            Signal.handle(new Signal("INT"), sig -> {
                long now = System.nanoTime();
                if (requested.get() && now - last < 2_000_000_000L) {
                    System.err.println();
                    Runtime.getRuntime().halt(130);
                }
                last = now;
                requested.set(true);
            });
        } catch (IllegalArgumentException e) {
            // no SIGINT on this platform: Ctrl-C keeps its default behaviour
        }
    }

    /** True once after a Ctrl-C. */
    static boolean take() {
        return requested.getAndSet(false);
    }

    static boolean pending() {
        return requested.get();
    }
}
