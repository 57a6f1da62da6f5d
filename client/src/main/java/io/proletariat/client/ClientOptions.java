package io.proletariat.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.proletariat.client.internal.Json;
import io.proletariat.protocol.Wire;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Immutable options of a {@link Client}. The connection options ({@code maxRetries},
 * {@code retryDelay}, {@code retryBackoff}, {@code connectTimeout}) are the {@link ReconnectPolicy}
 * a {@link io.proletariat.worker.WorkerOptions} sets with the same names.
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
public final class ClientOptions {
    /** Default {@code host}: 127.0.0.1. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** Default {@code port}: 1917. */
    public static final int DEFAULT_PORT = Wire.DEFAULT_PORT;
    /** Default connection retry limit of a client (the original's {@code MAXRETRIES}): 10 failed attempts in a row. */
    public static final int DEFAULT_MAX_RETRIES = 10;
    /** Default wait between failed connection attempts: 2000 ms (the original's). */
    public static final Duration DEFAULT_RETRY_DELAY = ReconnectPolicy.DEFAULT_RETRY_DELAY;
    /** Default TCP connect timeout: 10 s. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = ReconnectPolicy.DEFAULT_CONNECT_TIMEOUT;

    private final String host;
    private final int port;
    private final ReconnectPolicy reconnect;
    private final ConnectionListener connectionListener;
    private final Executor callbackExecutor;
    private final ObjectMapper objectMapper;

    private ClientOptions(Builder b) {
        host = b.host;
        port = b.port;
        reconnect = b.reconnect;
        connectionListener = b.connectionListener;
        callbackExecutor = b.callbackExecutor;
        objectMapper = b.objectMapper;
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

    /** The manager's address. */
    public String host() {
        return host;
    }

    /** The manager's port. */
    public int port() {
        return port;
    }

    /** How the client connects and reconnects: {@code maxRetries}, {@code retryDelay}, {@code retryBackoff}, {@code connectTimeout}. */
    public ReconnectPolicy reconnectPolicy() {
        return reconnect;
    }

    /** The connection listener the client has from its start, or {@code null}. */
    public ConnectionListener connectionListener() {
        return connectionListener;
    }

    /** The executor callbacks and futures complete on, or {@code null} for the client's own thread. */
    public Executor callbackExecutor() {
        return callbackExecutor;
    }

    /** The Jackson mapper for works, results and system messages. */
    public ObjectMapper objectMapper() {
        return objectMapper;
    }

    @Override
    public String toString() {
        return "ClientOptions{host=" + host + ", port=" + port + ", " + reconnect + "}";
    }

    /** Builds {@link ClientOptions}; setters reject bad values naming the option. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private ReconnectPolicy reconnect = ReconnectPolicy.giveUpAfter(DEFAULT_MAX_RETRIES);
        private ConnectionListener connectionListener;
        private Executor callbackExecutor;
        private ObjectMapper objectMapper = Json.DEFAULT_MAPPER;

        private Builder() {
        }

        private Builder(ClientOptions o) {
            host = o.host;
            port = o.port;
            reconnect = o.reconnect;
            connectionListener = o.connectionListener;
            callbackExecutor = o.callbackExecutor;
            objectMapper = o.objectMapper;
        }

        /** {@code host}: the manager's address. Default {@value ClientOptions#DEFAULT_HOST}. */
        public Builder host(String host) {
            Objects.requireNonNull(host, "host");
            if (host.isBlank()) {
                throw new IllegalArgumentException("host must not be blank");
            }
            this.host = host;
            return this;
        }

        /** {@code port}: the manager's port. Default {@value ClientOptions#DEFAULT_PORT}; 1 to 65535. */
        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be between 1 and 65535: " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * The connection retry limit (the original's {@code MAXRETRIES}): how many connection attempts
         * in a row may fail before the client gives up and fails every pending request with a
         * {@link ConnectionException} (code {@code ECONNREFUSED}). A later call starts trying again.
         * Default {@value ClientOptions#DEFAULT_MAX_RETRIES}; must be &gt;= 0
         * ({@code Integer.MAX_VALUE} for practically forever). See {@link ReconnectPolicy}.
         */
        public Builder maxRetries(int maxRetries) {
            reconnect = reconnect.withMaxRetries(maxRetries);
            return this;
        }

        /** The wait after a failed connection attempt. Default 2000 ms; must be &gt;= 0. */
        public Builder retryDelay(Duration retryDelay) {
            reconnect = reconnect.withRetryDelay(retryDelay);
            return this;
        }

        /** Backoff up to {@code max}: see {@link ReconnectPolicy#withRetryBackoff(Duration)}. Default: none. */
        public Builder retryBackoff(Duration max) {
            reconnect = reconnect.withRetryBackoff(max);
            return this;
        }

        /** The TCP connect timeout of one attempt. Default 10 s; at least 1 ms. */
        public Builder connectTimeout(Duration connectTimeout) {
            reconnect = reconnect.withConnectTimeout(connectTimeout);
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

        /** The Jackson mapper for works, results and system messages. Default: a plain {@code ObjectMapper}. */
        public Builder objectMapper(ObjectMapper objectMapper) {
            this.objectMapper = Objects.requireNonNull(objectMapper, "objectMapper");
            return this;
        }

        /** The options. */
        public ClientOptions build() {
            return new ClientOptions(this);
        }
    }
}
