package io.proletariat.client.internal;

import java.util.concurrent.atomic.AtomicLong;

/** Request and system-message ids (docs/protocol.md, Identifiers). */
public final class Ids {
    private static final AtomicLong COUNTER = new AtomicLong();

    private Ids() {
    }

    /** The "R&lt;6 digits&gt;r" of the last millisecond a request id was made in: made once per millisecond, not per id. */
    private static volatile Prefix requestPrefix = new Prefix(-1, "");

    private record Prefix(long millis, String text) {
    }

    /** {@code "R" + last 6 digits of epoch ms + "r" + counter}; unique in this JVM. */
    public static String requestId() {
        long now = System.currentTimeMillis();
        Prefix p = requestPrefix;
        if (p.millis != now) {
            p = new Prefix(now, "R" + last6(now) + "r");
            requestPrefix = p;
        }
        return p.text.concat(Long.toString(COUNTER.incrementAndGet()));
    }

    /**
     * A client's session: 64 random bits in base 36 (about 13 characters). With a request id and a
     * work's index it names the work across managers (docs/cluster.md), so it must not repeat
     * between clients: it comes from {@link java.security.SecureRandom}.
     */
    public static String session() {
        return Long.toUnsignedString(new java.security.SecureRandom().nextLong(), 36);
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
