package io.proletariat.client;

import io.proletariat.protocol.JsonWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * Immutable options of one {@code work()} / {@code submit()} call: the original's {@code timeout}
 * (here {@code overallTimeout}: it is the client's, never sent, unlike the wire's {@code timeout},
 * which is the run timeout), {@code runTimeout}, {@code assigntimeout} and {@code priority}. Unset
 * options are not sent.
 *
 * <pre>{@code
 * WorkOptions options = WorkOptions.builder()
 *         .overallTimeout(Duration.ofSeconds(60)) // whole round trip, client side: ECSTO
 *         .runTimeout(Duration.ofSeconds(10))     // running time on the worker: ETO
 *         .assignTimeout(Duration.ofSeconds(5))   // waiting for a worker: EATO
 *         .priority(1)
 *         .type("resize")                         // only workers of type resize take it
 *         .retries(3).backoff(Duration.ofMillis(100))   // retried by the manager: up to 4 attempts
 *         .delay(Duration.ofSeconds(5))                 // eligible 5 s after the push
 *         .build();
 * }</pre>
 *
 * <p>Retries and delays are our extensions (docs/protocol.md, push): an original manager ignores them.
 */
public final class WorkOptions {
    /** The most retries a push may ask. */
    public static final int MAX_RETRIES = 1000;
    /** The longest backoff: 1 day. */
    public static final Duration MAX_BACKOFF = Duration.ofDays(1);
    /** The longest delay: 30 days. */
    public static final Duration MAX_DELAY = Duration.ofDays(30);

    /** No timeouts, priority 0 (not sent). */
    public static final WorkOptions DEFAULT = builder().build();

    private final Duration overallTimeout;
    private final Duration runTimeout;
    private final Duration assignTimeout;
    private final Integer priority;
    private final String type;
    private final Integer retries;
    private final Duration backoff;
    private final Duration backoffMax;
    private final Set<RetryOn> retryOn;
    private final Duration delay;
    private final Instant notBefore;
    private final ProgressListener onProgress;

    /** The failed attempts {@link Builder#retryOn} can name. */
    public enum RetryOn {
        /** The handler answered an error (any code but {@code ETO}). */
        ERROR("error"),
        /** The run timeout expired ({@code ETO}). */
        ETO("ETO"),
        /** The work's worker was lost while it ran; after its retries the work ends with {@code EWORKERLOST}. */
        LOST("lost");

        private final String wire;

        RetryOn(String wire) {
            this.wire = wire;
        }

        /** Its name on the wire: {@code error}, {@code ETO}, {@code lost}. */
        public String wireName() {
            return wire;
        }
    }

    private WorkOptions(Builder b) {
        this.retries = b.retries;
        this.backoff = b.backoff;
        this.backoffMax = b.backoffMax;
        this.retryOn = b.retryOn == null ? null : Collections.unmodifiableSet(EnumSet.copyOf(b.retryOn));
        this.delay = b.delay;
        this.notBefore = b.notBefore;
        this.onProgress = b.onProgress;
        this.overallTimeout = b.overallTimeout;
        this.runTimeout = b.runTimeout;
        this.assignTimeout = b.assignTimeout;
        this.priority = b.priority;
        this.type = b.type;
    }

    /** A builder with nothing set. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options, for variants. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The client-side limit of the whole call (the original's {@code timeout}; {@code ECSTO}), or {@code null}. */
    public Duration overallTimeout() {
        return overallTimeout;
    }

    /** The run timeout on the worker (the wire's {@code timeout}; {@code ETO}), or {@code null}. */
    public Duration runTimeout() {
        return runTimeout;
    }

    /** The assign timeout, or {@code null}. */
    public Duration assignTimeout() {
        return assignTimeout;
    }

    /** The priority, or {@code null} when not set (the manager then uses 0). */
    public Integer priority() {
        return priority;
    }

    /** The work type, or {@code null} for an untyped work (the default). */
    public String type() {
        return type;
    }

    /** The retries asked of the manager, or {@code null} (the manager's default, none unless it runs with {@code --retries}). */
    public Integer retries() {
        return retries;
    }

    /** The first retry's backoff, or {@code null} (the manager's default). */
    public Duration backoff() {
        return backoff;
    }

    /** The longest backoff, or {@code null} (the manager's default, raised to {@link #backoff()}). */
    public Duration backoffMax() {
        return backoffMax;
    }

    /** Which failed attempts are retried, or {@code null} (the manager's default: all). */
    public Set<RetryOn> retryOn() {
        return retryOn;
    }

    /** How long after the push the works become eligible, or {@code null}. */
    public Duration delay() {
        return delay;
    }

    /** When the works become eligible, or {@code null}. */
    public Instant notBefore() {
        return notBefore;
    }

    /**
     * Writes the push members of the retries and the delay that are set (our extension; none for the
     * defaults). A resend ({@code firstSentMillis} > 0) sends its {@code delay} as the {@code notBefore}
     * it came to at the first push, so a reconnect does not start the delay again.
     */
    void writeRetriesAndDelay(JsonWriter w, long firstSentMillis) {
        if (retries != null) {
            w.name("retries").value(retries);
        }
        if (backoff != null) {
            w.name("backoff").value(backoff.toMillis());
        }
        if (backoffMax != null) {
            w.name("backoffMax").value(backoffMax.toMillis());
        }
        if (retryOn != null) {
            w.name("retryOn").beginArray();
            for (RetryOn r : retryOn) {
                w.value(r.wire);
            }
            w.endArray();
        }
        long at = notBefore == null ? -1 : notBefore.toEpochMilli();
        if (delay != null && firstSentMillis > 0) {
            at = Math.max(at, firstSentMillis + delay.toMillis());
        } else if (delay != null) {
            w.name("delay").value(delay.toMillis());
        }
        if (at >= 0) {
            w.name("notBefore").value(at);
        }
    }

    /** The listener of the works' progress, or {@code null} (then none is asked for). */
    public ProgressListener onProgress() {
        return onProgress;
    }

    @Override
    public String toString() {
        return "WorkOptions{overallTimeout=" + ms(overallTimeout) + ", runTimeout=" + ms(runTimeout) + ", assigntimeout=" + ms(assignTimeout)
                + ", priority=" + priority + (type == null ? "" : ", type=" + type)
                + (retries != null ? ", retries=" + retries + ", backoff=" + ms(backoff) + ", backoffMax="
                + ms(backoffMax) + ", retryOn=" + retryOn : "") + (delay != null ? ", delay=" + ms(delay) : "")
                + (notBefore != null ? ", notBefore=" + notBefore : "") + "}";
    }

    private static String ms(Duration d) {
        return d == null ? "none" : d.toMillis() + "ms";
    }

    /** Builds {@link WorkOptions}; setters reject bad values naming the option. */
    public static final class Builder {
        private Duration overallTimeout;
        private Duration runTimeout;
        private Duration assignTimeout;
        private Integer priority;
        private String type;
        private Integer retries;
        private Duration backoff;
        private Duration backoffMax;
        private Set<RetryOn> retryOn;
        private Duration delay;
        private Instant notBefore;
        private ProgressListener onProgress;

        private Builder() {
        }

        private Builder(WorkOptions o) {
            retries = o.retries;
            backoff = o.backoff;
            backoffMax = o.backoffMax;
            retryOn = o.retryOn;
            delay = o.delay;
            notBefore = o.notBefore;
            onProgress = o.onProgress;
            overallTimeout = o.overallTimeout;
            runTimeout = o.runTimeout;
            assignTimeout = o.assignTimeout;
            priority = o.priority;
            type = o.type;
        }

        /**
         * The original's {@code timeout}: the longest the whole call may take, from the call to the
         * last result (client side; not sent). When it expires every unanswered work gets
         * {@code {"err":{"code":"ECSTO",...}}} and the request is aborted on the manager. Must be at
         * least 1 ms; {@code null} for none (the default).
         */
        public Builder overallTimeout(Duration overallTimeout) {
            this.overallTimeout = check("overallTimeout", overallTimeout);
            return this;
        }

        /** {@link #overallTimeout(Duration)} in milliseconds. */
        public Builder overallTimeout(long millis) {
            return overallTimeout(Duration.ofMillis(millis));
        }

        /**
         * {@code runTimeout}: the longest a work may run on its worker, from when the worker accepts it.
         * When it expires the work's result is {@code {"err":{"code":"ETO","message":"Timeout"}}}. Sent
         * as the wire {@code timeout} (and {@code runTimeout}). At least 1 ms; {@code null} for none.
         */
        public Builder runTimeout(Duration runTimeout) {
            this.runTimeout = check("runTimeout", runTimeout);
            return this;
        }

        /** {@link #runTimeout(Duration)} in milliseconds. */
        public Builder runTimeout(long millis) {
            return runTimeout(Duration.ofMillis(millis));
        }

        /**
         * {@code assigntimeout}: the longest a work may wait for a worker. When it expires the manager
         * answers {@code {"err":{"code":"EATO","message":"Assign timeout"}}}. At least 1 ms; {@code null}
         * for none.
         */
        public Builder assignTimeout(Duration assignTimeout) {
            this.assignTimeout = check("assigntimeout", assignTimeout);
            return this;
        }

        /** {@link #assignTimeout(Duration)} in milliseconds. */
        public Builder assignTimeout(long millis) {
            return assignTimeout(Duration.ofMillis(millis));
        }

        /** {@code priority}: higher runs first. Default 0; must be &gt;= 0. */
        public Builder priority(int priority) {
            if (priority < 0) {
                throw new IllegalArgumentException("priority must be >= 0: " + priority);
            }
            this.priority = priority;
            return this;
        }

        /**
         * {@code type} (our extension): only a worker that offered this work type runs the works
         * ({@code WorkerOptions.Builder.types}); an original node.js manager ignores it. 1 to 64
         * characters of {@code A-Z a-z 0-9 _ . : -}; {@code null} (the default) for an untyped work,
         * which goes to workers that named no type, or said they take untyped works too.
         */
        public Builder type(String type) {
            this.type = type == null ? null : io.proletariat.protocol.WorkTypeNames.check(type);
            return this;
        }

        /**
         * {@code retries}: after a failed attempt (see {@link #retryOn}) the manager holds the work for
         * a backoff and queues it again, up to this many times; the result is then the last attempt's,
         * with {@link WorkResult#attempts()} and {@link WorkResult#lastError()}. From 0 to 1000; 0 asks
         * for none even when the manager has default retries. Not set: the manager's default.
         */
        public Builder retries(int retries) {
            if (retries < 0 || retries > MAX_RETRIES) {
                throw new IllegalArgumentException("retries must be from 0 to " + MAX_RETRIES + ": " + retries);
            }
            this.retries = retries;
            return this;
        }

        /**
         * {@code backoff}: the wait before the first retry, doubling with each failed attempt (each wait
         * a random point of its upper half); from 0 to 1 day. Not set: the manager's default (1 s).
         */
        public Builder backoff(Duration backoff) {
            this.backoff = bounded("backoff", backoff, MAX_BACKOFF);
            return this;
        }

        /** {@link #backoff(Duration)} and {@code backoffMax}, the longest wait between attempts (at least {@code backoff}, at most 1 day). */
        public Builder backoff(Duration backoff, Duration max) {
            Duration b = bounded("backoff", backoff, MAX_BACKOFF);
            Duration m = bounded("backoffMax", max, MAX_BACKOFF);
            if (b != null && m != null && m.compareTo(b) < 0) {
                throw new IllegalArgumentException("backoffMax must be >= backoff: " + m.toMillis() + " ms < " + b.toMillis() + " ms");
            }
            this.backoff = b;
            this.backoffMax = m;
            return this;
        }

        /** {@code retryOn}: which failed attempts are retried; at least one. Not set: the manager's default (all three). */
        public Builder retryOn(RetryOn first, RetryOn... more) {
            EnumSet<RetryOn> set = EnumSet.of(java.util.Objects.requireNonNull(first, "retryOn"), more);
            this.retryOn = set;
            return this;
        }

        /**
         * {@code delay}: the works become eligible this long after the manager takes the push (their
         * assign timeout counts from then); from 0 to 30 days. With {@link #notBefore} too, the later wins.
         */
        public Builder delay(Duration delay) {
            this.delay = bounded("delay", delay, MAX_DELAY);
            return this;
        }

        /** {@code notBefore}: the works become eligible at this instant (at once when it is past); at most 30 days ahead. */
        public Builder notBefore(Instant notBefore) {
            if (notBefore != null && notBefore.toEpochMilli() < 0) {
                throw new IllegalArgumentException("notBefore must be after 1970: " + notBefore);
            }
            this.notBefore = notBefore;
            return this;
        }

        /**
         * Asks for the works' progress (our extension: the push says {@code "progress":true}) and hears
         * it on the client's callback thread, in order ({@link ProgressListener}). Workers report it
         * with {@code Work.progress(value)}. An original manager sends none. {@code null} for none (the default).
         */
        public Builder onProgress(ProgressListener listener) {
            this.onProgress = listener;
            return this;
        }

        /** The options. */
        public WorkOptions build() {
            return new WorkOptions(this);
        }

        private static Duration bounded(String name, Duration d, Duration max) {
            if (d == null) {
                return null;
            }
            if (d.isNegative() || d.compareTo(max) > 0) {
                throw new IllegalArgumentException(name + " must be from 0 to " + max.toMillis() + " ms: " + d.toMillis() + " ms");
            }
            return d;
        }

        private static Duration check(String name, Duration d) {
            if (d == null) {
                return null;
            }
            if (d.toMillis() < 1) {
                throw new IllegalArgumentException(name + " must be at least 1 ms: " + d.toMillis() + " ms");
            }
            return d;
        }
    }
}
