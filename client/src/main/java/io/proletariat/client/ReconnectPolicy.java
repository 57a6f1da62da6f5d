package io.proletariat.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Client} or a {@link io.proletariat.worker.Worker} connects to its manager and
 * connects again: one policy for both, set with the same builder methods on {@link ClientOptions}
 * and {@link io.proletariat.worker.WorkerOptions} ({@code maxRetries}, {@code retryDelay},
 * {@code retryBackoff}, {@code connectTimeout}).
 *
 * <p>When an established connection drops, the first attempt is made at once. After a failed
 * attempt the next one waits {@link #retryDelay()}, doubling after each further failure in a row up
 * to {@link #maxRetryDelay()} when backoff is set. After {@link #maxRetries()} failures in a row the
 * participant gives up: a client fails its pending calls with {@code ECONNREFUSED} (and tries again
 * on the next call), a worker stops.
 *
 * <p>Immutable; the {@code with...} methods return a changed copy and reject bad values naming the option.
 */
public final class ReconnectPolicy {
    /** Default wait between failed attempts: 2000 ms (the original's {@code CON_RETRYTIME} and client retry delay). */
    public static final Duration DEFAULT_RETRY_DELAY = Duration.ofMillis(2_000);
    /** Default TCP connect timeout of one attempt: 10 s. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final int maxRetries;
    private final Duration retryDelay;
    private final Duration retryBackoff;
    private final Duration connectTimeout;

    private ReconnectPolicy(int maxRetries, Duration retryDelay, Duration retryBackoff, Duration connectTimeout) {
        this.maxRetries = maxRetries;
        this.retryDelay = retryDelay;
        this.retryBackoff = retryBackoff;
        this.connectTimeout = connectTimeout;
    }

    /** The default policy giving up after {@code maxRetries} failures in a row. */
    public static ReconnectPolicy giveUpAfter(int maxRetries) {
        return new ReconnectPolicy(0, DEFAULT_RETRY_DELAY, null, DEFAULT_CONNECT_TIMEOUT).withMaxRetries(maxRetries);
    }

    /**
     * {@code maxRetries}: how many connection attempts in a row may fail before the participant gives
     * up. Must be &gt;= 0 ({@code Integer.MAX_VALUE} for forever).
     */
    public ReconnectPolicy withMaxRetries(int maxRetries) {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0: " + maxRetries);
        }
        return new ReconnectPolicy(maxRetries, retryDelay, retryBackoff, connectTimeout);
    }

    /** {@code retryDelay}: the wait after a failed attempt. Must be &gt;= 0. */
    public ReconnectPolicy withRetryDelay(Duration retryDelay) {
        Objects.requireNonNull(retryDelay, "retryDelay");
        if (retryDelay.isNegative()) {
            throw new IllegalArgumentException("retryDelay must be >= 0: " + retryDelay.toMillis() + " ms");
        }
        return new ReconnectPolicy(maxRetries, retryDelay, retryBackoff, connectTimeout);
    }

    /**
     * {@code retryBackoff}: after each failed attempt in a row the wait doubles, from the retry delay
     * up to {@code max}. Default: no backoff; a {@code max} below the retry delay means none either.
     */
    public ReconnectPolicy withRetryBackoff(Duration max) {
        Objects.requireNonNull(max, "retryBackoff");
        if (max.isNegative()) {
            throw new IllegalArgumentException("retryBackoff must be >= 0: " + max.toMillis() + " ms");
        }
        return new ReconnectPolicy(maxRetries, retryDelay, max, connectTimeout);
    }

    /** {@code connectTimeout}: the TCP connect timeout of one attempt. At least 1 ms. */
    public ReconnectPolicy withConnectTimeout(Duration connectTimeout) {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (connectTimeout.toMillis() < 1 || connectTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("connectTimeout must be between 1 ms and 24 days: " + connectTimeout.toMillis() + " ms");
        }
        return new ReconnectPolicy(maxRetries, retryDelay, retryBackoff, connectTimeout);
    }

    /** Failed attempts in a row after which the participant gives up. */
    public int maxRetries() {
        return maxRetries;
    }

    /** The wait after a failed attempt. */
    public Duration retryDelay() {
        return retryDelay;
    }

    /** The longest wait between failed attempts: {@link #retryDelay()} unless backoff set more. */
    public Duration maxRetryDelay() {
        return retryBackoff == null || retryBackoff.compareTo(retryDelay) < 0 ? retryDelay : retryBackoff;
    }

    /** The TCP connect timeout of one attempt. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** The wait before the next attempt after {@code failed} (&gt;= 1) failures in a row. */
    public long delayMillis(int failed) {
        long delay = retryDelay.toMillis();
        long max = maxRetryDelay().toMillis();
        for (int i = 1; i < failed && delay < max; i++) {
            delay *= 2;
        }
        return Math.min(delay, max);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReconnectPolicy p && maxRetries == p.maxRetries && retryDelay.equals(p.retryDelay)
                && maxRetryDelay().equals(p.maxRetryDelay()) && connectTimeout.equals(p.connectTimeout);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(maxRetries, retryDelay, maxRetryDelay(), connectTimeout);
    }

    @Override
    public String toString() {
        return "maxRetries=" + maxRetries + ", retryDelay=" + retryDelay.toMillis() + "ms"
                + (maxRetryDelay().equals(retryDelay) ? "" : ", retryBackoff=" + maxRetryDelay().toMillis() + "ms")
                + ", connectTimeout=" + connectTimeout.toMillis() + "ms";
    }
}
