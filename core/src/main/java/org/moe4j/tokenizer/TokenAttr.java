package org.moe4j.tokenizer;

/**
 * Token attribute bits. They mirror the reference engine's attributes rather than GGUF's token types because
 * the reference overrides types after loading (control-looking EOG tokens become control, gpt-oss channel
 * markers become user-defined) and adds strip flags that GGUF cannot express.
 */
final class TokenAttr {
    static final int UNDEFINED = 0;
    static final int UNKNOWN = 1 << 0;
    static final int UNUSED = 1 << 1;
    static final int NORMAL = 1 << 2;
    static final int CONTROL = 1 << 3;
    static final int USER_DEFINED = 1 << 4;
    static final int BYTE = 1 << 5;
    static final int LSTRIP = 1 << 7;
    static final int RSTRIP = 1 << 8;

    private TokenAttr() {
    }

    /** The attribute of a GGUF {@code tokenizer.ggml.token_type} value; unknown types render nothing, like the reference. */
    static int fromTokenType(int type) {
        return switch (type) {
            case 1 -> NORMAL;
            case 2 -> UNKNOWN;
            case 3 -> CONTROL;
            case 4 -> USER_DEFINED;
            case 5 -> UNUSED;
            case 6 -> BYTE;
            default -> UNDEFINED;
        };
    }
}
