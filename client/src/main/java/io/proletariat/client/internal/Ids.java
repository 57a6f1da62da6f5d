package io.proletariat.client.internal;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicLong;

/** Request and system-message ids (docs/protocol.md, Identifiers), and the wire's date format. */
public final class Ids {
    private static final AtomicLong COUNTER = new AtomicLong();
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Ids() {
    }

    /** {@code "R" + last 6 digits of epoch ms + "r" + counter}; unique in this JVM. */
    public static String requestId() {
        return "R" + last6(System.currentTimeMillis()) + "r" + COUNTER.incrementAndGet();
    }

    /** {@code "M" + last 6 digits of epoch ms + "." + counter}; unique in this JVM. */
    public static String systemMessageId() {
        return "M" + last6(System.currentTimeMillis()) + "." + COUNTER.incrementAndGet();
    }

    /** The current time as {@code JSON.stringify} writes a Date: {@code 2026-11-27T20:20:56.419Z}. */
    public static String isoNow() {
        return ISO.format(Instant.now());
    }

    static String last6(long millis) {
        String s = Long.toString(millis);
        return s.length() <= 6 ? s : s.substring(s.length() - 6);
    }
}
