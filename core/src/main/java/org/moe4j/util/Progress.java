package org.moe4j.util;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar on stderr for long work (loading, quantizing, converting, training). Redraws at most
 * ten times a second; when stderr is not a terminal it prints a plain line every ten percent instead,
 * so logs stay readable.
 */
public final class Progress implements AutoCloseable {
    private final String label;
    private final long total;
    private final String unit;
    private final PrintStream out;
    private final boolean tty;
    private final long start = System.nanoTime();
    private long lastDraw;
    private int lastDecile = -1;
    private long done;
    private String suffix = "";
    private boolean closed;

    public Progress(String label, long total, String unit) {
        this(label, total, unit, System.err, System.console() != null);
    }

    public Progress(String label, long total, String unit, PrintStream out, boolean tty) {
        this.label = label;
        this.total = Math.max(1, total);
        this.unit = unit;
        this.out = out;
        this.tty = tty;
    }

    /** Sets the absolute amount done. */
    public synchronized void set(long value) {
        done = Math.min(value, total);
        draw(false);
    }

    public synchronized void add(long delta) {
        set(done + delta);
    }

    /** Extra text after the bar (e.g. "loss 3.21"). */
    public synchronized void status(String text) {
        suffix = text == null ? "" : text;
        draw(false);
    }

    private void draw(boolean force) {
        long now = System.nanoTime();
        double frac = (double) done / total;
        if (tty) {
            if (!force && now - lastDraw < 100_000_000L && done < total) return;
            lastDraw = now;
            int width = 30;
            int filled = (int) Math.round(frac * width);
            String bar = "#".repeat(filled) + "-".repeat(width - filled);
            double secs = (now - start) / 1e9;
            String eta = done > 0 && done < total ? " eta " + formatSeconds(secs / frac - secs) : "";
            out.print(String.format(Locale.ROOT, "\r%s [%s] %3.0f%% %s/%s %s%s %s\u001b[K", label, bar, frac * 100,
                    human(done), human(total), unit, eta, suffix));
            out.flush();
        } else {
            int decile = (int) (frac * 10);
            if (decile != lastDecile || force) {
                lastDecile = decile;
                out.println(String.format(Locale.ROOT, "%s: %3.0f%% (%s/%s %s) %s", label, frac * 100, human(done), human(total), unit, suffix));
            }
        }
    }

    public static String formatSeconds(double s) {
        if (s < 60) return String.format(Locale.ROOT, "%.0fs", s);
        if (s < 3600) return String.format(Locale.ROOT, "%dm%02ds", (int) s / 60, (int) s % 60);
        return String.format(Locale.ROOT, "%dh%02dm", (int) s / 3600, ((int) s % 3600) / 60);
    }

    public static String human(long v) {
        if (v < 10_000) return Long.toString(v);
        if (v < 10_000_000) return String.format(Locale.ROOT, "%.1fk", v / 1e3);
        if (v < 10_000_000_000L) return String.format(Locale.ROOT, "%.1fM", v / 1e6);
        return String.format(Locale.ROOT, "%.1fG", v / 1e9);
    }

    public static String bytes(long b) {
        if (b < 1024) return b + " B";
        if (b < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        if (b < 1024L * 1024 * 1024) return String.format(Locale.ROOT, "%.1f MiB", b / 1048576.0);
        return String.format(Locale.ROOT, "%.2f GiB", b / 1073741824.0);
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (tty || lastDecile < 10) draw(true);
        if (tty) out.println();
    }
}
