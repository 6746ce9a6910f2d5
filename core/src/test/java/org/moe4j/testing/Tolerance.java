package org.moe4j.testing;

import static org.assertj.core.api.Assertions.fail;

/** Elementwise comparison {@code |a - b| <= atol + rtol * |b|} with a readable report of the worst element. */
public final class Tolerance {
    private Tolerance() {
    }

    public static void assertClose(String what, float[] actual, int aOff, float[] golden, int gOff, int n, double atol, double rtol) {
        int worst = -1;
        double worstExcess = 0;
        double maxAbs = 0;
        int bad = 0;
        for (int i = 0; i < n; i++) {
            double a = actual[aOff + i];
            double b = golden[gOff + i];
            double diff = Math.abs(a - b);
            maxAbs = Math.max(maxAbs, diff);
            double excess = diff - (atol + rtol * Math.abs(b));
            if (!(excess <= 0)) {
                bad++;
                if (worst < 0 || !(excess <= worstExcess)) {
                    worst = i;
                    worstExcess = excess;
                }
            }
        }
        if (bad > 0) {
            fail("%s: %d of %d values outside atol %.1e rtol %.1e; worst at %d: %s vs golden %s (max |diff| %.3e)",
                    what, bad, n, atol, rtol, worst, actual[aOff + worst], golden[gOff + worst], maxAbs);
        }
    }

    public static double maxAbsDiff(float[] a, int aOff, float[] b, int bOff, int n) {
        double m = 0;
        for (int i = 0; i < n; i++) m = Math.max(m, Math.abs(a[aOff + i] - b[bOff + i]));
        return m;
    }
}
