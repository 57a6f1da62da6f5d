package io.proletariat.client;

import java.time.Duration;

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
 *         .build();
 * }</pre>
 */
public final class WorkOptions {
    /** No timeouts, priority 0 (not sent). */
    public static final WorkOptions DEFAULT = builder().build();

    private final Duration overallTimeout;
    private final Duration runTimeout;
    private final Duration assignTimeout;
    private final Integer priority;
    private final ProgressListener onProgress;

    private WorkOptions(Builder b) {
        this.onProgress = b.onProgress;
        this.overallTimeout = b.overallTimeout;
        this.runTimeout = b.runTimeout;
        this.assignTimeout = b.assignTimeout;
        this.priority = b.priority;
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

    /** The listener of the works' progress, or {@code null} (then none is asked for). */
    public ProgressListener onProgress() {
        return onProgress;
    }

    @Override
    public String toString() {
        return "WorkOptions{overallTimeout=" + ms(overallTimeout) + ", runTimeout=" + ms(runTimeout) + ", assigntimeout=" + ms(assignTimeout)
                + ", priority=" + priority + "}";
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
        private ProgressListener onProgress;

        private Builder() {
        }

        private Builder(WorkOptions o) {
            onProgress = o.onProgress;
            overallTimeout = o.overallTimeout;
            runTimeout = o.runTimeout;
            assignTimeout = o.assignTimeout;
            priority = o.priority;
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
