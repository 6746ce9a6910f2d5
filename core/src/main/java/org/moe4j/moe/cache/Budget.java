package org.moe4j.moe.cache;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A memory budget as the user writes it: bytes with an optional binary or decimal unit ({@code 6GiB},
 * {@code 512MiB}, {@code 6G}, {@code 1.5GB}, {@code 123456}) or a share of the physical memory
 * ({@code 50%}), where physical memory is what this process may use: the machine's, or its container's
 * (cgroup) limit when that is lower.
 */
public final class Budget {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(i?)(b?)");

    private Budget() {
    }

    public static long parse(String text) {
        return parse(text, physicalMemory());
    }

    /** As {@link #parse(String)}, with percentages taken of {@code physical} bytes. */
    public static long parse(String text, long physical) {
        if (text == null || text.isBlank()) throw new ExpertCacheBudgetException("empty memory budget");
        String s = text.trim().toLowerCase(Locale.ROOT);
        double bytes;
        if (s.endsWith("%")) {
            double pct = number(text, s.substring(0, s.length() - 1).trim());
            if (!(pct > 0 && pct <= 100)) throw new ExpertCacheBudgetException("memory budget '" + text + "': a percentage must be in (0, 100]");
            bytes = physical * pct / 100;
        } else {
            Matcher m = SIZE.matcher(s);
            if (!m.matches() || (m.group(2).isEmpty() && !m.group(3).isEmpty())) {
                throw new ExpertCacheBudgetException("memory budget '" + text + "' is not a size: write e.g. 6GiB, 512MiB, 2G, 1.5GB or 40%");
            }
            double v = number(text, m.group(1));
            boolean binary = !m.group(3).isEmpty() || m.group(4).isEmpty(); // 6G = 6GiB as in -Xmx; 6GB = 6e9
            int power = m.group(2).isEmpty() ? 0 : "kmgt".indexOf(m.group(2)) + 1;
            bytes = v * Math.pow(binary ? 1024 : 1000, power);
        }
        if (!(bytes >= 1) || bytes > Long.MAX_VALUE / 2) throw new ExpertCacheBudgetException("memory budget '" + text + "' is out of range");
        return (long) bytes;
    }

    private static double number(String text, String digits) {
        try {
            return Double.parseDouble(digits);
        } catch (NumberFormatException e) {
            throw new ExpertCacheBudgetException("memory budget '" + text + "' is not a size: write e.g. 6GiB, 512MiB, 2G, 1.5GB or 40%");
        }
    }

    /** Bytes of memory this process may use: the JVM reports the container (cgroup) limit when there is one. */
    public static long physicalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long total = os.getTotalMemorySize();
            if (total > 0) return total;
        }
        throw new IllegalStateException("cannot tell the physical memory size of this machine: give the budget in bytes (e.g. 6GiB)");
    }
}
