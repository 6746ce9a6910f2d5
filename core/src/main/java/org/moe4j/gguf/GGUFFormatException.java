package org.moe4j.gguf;

/**
 * A GGUF file that cannot be read: truncated, corrupt, hostile or of an unsupported kind.
 * The message always names the problem and, where it is known, the byte offset and the key or tensor involved.
 */
public class GGUFFormatException extends RuntimeException {
    public GGUFFormatException(String message) {
        super(message);
    }

    public GGUFFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
