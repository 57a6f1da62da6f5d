package io.proletariat.worker;

import io.proletariat.client.ConnectionOptions;
import io.proletariat.client.ReconnectPolicy;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Executor;

/**
 * Immutable options of a {@link Worker}, with the original's names and defaults. The connection
 * options ({@code host}, {@code port}, {@code maxRetries}, {@code retryDelay} (the original's
 * {@code CON_RETRYTIME}), {@code retryBackoff}, {@code connectTimeout}, {@code objectMapper}) are
 * {@link ConnectionOptions}, shared with {@link io.proletariat.client.ClientOptions}. A worker's
 * default {@code maxRetries} is never to give up; with a limit, it stops when it gives up.
 *
 * <pre>{@code
 * WorkerOptions options = WorkerOptions.builder()
 *         .slots(100)
 *         .host("10.0.0.5")
 *         .prioritySlots(Map.of(1, 30, 2, 20))   // offers {"0":50,"1":30,"2":20}
 *         .answerThreshold(10)
 *         .build();
 * WorkerOptions local = options.toBuilder().host("127.0.0.1").build();
 * }</pre>
 */
public final class WorkerOptions extends ConnectionOptions {
    /** Default {@code slots}: 100. */
    public static final int DEFAULT_SLOTS = 100;
    /** Default {@code CLEANUP_REQS}: 1000. */
    public static final int DEFAULT_CLEANUP_REQS = 1000;
    /** Default {@code CLEANUP_CHECKINT}: 60000 ms. */
    public static final Duration DEFAULT_CLEANUP_CHECK_INTERVAL = Duration.ofMillis(60_000);
    /** Default connection retry limit of a worker: none ({@code Integer.MAX_VALUE}), it reconnects forever as the original. */
    public static final int DEFAULT_MAX_RETRIES = Integer.MAX_VALUE;
    /** Default {@code ANSWER_THRESHOLD}: 1 (every result is sent at once). */
    public static final int DEFAULT_ANSWER_THRESHOLD = 1;
    /** Default longest wait of a batched result before it is sent anyway: 100 ms. */
    public static final Duration DEFAULT_ANSWER_FLUSH_INTERVAL = Duration.ofMillis(100);
    /** Default delay before the offer is sent again after the manager refused it: 1000 ms (the original's). */
    public static final Duration DEFAULT_OFFER_RETRY_TIME = Duration.ofMillis(1_000);
    /** The largest {@code prefetch}: the manager refuses more (docs/protocol.md, Prefetch). */
    public static final int MAX_PREFETCH = 1000;
    /** Default time {@link Worker#close()} lets running works finish before handing them back: 10 s. */
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);

    private final int slots;
    private final Map<Integer, Integer> prioritySlots;
    private final int cleanupReqs;
    private final Duration cleanupCheckInterval;
    private final int answerThreshold;
    private final Duration answerFlushInterval;
    private final Duration offerRetryTime;
    private final Duration shutdownGrace;
    private final Executor executor;
    private final java.util.List<String> types;
    private final boolean untyped;
    /** -1: the default, from the slots. */
    private final int prefetch;

    private WorkerOptions(Builder b, Map<Integer, Integer> guarantees) {
        super(b);
        this.slots = b.slots;
        this.prioritySlots = Collections.unmodifiableMap(new TreeMap<>(guarantees));
        this.cleanupReqs = b.cleanupReqs;
        this.cleanupCheckInterval = b.cleanupCheckInterval;
        this.answerThreshold = b.answerThreshold;
        this.answerFlushInterval = b.answerFlushInterval;
        this.offerRetryTime = b.offerRetryTime;
        this.shutdownGrace = b.shutdownGrace;
        this.executor = b.executor;
        this.types = b.types;
        this.untyped = b.untyped;
        this.prefetch = b.prefetch;
    }

    /** The work types the worker takes; empty (the default) for untyped works only, as the original. */
    public java.util.List<String> types() {
        return types;
    }

    /** Whether a worker of {@link #types()} takes untyped works too; default {@code false}. */
    public boolean untyped() {
        return untyped;
    }

    /**
     * How many works beyond its slots the worker asks the manager to send ahead, so that the next work
     * is already here when a slot frees (our extension, docs/protocol.md, Prefetch; an original manager
     * ignores it). Only offered without priority slots and without work types. Default: a tenth of the
     * slots, at least 1 and at most {@value #MAX_PREFETCH}; 0 turns it off.
     */
    public int prefetch() {
        if (!prioritySlots.isEmpty() || !types.isEmpty()) {
            return 0;
        }
        return prefetch >= 0 ? prefetch : Math.min(MAX_PREFETCH, Math.max(1, (slots + 9) / 10));
    }

    /** A builder with every default. */
    public static Builder builder() {
        return new Builder();
    }

    /** The options with every default. */
    public static WorkerOptions defaults() {
        return builder().build();
    }

    /** A builder holding these options, for variants. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    public int slots() {
        return slots;
    }

    /** Guaranteed slots per minimum priority, without key 0 (sorted by priority). */
    public Map<Integer, Integer> prioritySlots() {
        return prioritySlots;
    }

    public int cleanupReqs() {
        return cleanupReqs;
    }

    public Duration cleanupCheckInterval() {
        return cleanupCheckInterval;
    }

    public int answerThreshold() {
        return answerThreshold;
    }

    public Duration answerFlushInterval() {
        return answerFlushInterval;
    }

    public Duration offerRetryTime() {
        return offerRetryTime;
    }

    /** How long {@link Worker#close()} lets running works finish; see {@link Builder#shutdownGrace(Duration)}. */
    public Duration shutdownGrace() {
        return shutdownGrace;
    }

    /** The executor handlers run on, or {@code null} for the default pool of {@link #slots()} threads. */
    public Executor executor() {
        return executor;
    }

    /**
     * The capacity the worker offers (docs/protocol.md, Slots, offers and priority ranges): the number of slots, or, with priority slots,
     * {@code {"0": rest, "1": 30, ...}} where {@code rest = slots - sum of the guarantees}.
     */
    public Map<Integer, Integer> offer() {
        Map<Integer, Integer> offer = new LinkedHashMap<>();
        offer.put(0, slots - prioritySlots.values().stream().mapToInt(Integer::intValue).sum());
        offer.putAll(prioritySlots);
        return offer;
    }

    @Override
    public String toString() {
        return "WorkerOptions{slots=" + slots + ", " + connectionString() + ", prioritySlots=" + prioritySlots
                + ", CLEANUP_REQS=" + cleanupReqs + ", CLEANUP_CHECKINT=" + cleanupCheckInterval.toMillis()
                + ", ANSWER_THRESHOLD=" + answerThreshold
                + ", answerFlushInterval=" + answerFlushInterval.toMillis() + ", prefetch=" + prefetch()
                + (types.isEmpty() ? "" : ", types=" + types + ", untyped=" + untyped) + "}";
    }

    /** Builds {@link WorkerOptions}. Setters reject bad values; {@link #build()} rejects bad combinations. */
    public static final class Builder extends ConnectionOptions.Builder<Builder> {
        private int slots = DEFAULT_SLOTS;
        private Map<Integer, Integer> prioritySlots = new TreeMap<>();
        private int cleanupReqs = DEFAULT_CLEANUP_REQS;
        private Duration cleanupCheckInterval = DEFAULT_CLEANUP_CHECK_INTERVAL;
        private int answerThreshold = DEFAULT_ANSWER_THRESHOLD;
        private Duration answerFlushInterval = DEFAULT_ANSWER_FLUSH_INTERVAL;
        private Duration offerRetryTime = DEFAULT_OFFER_RETRY_TIME;
        private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;
        private Executor executor;
        private java.util.List<String> types = java.util.List.of();
        private boolean untyped;
        private int prefetch = -1;

        private Builder() {
            super(ReconnectPolicy.giveUpAfter(DEFAULT_MAX_RETRIES));
        }

        private Builder(WorkerOptions o) {
            super(o);
            slots = o.slots;
            prioritySlots = new TreeMap<>(o.prioritySlots);
            cleanupReqs = o.cleanupReqs;
            cleanupCheckInterval = o.cleanupCheckInterval;
            answerThreshold = o.answerThreshold;
            answerFlushInterval = o.answerFlushInterval;
            offerRetryTime = o.offerRetryTime;
            shutdownGrace = o.shutdownGrace;
            executor = o.executor;
            types = o.types;
            untyped = o.untyped;
            prefetch = o.prefetch;
        }

        /**
         * {@code types} (our extension, docs/protocol.md, "Work types and limits"): the work types this
         * worker takes; then it gets only works pushed with one of them, and untyped works only with
         * {@link #untyped(boolean) untyped(true)}. Each 1 to 64 characters of {@code A-Z a-z 0-9 _ . : -},
         * at most 64 types; duplicates count once. None (the default): untyped works only, and the
         * offer is the original's. An original node.js manager ignores the types and sends any work.
         */
        public Builder types(java.util.Collection<String> types) {
            java.util.LinkedHashSet<String> set = new java.util.LinkedHashSet<>();
            for (String t : Objects.requireNonNull(types, "types")) {
                set.add(io.proletariat.protocol.WorkTypeNames.check(t));
            }
            if (set.size() > io.proletariat.protocol.WorkTypeNames.MAX_PER_WORKER) {
                throw new IllegalArgumentException("a worker takes at most " + io.proletariat.protocol.WorkTypeNames.MAX_PER_WORKER
                        + " work types: " + set.size());
            }
            this.types = java.util.List.copyOf(set);
            return this;
        }

        /** {@link #types(java.util.Collection)} from names. */
        public Builder types(String... types) {
            return types(java.util.Arrays.asList(types));
        }

        /**
         * {@code untyped}: a worker of {@link #types(java.util.Collection) types} takes untyped works
         * too. Default {@code false}; a worker with no types always takes untyped works.
         */
        public Builder untyped(boolean untyped) {
            this.untyped = untyped;
            return this;
        }

        /**
         * {@code prefetch}: works the manager may send beyond the slots, waiting here, highest priority
         * first, for the next free slot (our extension, docs/protocol.md, Prefetch). Default: a tenth
         * of the slots, at least 1; 0 turns it off. Only offered without {@link #prioritySlots} and without {@link #types}.
         *
         * @throws IllegalArgumentException outside 0..{@value WorkerOptions#MAX_PREFETCH}
         */
        public Builder prefetch(int prefetch) {
            if (prefetch < 0 || prefetch > MAX_PREFETCH) {
                throw new IllegalArgumentException("prefetch must be in 0.." + MAX_PREFETCH + ": " + prefetch);
            }
            this.prefetch = prefetch;
            return this;
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** {@code slots}: how many works may run at once. Default {@value WorkerOptions#DEFAULT_SLOTS}; must be &gt; 0. */
        public Builder slots(int slots) {
            if (slots <= 0) {
                throw new IllegalArgumentException("slots must be > 0: " + slots);
            }
            this.slots = slots;
            return this;
        }

        /**
         * {@code prioritySlots}: guaranteed slots per priority range, keyed by the range's minimum
         * priority. With {@code slots(100)} and {@code {1:30, 2:20}} the worker offers
         * {@code {"0":50,"1":30,"2":20}}. Default: none (the worker offers the plain number of slots).
         * Keys and values must be &gt;= 0. Key 0 is the rest: it may be left out, and when given it must
         * equal {@code slots} minus the other guarantees (checked by {@link #build()}). The map is copied.
         */
        public Builder prioritySlots(Map<Integer, Integer> prioritySlots) {
            Objects.requireNonNull(prioritySlots, "prioritySlots");
            Map<Integer, Integer> copy = new TreeMap<>();
            for (Map.Entry<Integer, Integer> e : prioritySlots.entrySet()) {
                Integer k = e.getKey();
                Integer v = e.getValue();
                if (k == null || k < 0) {
                    throw new IllegalArgumentException("prioritySlots keys must be priorities >= 0: " + k);
                }
                if (v == null || v < 0) {
                    throw new IllegalArgumentException("prioritySlots values must be slot counts >= 0: " + k + "=" + v);
                }
                copy.put(k, v);
            }
            this.prioritySlots = copy;
            return this;
        }

        /** {@code CLEANUP_REQS}. Default {@value WorkerOptions#DEFAULT_CLEANUP_REQS}; must be &gt; 0. See {@link Worker}. */
        public Builder cleanupReqs(int cleanupReqs) {
            if (cleanupReqs <= 0) {
                throw new IllegalArgumentException("CLEANUP_REQS must be > 0: " + cleanupReqs);
            }
            this.cleanupReqs = cleanupReqs;
            return this;
        }

        /** {@code CLEANUP_CHECKINT}. Default 60000 ms; must be positive. See {@link Worker}. */
        public Builder cleanupCheckInterval(Duration interval) {
            this.cleanupCheckInterval = positive("CLEANUP_CHECKINT", interval);
            return this;
        }

        /**
         * {@code ANSWER_THRESHOLD}: results are batched and sent in one {@code done} once this many
         * are waiting. A smaller batch is sent when no work is left running, or after
         * {@link #answerFlushInterval(Duration)}, so a result never waits indefinitely. Default
         * {@value WorkerOptions#DEFAULT_ANSWER_THRESHOLD}; must be &gt; 0.
         */
        public Builder answerThreshold(int answerThreshold) {
            if (answerThreshold <= 0) {
                throw new IllegalArgumentException("ANSWER_THRESHOLD must be > 0: " + answerThreshold);
            }
            this.answerThreshold = answerThreshold;
            return this;
        }

        /** The longest a batched result waits for {@code ANSWER_THRESHOLD}. Default 100 ms; must be positive. */
        public Builder answerFlushInterval(Duration interval) {
            this.answerFlushInterval = positive("answerFlushInterval", interval);
            return this;
        }

        /** The wait before offering again after the manager refused an offer. Default 1000 ms; must be &gt;= 0. */
        public Builder offerRetryTime(Duration offerRetryTime) {
            this.offerRetryTime = nonNegative("offerRetryTime", offerRetryTime);
            return this;
        }

        /**
         * How long {@link Worker#close()} lets running works finish: the worker first stops taking
         * works, then waits up to this long for the running ones to be answered; what still runs
         * after it is cancelled and handed back to the manager, which requeues it at once.
         * {@link Duration#ZERO} hands everything back at once, as {@link Worker#stop()} does.
         * Default 10 s; must be &gt;= 0.
         */
        public Builder shutdownGrace(Duration shutdownGrace) {
            this.shutdownGrace = nonNegative("shutdownGrace", shutdownGrace);
            return this;
        }

        /**
         * The executor work handlers run on. It
         * should offer at least {@code slots} threads when handlers block. Default: a pool of
         * {@code slots} daemon threads owned (and shut down) by the worker. A supplied executor is
         * not shut down by the worker.
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Builds the options.
         *
         * @throws IllegalArgumentException when the priority slots add up to more than {@code slots},
         *         or key 0 of the priority slots is not the rest
         */
        public WorkerOptions build() {
            Map<Integer, Integer> guarantees = new TreeMap<>(prioritySlots);
            Integer zero = guarantees.remove(0);
            long sum = guarantees.values().stream().mapToLong(Integer::longValue).sum();
            if (sum > slots) {
                throw new IllegalArgumentException("prioritySlots add up to " + sum + ", more than slots (" + slots
                        + "): raise slots or lower the guarantees " + guarantees);
            }
            if (zero != null && zero != slots - sum) {
                throw new IllegalArgumentException("prioritySlots[0] is the rest of the slots (" + (slots - sum)
                        + " here); leave it out or set it to that: " + zero);
            }
            return new WorkerOptions(this, guarantees);
        }
    }

    static Duration positive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d.toMillis() + " ms");
        }
        return d;
    }

    static Duration nonNegative(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must be >= 0: " + d.toMillis() + " ms");
        }
        return d;
    }
}
