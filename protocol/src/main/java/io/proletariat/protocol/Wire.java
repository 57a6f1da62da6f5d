package io.proletariat.protocol;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The protocol's fixed values and its date format (docs/protocol.md, Framing and Identifiers), in one
 * place for the manager, the libraries and the tools.
 */
public final class Wire {
    /** The port a manager listens on unless told otherwise. */
    public static final int DEFAULT_PORT = 1917;

    /** The original's largest frame payload: 20 MiB. A longer frame is answered {@code ELARGEMSG}. */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 20 * 1024 * 1024;

    /** How {@code JSON.stringify} writes a JavaScript Date: {@code 2026-11-27T20:20:56.419Z}. */
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private Wire() {
    }

    /** {@code epochMillis} as the wire writes dates. */
    public static String date(long epochMillis) {
        return DATE.format(Instant.ofEpochMilli(epochMillis));
    }

    /** The current time as the wire writes dates. */
    public static String now() {
        return date(System.currentTimeMillis());
    }
}
