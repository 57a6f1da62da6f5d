package io.proletariat.client.internal;

import java.util.concurrent.atomic.AtomicLong;

/** Request and system-message ids (docs/protocol.md, Identifiers). */
public final class Ids {
    private static final AtomicLong COUNTER = new AtomicLong();

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

    static String last6(long millis) {
        String s = Long.toString(millis);
        return s.length() <= 6 ? s : s.substring(s.length() - 6);
    }
}
