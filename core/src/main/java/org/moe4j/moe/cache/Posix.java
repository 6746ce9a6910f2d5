package org.moe4j.moe.cache;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;

/**
 * The few Linux calls the expert cache needs that Java has no API for, through the FFM linker:
 * anonymous mappings for slabs (page-aligned, filled lazily, outside the JVM's direct-memory limit),
 * {@code pread} on a descriptor advised {@code POSIX_FADV_RANDOM} (no read-ahead beyond what is asked),
 * {@code posix_fadvise(DONTNEED)} to drop file pages from the page cache, and {@code mincore} to
 * measure how much of a file the page cache holds. {@link #AVAILABLE} is false on other systems; callers
 * fall back to plain Java (and say what they could not do).
 */
final class Posix {
    static final boolean AVAILABLE;
    static final long PAGE = 4096;

    private static final int PROT_READ = 1, PROT_WRITE = 2;
    private static final int MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20, MAP_NORESERVE = 0x4000;
    private static final int POSIX_FADV_RANDOM = 1, POSIX_FADV_DONTNEED = 4;
    private static final int MADV_HUGEPAGE = 14;

    private static final MethodHandle OPEN, CLOSE, PREAD, FADVISE, MINCORE, MMAP, MUNMAP, MADVISE;
    private static final StructLayout CALL_STATE;
    private static final VarHandle ERRNO;

    static {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        boolean linux = os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"));
        MethodHandle open = null, close = null, pread = null, fadvise = null, mincore = null, mmap = null, munmap = null, madvise = null;
        StructLayout state = null;
        VarHandle errno = null;
        if (linux) {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                state = Linker.Option.captureStateLayout();
                errno = state.varHandle(MemoryLayout.PathElement.groupElement("errno"));
                Linker.Option capture = Linker.Option.captureCallState("errno");
                ValueLayout.OfInt i = ValueLayout.JAVA_INT;
                ValueLayout.OfLong l = ValueLayout.JAVA_LONG;
                var a = ValueLayout.ADDRESS;
                open = linker.downcallHandle(libc.findOrThrow("open"), FunctionDescriptor.of(i, a, i, i),
                        capture, Linker.Option.firstVariadicArg(2));
                close = linker.downcallHandle(libc.findOrThrow("close"), FunctionDescriptor.of(i, i));
                pread = linker.downcallHandle(libc.findOrThrow("pread"), FunctionDescriptor.of(l, i, a, l, l), capture);
                fadvise = linker.downcallHandle(libc.findOrThrow("posix_fadvise"), FunctionDescriptor.of(i, i, l, l, i));
                mincore = linker.downcallHandle(libc.findOrThrow("mincore"), FunctionDescriptor.of(i, a, l, a), capture);
                mmap = linker.downcallHandle(libc.findOrThrow("mmap"), FunctionDescriptor.of(a, a, l, i, i, i, l), capture);
                munmap = linker.downcallHandle(libc.findOrThrow("munmap"), FunctionDescriptor.of(i, a, l), capture);
                madvise = linker.downcallHandle(libc.findOrThrow("madvise"), FunctionDescriptor.of(i, a, l, i), capture);
            } catch (RuntimeException | LinkageError e) {
                linux = false;
            }
        }
        AVAILABLE = linux;
        OPEN = open;
        CLOSE = close;
        PREAD = pread;
        FADVISE = fadvise;
        MINCORE = mincore;
        MMAP = mmap;
        MUNMAP = munmap;
        MADVISE = madvise;
        CALL_STATE = state;
        ERRNO = errno;
    }

    private Posix() {
    }

    /** Opens a file read-only (for advice, and for {@link #read} once advised {@link #adviseRandom}). */
    static int openReadOnly(String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CALL_STATE);
            int fd = (int) OPEN.invokeExact(st, a.allocateFrom(path), 0, 0);
            if (fd < 0) throw new IllegalStateException("open(" + path + ") failed: errno " + errno(st));
            return fd;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void close(int fd) {
        try {
            int r = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Tells the kernel that reads of this descriptor are random: it then reads only the pages asked for,
     * no read-ahead that would leave pages beyond the range (and beyond a later drop) in the page cache.
     */
    static void adviseRandom(int fd) {
        try {
            int r = (int) FADVISE.invokeExact(fd, 0L, 0L, POSIX_FADV_RANDOM);
            if (r != 0) throw new IllegalStateException("posix_fadvise(RANDOM) failed: error " + r);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Reads {@code dst.byteSize()} bytes at {@code offset} of the file into {@code dst} (native memory) with
     * pread, retrying short reads; returns the bytes read, fewer only at the end of the file.
     */
    static long read(int fd, MemorySegment dst, long offset) throws java.io.IOException {
        long got = 0;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CALL_STATE);
            while (got < dst.byteSize()) {
                long n = (long) PREAD.invokeExact(st, fd, dst.asSlice(got), dst.byteSize() - got, offset + got);
                if (n == 0) break;
                if (n < 0) {
                    int e = errno(st);
                    if (e == EINTR) continue;
                    throw new java.io.IOException("pread at " + (offset + got) + " failed: errno " + e);
                }
                got += n;
            }
        } catch (java.io.IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return got;
    }

    private static final int EINTR = 4;

    /** Asks the kernel to drop the (clean) page-cache pages of a file range. */
    static void dropFromPageCache(int fd, long offset, long length) {
        try {
            int r = (int) FADVISE.invokeExact(fd, offset, length, POSIX_FADV_DONTNEED);
            if (r != 0) throw new IllegalStateException("posix_fadvise(DONTNEED) failed: error " + r);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A private anonymous mapping of {@code bytes} (rounded up to pages), unmapped when {@code arena} closes. */
    static MemorySegment mapAnonymous(long bytes, Arena arena, boolean hugePages) {
        long size = (bytes + PAGE - 1) / PAGE * PAGE;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CALL_STATE);
            MemorySegment p = (MemorySegment) MMAP.invokeExact(st, MemorySegment.NULL, size, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0L);
            if (p.address() == -1L || p.address() == 0) {
                throw new OutOfMemoryError("mmap of " + size + " bytes for the expert cache failed: errno " + errno(st));
            }
            if (hugePages) {
                int ignored = (int) MADVISE.invokeExact(st, p, size, MADV_HUGEPAGE); // best effort: fewer TLB misses
            }
            return p.reinterpret(size, arena, seg -> unmap(seg.address(), size));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static void unmap(long address, long size) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CALL_STATE);
            int r = (int) MUNMAP.invokeExact(st, MemorySegment.ofAddress(address), size);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Bytes of {@code [offset, offset + length)} of a mapping that are resident (for a file mapping: in
     * the page cache, whoever brought them there).
     */
    static long residentBytes(MemorySegment mapping, long offset, long length) {
        if (length <= 0) return 0;
        long start = (mapping.address() + offset) / PAGE * PAGE;
        long end = mapping.address() + offset + length;
        long pages = (end - start + PAGE - 1) / PAGE;
        long resident = 0;
        long chunk = 1 << 20; // pages per call: a 1 MiB vector covers 4 GiB
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CALL_STATE);
            MemorySegment vec = a.allocate(Math.min(pages, chunk));
            for (long p = 0; p < pages; p += chunk) {
                long n = Math.min(chunk, pages - p);
                int r = (int) MINCORE.invokeExact(st, MemorySegment.ofAddress(start + p * PAGE), n * PAGE, vec);
                if (r != 0) throw new IllegalStateException("mincore failed: errno " + errno(st));
                for (long i = 0; i < n; i++) {
                    if ((vec.get(ValueLayout.JAVA_BYTE, i) & 1) != 0) resident++;
                }
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return resident * PAGE;
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
