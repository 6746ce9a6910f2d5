package org.moe4j.trace;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Writes the header, then the writer's records as they are. */
final class BinarySink implements TraceSink {
    private final FileChannel ch;

    BinarySink(Path path, TraceHeader header) throws IOException {
        ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        byte[] json = new ObjectMapper().writeValueAsBytes(header);
        ByteBuffer h = ByteBuffer.allocate(TraceFormat.MAGIC.length + 8 + json.length).order(ByteOrder.LITTLE_ENDIAN);
        h.put(TraceFormat.MAGIC).putInt(header.predictions() ? TraceFormat.VERSION_PREDICTIONS : TraceFormat.VERSION).putInt(json.length).put(json).flip();
        write(h);
    }

    @Override
    public void write(ByteBuffer records) throws IOException {
        while (records.hasRemaining()) ch.write(records);
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
