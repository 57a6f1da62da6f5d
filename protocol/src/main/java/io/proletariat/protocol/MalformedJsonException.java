package io.proletariat.protocol;

/** A frame's payload, or a value handed to the protocol layer, is not valid JSON. */
public final class MalformedJsonException extends RuntimeException {
    public MalformedJsonException(String message) {
        super(message);
    }
}
