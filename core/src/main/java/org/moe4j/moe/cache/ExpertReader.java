package org.moe4j.moe.cache;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Positional reads of expert pieces that leave nothing behind in the page cache, so the process's
 * memory is its slabs plus what it maps. {@link Io#DIRECT} opens the file with O_DIRECT (aligned reads
 * straight into the slot, no page cache at all); {@link Io#ADVISED} reads through the page cache and then
 * drops the pages it read with {@code posix_fadvise(DONTNEED)}. An advised read covers the piece's whole
 * aligned block range, so the pages it shares with a neighbouring piece are dropped too (the kernel keeps a
 * partly covered page), and its descriptor is advised {@code POSIX_FADV_RANDOM}, so read-ahead brings in
 * nothing past the range. {@link Io#AUTO} tries O_DIRECT first. Reads are thread-safe (pread) and may run in
 * parallel.
 */
public abstract sealed class ExpertReader implements AutoCloseable {
    /** How the cache reads experts. */
    public enum Io { AUTO, DIRECT, ADVISED }

    final FileChannel channel;

    private ExpertReader(FileChannel channel) {
        this.channel = channel;
    }

    /** Reads a piece's aligned block range into {@code dst} (at least {@link ExpertLayout.Piece#readLength()} bytes, aligned). */
    abstract void read(ExpertLayout.Piece p, MemorySegment dst) throws IOException;

    /** What the reader does, for reports. */
    public abstract String description();

    /** Whether reads leave the page cache as it was. */
    public abstract boolean bypassesPageCache();

    /** The alignment pieces must have in the file and in memory. */
    public static long alignment(Path file) {
        try {
            return Math.max(Posix.PAGE, Files.getFileStore(file).getBlockSize());
        } catch (IOException | UnsupportedOperationException e) {
            return Posix.PAGE;
        }
    }

    public static ExpertReader open(Path file, Io io) {
        if (io != Io.ADVISED) {
            try {
                return Direct.open(file);
            } catch (IOException | UnsupportedOperationException e) {
                if (io == Io.DIRECT) {
                    throw new UncheckedIOException(new IOException("cannot read " + file + " with O_DIRECT (" + e.getMessage()
                            + "); use --cache-io advised", e));
                }
            }
        }
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
            int fd = -1;
            try {
                if (Posix.AVAILABLE) {
                    fd = Posix.openReadOnly(file.toString());
                    Posix.adviseRandom(fd);
                }
            } catch (RuntimeException e) {
                if (fd >= 0) Posix.close(fd);
                ch.close();
                throw e;
            }
            return new Advised(ch, fd);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads until the first {@code needed} bytes of {@code b} are filled (the rest of an aligned range may lie past the end of the file). */
    static void fill(FileChannel ch, ByteBuffer b, long position, long needed) throws IOException {
        long got = 0;
        while (got < needed) {
            int n = ch.read(b, position + got);
            if (n <= 0) break;
            got += n;
        }
        if (got < needed) throw new EOFException("the model file ends inside an expert (read " + got + " of " + needed + " bytes at " + position + ")");
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // read-only: nothing is lost
        }
    }

    private static final class Direct extends ExpertReader {
        private Direct(FileChannel ch) {
            super(ch);
        }

        static Direct open(Path file) throws IOException {
            if (alignment(file) != Posix.PAGE) throw new IOException("block size " + alignment(file) + " is larger than a page");
            FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, ExtendedOpenOption.DIRECT);
            try (Arena a = Arena.ofConfined()) {
                // some file systems accept the flag and fail the first read
                ByteBuffer probe = a.allocate(Posix.PAGE, Posix.PAGE).asByteBuffer();
                ch.read(probe, 0);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
            }
            return new Direct(ch);
        }

        @Override
        void read(ExpertLayout.Piece p, MemorySegment dst) throws IOException {
            fill(channel, dst.asSlice(0, p.readLength()).asByteBuffer(), p.readStart(), p.fileOffset() - p.readStart() + p.length());
        }

        @Override
        public String description() {
            return "O_DIRECT";
        }

        @Override
        public boolean bypassesPageCache() {
            return true;
        }
    }

    private static final class Advised extends ExpertReader {
        private final int fd;

        private Advised(FileChannel ch, int fd) {
            super(ch);
            this.fd = fd;
        }

        @Override
        void read(ExpertLayout.Piece p, MemorySegment dst) throws IOException {
            long needed = p.fileOffset() - p.readStart() + p.length();
            if (fd < 0) {
                fill(channel, dst.asSlice(0, p.readLength()).asByteBuffer(), p.readStart(), needed);
                return;
            }
            long got = Posix.read(fd, dst.asSlice(0, p.readLength()), p.readStart());
            Posix.dropFromPageCache(fd, p.readStart(), p.readLength());
            if (got < needed) throw new EOFException("the model file ends inside an expert (read " + got + " of " + needed + " bytes at " + p.readStart() + ")");
        }

        @Override
        public String description() {
            return fd >= 0 ? "buffered reads + posix_fadvise(DONTNEED)" : "buffered reads (this system cannot drop them from the page cache)";
        }

        @Override
        public boolean bypassesPageCache() {
            return fd >= 0;
        }

        @Override
        public void close() {
            super.close();
            if (fd >= 0) Posix.close(fd);
        }
    }
}
