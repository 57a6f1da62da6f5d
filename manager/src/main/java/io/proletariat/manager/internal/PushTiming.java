package io.proletariat.manager.internal;

import io.proletariat.protocol.RawJson;
import io.proletariat.protocol.WireError;
import java.util.List;

/**
 * A push's retries and delay, our extension (docs/protocol.md, push): {@code retries},
 * {@code backoff}, {@code backoffMax}, {@code retryOn}, {@code delay} and {@code notBefore}, read and
 * checked on the I/O thread. Original clients never send them: their pushes have none (null). The
 * numbers must be JSON integers (no {@code parseInt} leniency: no peer of the original sends them).
 *
 * @param retries the {@code retries} asked, -1 when absent
 * @param backoffMs the {@code backoff} in ms, -1 when absent
 * @param backoffMaxMs the {@code backoffMax} in ms, -1 when absent
 * @param retryOn the {@link Retry} bits of {@code retryOn}, 0 when absent
 * @param delayMs how long from the push the works wait ({@code delay} and {@code notBefore}, the later), 0 for none
 * @param invalid the error to answer when a value is not valid ({@code EINVRETRY}, {@code EINVDELAY}), else null
 */
record PushTiming(int retries, long backoffMs, long backoffMaxMs, int retryOn, long delayMs, WireError invalid) {
    /** The longest {@code delay}, and the furthest {@code notBefore} ahead: 30 days. */
    static final long MAX_DELAY_MS = 30L * 24 * 3600 * 1000;

    /** The push's timing from its members as sent (each null when absent); null when all are absent. */
    static PushTiming read(RawJson retries, RawJson backoff, RawJson backoffMax, RawJson retryOn, RawJson delay, RawJson notBefore) {
        if (retries == null && backoff == null && backoffMax == null && retryOn == null && delay == null && notBefore == null) {
            return null;
        }
        long r = integer(retries, 0, Retry.MAX_RETRIES);
        long b = integer(backoff, 0, Retry.MAX_BACKOFF_MS);
        long bm = integer(backoffMax, 0, Retry.MAX_BACKOFF_MS);
        int on = retryOn == null ? 0 : retryOn(retryOn);
        if (r == BAD || b == BAD || bm == BAD || on < 0 || b >= 0 && bm >= 0 && bm < b) {
            return new PushTiming(-1, -1, -1, 0, 0, WireError.EINVRETRY);
        }
        long d = integer(delay, 0, MAX_DELAY_MS);
        long now = System.currentTimeMillis();
        long nb = integer(notBefore, 0, now + MAX_DELAY_MS);
        if (d == BAD || nb == BAD) {
            return new PushTiming(-1, -1, -1, 0, 0, WireError.EINVDELAY);
        }
        long wait = Math.max(Math.max(d, 0), nb < 0 ? 0 : nb - now);
        return new PushTiming((int) r, b, bm, on, wait, null);
    }

    /** The push's retry policy: what it asked, the rest from the manager's {@code defaults}; null for no retries. */
    Retry.Policy policy(Retry.Policy defaults) {
        if (retries < 0 && backoffMs < 0 && backoffMaxMs < 0 && retryOn == 0) {
            return defaults;
        }
        int n = retries >= 0 ? retries : defaults == null ? 0 : defaults.retries();
        if (n == 0) {
            return null;
        }
        long b = backoffMs >= 0 ? backoffMs : defaults != null ? defaults.backoffMs() : Retry.DEFAULT_BACKOFF_MS;
        long max = backoffMaxMs >= 0 ? backoffMaxMs : Math.max(b, defaults != null ? defaults.backoffMaxMs() : Retry.DEFAULT_BACKOFF_MAX_MS);
        int on = retryOn != 0 ? retryOn : defaults != null ? defaults.retryOn() : Retry.ON_ALL;
        return new Retry.Policy(n, b, Math.max(b, max), on);
    }

    private static final long BAD = Long.MIN_VALUE;

    /** A JSON integer in {@code min..max}; -1 when absent, {@link #BAD} when not such a number. */
    private static long integer(RawJson v, long min, long max) {
        if (v == null) {
            return -1;
        }
        if (!v.isNumber()) {
            return BAD;
        }
        double d = v.asDouble();
        if (!(d >= min && d <= max) || d != Math.rint(d)) {
            return BAD;
        }
        return (long) d;
    }

    /** The bits of a non-empty array of known names; -1 when it is anything else. */
    private static int retryOn(RawJson v) {
        if (!v.isArray()) {
            return -1;
        }
        List<RawJson> names = v.elements();
        if (names.isEmpty() || names.size() > 3) {
            return -1;
        }
        int bits = 0;
        for (RawJson n : names) {
            int bit = n.isString() ? Retry.Policy.bit(n.asText()) : -1;
            if (bit < 0) {
                return -1;
            }
            bits |= bit;
        }
        return bits;
    }
}
