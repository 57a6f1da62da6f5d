package io.proletariat.client;

import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Immutable options of a {@link Client}. The connection options ({@code host}, {@code port},
 * {@code maxRetries}, {@code retryDelay}, {@code retryBackoff}, {@code connectTimeout},
 * {@code objectMapper}) are {@link ConnectionOptions}, shared with
 * {@link io.proletariat.worker.WorkerOptions}.
 *
 * <pre>{@code
 * ClientOptions options = ClientOptions.builder()
 *         .host("10.0.0.5")
 *         .port(1917)
 *         .maxRetries(30)
 *         .retryDelay(Duration.ofSeconds(1))
 *         .build();
 * }</pre>
 */
public final class ClientOptions extends ConnectionOptions {
    /**
     * Default connection retry limit of a client (the original's {@code MAXRETRIES}): 10 failed
     * attempts in a row, after which every pending request fails with a {@link ConnectionException}
     * (code {@code ECONNREFUSED}); a later call starts trying again.
     */
    public static final int DEFAULT_MAX_RETRIES = 10;

    private final ConnectionListener connectionListener;
    private final Executor callbackExecutor;

    private ClientOptions(Builder b) {
        super(b);
        connectionListener = b.connectionListener;
        callbackExecutor = b.callbackExecutor;
    }

    /** A builder with every default. */
    public static Builder builder() {
        return new Builder();
    }

    /** The options with every default. */
    public static ClientOptions defaults() {
        return builder().build();
    }

    /** A builder holding these options, for variants. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The connection listener the client has from its start, or {@code null}. */
    public ConnectionListener connectionListener() {
        return connectionListener;
    }

    /** The executor callbacks and futures complete on, or {@code null} for the client's own thread. */
    public Executor callbackExecutor() {
        return callbackExecutor;
    }

    @Override
    public String toString() {
        return "ClientOptions{" + connectionString() + "}";
    }

    /** Builds {@link ClientOptions}; setters reject bad values naming the option. */
    public static final class Builder extends ConnectionOptions.Builder<Builder> {
        private ConnectionListener connectionListener;
        private Executor callbackExecutor;

        private Builder() {
            super(ReconnectPolicy.giveUpAfter(DEFAULT_MAX_RETRIES));
        }

        private Builder(ClientOptions o) {
            super(o);
            connectionListener = o.connectionListener;
            callbackExecutor = o.callbackExecutor;
        }

        @Override
        protected Builder self() {
            return this;
        }

        /**
         * A listener of the client's connection events from its very start, so that it hears the
         * first connection too (a client connects from its constructor on). More can be added with
         * {@link Client#addConnectionListener}. Default: none.
         */
        public Builder connectionListener(ConnectionListener listener) {
            this.connectionListener = Objects.requireNonNull(listener, "connectionListener");
            return this;
        }

        /**
         * The executor every callback runs on and every future completes on. Default: one daemon
         * thread owned by the client, so callbacks run one at a time in the order results arrived.
         * A supplied executor is not shut down by the client.
         */
        public Builder callbackExecutor(Executor callbackExecutor) {
            this.callbackExecutor = Objects.requireNonNull(callbackExecutor, "callbackExecutor");
            return this;
        }

        /** The options. */
        public ClientOptions build() {
            return new ClientOptions(this);
        }
    }
}
