package org.moe4j.trace;

import java.io.IOException;
import java.nio.ByteBuffer;

/** Where the background thread of a {@link RoutingTraceWriter} puts buffers of binary records. */
interface TraceSink {
    /** Consumes the records between the buffer's position and limit (whole records only). */
    void write(ByteBuffer records) throws IOException;

    void close() throws IOException;
}
