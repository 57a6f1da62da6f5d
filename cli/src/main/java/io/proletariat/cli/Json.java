package io.proletariat.cli;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.proletariat.protocol.RawJson;

/** JSON helpers of the command line: strict parsing of user input with one-line error messages. */
final class Json {
    /** Strict: one JSON value per text, nothing after it. Thread-safe. */
    static final ObjectMapper MAPPER = new ObjectMapper(RawJson.newJsonFactory()).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

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
            throw new BadJsonException(what + " is not one JSON value: " + reason + " (got: " + abbreviate(text) + ")");
        }
        return RawJson.of(text.strip());
    }

    /** Null when {@code text} is one JSON value, else a plain one-line reason that says how to fix it. */
    static String check(String text) {
        try (JsonParser p = MAPPER.getFactory().createParser(text)) {
            if (p.nextToken() == null) {
                return "it is empty";
            }
            p.skipChildren();
            if (p.nextToken() != null) {
                return "it holds more than one JSON value; give each work as its own argument or line";
            }
            return null;
        } catch (JsonEOFException e) {
            return "it ends before the JSON value is complete";
        } catch (JsonParseException e) {
            String word = text.strip().split("[\\s,:\\[\\]{}]", 2)[0];
            if (e.getOriginalMessage().startsWith("Unrecognized token") && !word.isEmpty()) {
                return "a string needs double quotes, e.g. '\"" + abbreviate(word) + "\"'";
            }
            return "unexpected character at column " + e.getLocation().getColumnNr();
        } catch (java.io.IOException e) {
            return "it cannot be read: " + e.getMessage();
        }
    }

    /** The first 60 characters of {@code text}, for messages. */
    static String abbreviate(String text) {
        String t = text.strip();
        return t.length() <= 60 ? t : t.substring(0, 57) + "...";
    }
}
