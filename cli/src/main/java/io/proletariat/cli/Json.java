package io.proletariat.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.proletariat.protocol.RawJson;

/** JSON helpers of the command line: strict parsing of user input with one-line error messages. */
final class Json {
    /** Strict: one JSON value per text, nothing after it. Thread-safe. */
    static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Json() {
    }

    /** Thrown when user input is not one JSON value; the message is one line. */
    static final class BadJsonException extends Exception {
        BadJsonException(String message) {
            super(message);
        }
    }

    /**
     * Checks that {@code text} is exactly one JSON value and returns it verbatim as {@link RawJson}.
     *
     * @param what how to name the input in the message, e.g. {@code "argument 2"} or {@code "line 17"}
     */
    static RawJson parse(String text, String what) throws BadJsonException {
        String reason = check(text);
        if (reason != null) {
            throw new BadJsonException(what + " is not JSON (" + reason + "): " + abbreviate(text));
        }
        return RawJson.of(text.strip());
    }

    /** Null when {@code text} is one JSON value, else Jackson's complaint on one line. */
    static String check(String text) {
        try {
            JsonNode node = MAPPER.readTree(text);
            return node == null || node.isMissingNode() ? "empty" : null;
        } catch (JsonProcessingException e) {
            return e.getOriginalMessage().lines().findFirst().orElse("malformed");
        }
    }

    /** The first 60 characters of {@code text}, for messages. */
    static String abbreviate(String text) {
        String t = text.strip();
        return t.length() <= 60 ? t : t.substring(0, 57) + "...";
    }
}
