package org.moe4j.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;

/** Reads JSON into the plain maps, lists and numbers templates work on, keeping key order. */
final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}

    static Object parse(String json) {
        try {
            return MAPPER.readValue(json, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("invalid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Tool-call arguments as a dict, which is what templates expect (Hugging Face documents arguments
     * as a dict, and many templates apply {@code tojson} to them); text that is not a JSON object is
     * passed through as a string.
     */
    static Object parseArguments(String arguments) {
        try {
            Object value = MAPPER.readValue(arguments, Object.class);
            return value instanceof LinkedHashMap<?, ?> ? value : arguments;
        } catch (JsonProcessingException e) {
            return arguments;
        }
    }
}
