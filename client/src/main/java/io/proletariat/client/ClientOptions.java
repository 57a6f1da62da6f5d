package io.proletariat.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.proletariat.client.internal.Json;
import io.proletariat.protocol.Wire;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Immutable options of a {@link Client}.
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
    /** Default connection retry limit: 10 failed attempts in a row. */
    public static final int DEFAULT_MAX_RETRIES = 10;
    /** Default wait between failed connection attempts: 2000 ms (the original's). */
    public static final Duration DEFAULT_RETRY_DELAY = Duration.ofMillis(2_000);
    /** Default TCP connect timeout: 10 s. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final String host;
    private final int port;
    private final int maxRetries;
    private final Duration retryDelay;
    private final Duration maxRetryDelay;
    private final Duration connectTimeout;
    private final Executor callbackExecutor;
    private final ObjectMapper objectMapper;

    private ClientOptions(Builder b) {
        host = b.host;
        port = b.port;
        maxRetries = b.maxRetries;
        retryDelay = b.retryDelay;
        maxRetryDelay = b.maxRetryDelay == null || b.maxRetryDelay.compareTo(b.retryDelay) < 0 ? b.retryDelay : b.maxRetryDelay;
        connectTimeout = b.connectTimeout;
        callbackExecutor = b.callbackExecutor;
        objectMapper = b.objectMapper;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static ClientOptions defaults() {
        return builder().build();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public int maxRetries() {
        return maxRetries;
    }

    public Duration retryDelay() {
        return retryDelay;
    }

    /** The longest wait between failed attempts; {@link #retryDelay()} unless {@link Builder#retryBackoff(Duration)} set more. */
    public Duration maxRetryDelay() {
        return maxRetryDelay;
    }

    /** The wait before attempt {@code failed + 1} after {@code failed} failures in a row (>= 1): doubling up to {@link #maxRetryDelay()}. */
    public long retryDelayMillis(int failed) {
        long delay = retryDelay.toMillis();
        long max = maxRetryDelay.toMillis();
        for (int i = 1; i < failed && delay < max; i++) {
            delay *= 2;
        }
        return Math.min(delay, max);
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** The executor callbacks and futures complete on, or {@code null} for the client's own thread. */
    public Executor callbackExecutor() {
        return callbackExecutor;
    }

    public ObjectMapper objectMapper() {
        return objectMapper;
    }

    @Override
    public String toString() {
        return "ClientOptions{host=" + host + ", port=" + port + ", maxRetries=" + maxRetries + ", retryDelay="
                + retryDelay.toMillis() + "ms, connectTimeout=" + connectTimeout.toMillis() + "ms}";
    }

    /** Builds {@link ClientOptions}; setters reject bad values naming the option. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private int maxRetries = DEFAULT_MAX_RETRIES;
        private Duration retryDelay = DEFAULT_RETRY_DELAY;
        private Duration maxRetryDelay;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Executor callbackExecutor;
        private ObjectMapper objectMapper = Json.DEFAULT_MAPPER;

        private Builder() {
        }

        private Builder(ClientOptions o) {
            host = o.host;
            port = o.port;
            maxRetries = o.maxRetries;
            retryDelay = o.retryDelay;
            maxRetryDelay = o.maxRetryDelay;
            connectTimeout = o.connectTimeout;
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
         * After a connection drops, the first attempt is immediate and the next ones wait
         * {@link #retryDelay(Duration)}. Default {@value ClientOptions#DEFAULT_MAX_RETRIES}; must be
         * &gt;= 0 ({@code Integer.MAX_VALUE} for practically forever).
         */
        public Builder maxRetries(int maxRetries) {
            if (maxRetries < 0) {
                throw new IllegalArgumentException("maxRetries must be >= 0: " + maxRetries);
            }
            this.maxRetries = maxRetries;
            return this;
        }

        /** The wait between failed connection attempts. Default 2000 ms; must be &gt;= 0. */
        public Builder retryDelay(Duration retryDelay) {
            Objects.requireNonNull(retryDelay, "retryDelay");
            if (retryDelay.isNegative()) {
                throw new IllegalArgumentException("retryDelay must be >= 0: " + retryDelay.toMillis() + " ms");
            }
            this.retryDelay = retryDelay;
            return this;
        }

        /**
         * Backoff: after each failed attempt in a row the wait doubles, from {@link #retryDelay(Duration)}
         * up to {@code max}. Default: no backoff (every wait is {@code retryDelay}); a {@code max}
         * below {@code retryDelay} means none either.
         */
        public Builder retryBackoff(Duration max) {
            Objects.requireNonNull(max, "retryBackoff");
            if (max.isNegative()) {
                throw new IllegalArgumentException("retryBackoff must be >= 0: " + max.toMillis() + " ms");
            }
            this.maxRetryDelay = max;
            return this;
        }

        /** The TCP connect timeout of one attempt. Default 10 s; at least 1 ms. */
        public Builder connectTimeout(Duration connectTimeout) {
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            if (connectTimeout.toMillis() < 1 || connectTimeout.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("connectTimeout must be between 1 ms and 24 days: " + connectTimeout.toMillis() + " ms");
            }
            this.connectTimeout = connectTimeout;
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

        public ClientOptions build() {
            return new ClientOptions(this);
        }
    }
}
