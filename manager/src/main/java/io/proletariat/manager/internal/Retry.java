package io.proletariat.manager.internal;

import io.proletariat.protocol.RawJson;
import java.util.random.RandomGenerator;

/**
 * One work's retries (docs/protocol.md, push: {@code retries}, {@code backoff}, {@code retryOn}):
 * its policy, the attempts that ended so far and the last failed one's error. Only works whose push
 * asked retries, or that the manager's defaults give retries, have one. Core thread only.
 */
final class Retry {
    /** Which ends of an attempt count as failed attempts, as bits of {@link Policy#retryOn}. */
    static final int ON_ERROR = 1;
    static final int ON_TIMEOUT = 2;
    static final int ON_LOST = 4;
    static final int ON_ALL = ON_ERROR | ON_TIMEOUT | ON_LOST;
    /** The most {@code retries} a push may ask. */
    static final int MAX_RETRIES = 1000;
    /** The {@code backoff} and {@code backoffMax} when neither the push nor the manager's defaults say. */
    static final long DEFAULT_BACKOFF_MS = 1000;
    static final long DEFAULT_BACKOFF_MAX_MS = 60_000;
    /** The longest {@code backoff} and {@code backoffMax}: one day. */
    static final long MAX_BACKOFF_MS = 24L * 3600 * 1000;
    /** The {@code err} of a work given up after its worker was lost on its last attempt. */
    static final RawJson LOST_ERROR = RawJson.of("{\"code\":\"EWORKERLOST\",\"message\":\"Its worker was lost while it ran\"}");
    static final RawJson LOST_RESULT = RawJson.of("{\"err\":" + LOST_ERROR + ",\"data\":null}");

    /**
     * What a push asked (or the manager's defaults): up to {@code retries} more attempts, waiting
     * {@code backoffMs} doubled per attempt up to {@code backoffMaxMs}, the upper half jittered.
     * Shared by every work of a request.
     */
    record Policy(int retries, long backoffMs, long backoffMaxMs, int retryOn) {
        /** Whether a failed attempt with this error code counts ({@code ETO}: the run timeout; any other: the handler's error). */
        boolean retriesOn(String errorCode) {
            return (retryOn & ("ETO".equals(errorCode) ? ON_TIMEOUT : ON_ERROR)) != 0;
        }

        boolean countsLost() {
            return (retryOn & ON_LOST) != 0;
        }

        /**
         * The wait before the retry after {@code attempts} failed attempts: {@code backoff * 2^(attempts-1)},
         * capped at {@code backoffMax}, then a random point of its upper half (so that works that failed
         * together do not come back together).
         */
        long backoffMs(int attempts, RandomGenerator random) {
            int doublings = Math.min(Math.max(attempts - 1, 0), 62);
            long d = backoffMs;
            for (int i = 0; i < doublings && d < backoffMaxMs; i++) {
                d *= 2;
            }
            d = Math.min(d, backoffMaxMs);
            long half = d / 2;
            return d - half + (half > 0 ? random.nextLong(half + 1) : 0);
        }

        /** The {@code retryOn} bits of the names {@code error}, {@code ETO} and {@code lost}; -1 for another name. */
        static int bit(String name) {
            return switch (name) {
                case "error" -> ON_ERROR;
                case "ETO" -> ON_TIMEOUT;
                case "lost" -> ON_LOST;
                default -> -1;
            };
        }
    }

    final Policy policy;
    /** Attempts that ended (a result, a run timeout, a counted loss). */
    int attempts;
    /** The error of the latest failed attempt; null while none failed. */
    RawJson lastError;
    /** When the pending retry is due (loop clock); kept while a left client's work waits for its resend. */
    long retryDueNanos;

    Retry(Policy policy) {
        this.policy = policy;
    }

    /** Whether another attempt is allowed after the {@link #attempts} that ended. */
    boolean left() {
        return attempts <= policy.retries;
    }
}
