package org.moe4j.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Checks the {@code Authorization: Bearer KEY} header against the server's key. The comparison takes the
 * same time wherever the first difference is (MessageDigest.isEqual), so timing does not reveal the key.
 */
final class ApiKeyCheck {
    private final byte[] key;

    ApiKeyCheck(String key) {
        this.key = key.getBytes(StandardCharsets.UTF_8);
    }

    void check(String authorization) {
        String given = null;
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            given = authorization.substring(7).strip();
        }
        if (given == null || given.isEmpty()) {
            throw new ApiException(401, "invalid_request_error", null, "missing_api_key",
                    "You didn't provide an API key. Send it as 'Authorization: Bearer YOUR_KEY'.");
        }
        if (!MessageDigest.isEqual(key, given.getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException(401, "invalid_request_error", null, "invalid_api_key", "Incorrect API key provided.");
        }
    }
}
