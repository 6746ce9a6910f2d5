package org.moe4j.moe.cache;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the process costs in memory, the figures that show an expert cache keeps to its budget: resident
 * set size (anonymous: heap, slabs; file-backed: mapped pages it touched) from {@code /proc/self/status},
 * and how much of the model file the page cache holds, whoever read it, measured with {@code mincore}
 * over a mapping of the file that is never touched. Values are -1 where the system cannot tell.
 *
 * @param expertPageCacheBytes page-cache bytes of the file's routed-expert ranges (-1 without a cache layout)
 */
public record MemoryUsage(long rssBytes, long rssAnonBytes, long rssFileBytes, long filePageCacheBytes, long expertPageCacheBytes) {

    /** Measures now for a model file; {@code expertRanges} (file offsets, may be null) are measured separately. */
    public static MemoryUsage measure(Path modelFile, List<long[]> expertRanges) {
        Map<String, Long> status = status();
        long file = -1, experts = -1;
        if (Posix.AVAILABLE && modelFile != null) {
            try (Arena a = Arena.ofConfined(); FileChannel ch = FileChannel.open(modelFile, StandardOpenOption.READ)) {
                long size = ch.size();
                MemorySegment m = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, a);
                file = Posix.residentBytes(m, 0, size);
                if (expertRanges != null) {
                    experts = 0;
                    for (long[] r : expertRanges) experts += Posix.residentBytes(m, r[0], r[1] - r[0]);
                }
            } catch (IOException | RuntimeException e) {
                file = -1;
            }
        }
        return new MemoryUsage(status.getOrDefault("VmRSS", -1L), status.getOrDefault("RssAnon", -1L),
                status.getOrDefault("RssFile", -1L), file, experts);
    }

    private static Map<String, Long> status() {
        Map<String, Long> m = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                int colon = line.indexOf(':');
                if (colon < 0 || !line.endsWith(" kB")) continue;
                String v = line.substring(colon + 1, line.length() - 3).trim();
                m.put(line.substring(0, colon), Long.parseLong(v) * 1024);
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: nothing to report
        }
        return m;
    }

    /**
     * Resident set plus the model file's page-cache pages that are not in it (those the process does not
     * map): what the process makes the machine hold. Approximate by the few file pages of other files
     * (libraries, jars) in the resident set.
     */
    public long totalBytes() {
        if (rssBytes < 0) return -1;
        long pageCache = filePageCacheBytes < 0 ? 0 : Math.max(0, filePageCacheBytes - Math.max(0, rssFileBytes));
        return rssBytes + pageCache;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("rss_bytes", rssBytes);
        o.put("rss_anon_bytes", rssAnonBytes);
        o.put("rss_file_bytes", rssFileBytes);
        o.put("model_page_cache_bytes", filePageCacheBytes);
        o.put("expert_page_cache_bytes", expertPageCacheBytes);
        o.put("rss_plus_page_cache_bytes", totalBytes());
        return o;
    }

    public String summary() {
        return String.format(java.util.Locale.ROOT, "memory: RSS %s (anonymous %s, file %s) | page cache of the model file %s%s | total %s",
                b(rssBytes), b(rssAnonBytes), b(rssFileBytes), b(filePageCacheBytes),
                expertPageCacheBytes >= 0 ? ", of its experts " + b(expertPageCacheBytes) : "", b(totalBytes()));
    }

    private static String b(long v) {
        return v < 0 ? "?" : org.moe4j.util.Progress.bytes(v);
    }
}
