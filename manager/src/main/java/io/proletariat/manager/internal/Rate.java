package io.proletariat.manager.internal;

import java.util.concurrent.TimeUnit;

/**
 * A token bucket for one connection's requests of one kind: {@code perSecond} a second, in bursts
 * of as many. O(1) per request, two longs of state. Core thread only.
 */
final class Rate {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private final long perSecond;
    private long tokens;
    private long refilledNanos;

    Rate(long perSecond) {
        this.perSecond = perSecond;
        this.tokens = perSecond;
        this.refilledNanos = System.nanoTime();
    }

    /** Takes one request's token; false when the connection asks faster than the rate. */
    boolean take() {
        long now = System.nanoTime();
        long elapsed = now - refilledNanos;
        if (elapsed >= SECOND) {
            tokens = perSecond;
            refilledNanos = now;
        } else {
            long refill = (long) ((double) elapsed * perSecond / SECOND);
            if (refill > 0) {
                tokens = Math.min(perSecond, tokens + refill);
                refilledNanos += (long) ((double) refill * SECOND / perSecond); // keep the fraction of a token
            }
        }
        if (tokens > 0) {
            tokens--;
            return true;
        }
        return false;
    }
}
