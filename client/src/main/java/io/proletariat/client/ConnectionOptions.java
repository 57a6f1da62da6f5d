package io.proletariat.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.proletariat.client.internal.Json;
import io.proletariat.protocol.Wire;
import java.time.Duration;
import java.util.Objects;

/**
 * What {@link ClientOptions} and {@link io.proletariat.worker.WorkerOptions} share: where the manager
 * is, how to connect and reconnect to it ({@link ReconnectPolicy}), and the Jackson mapper for the
 * values that travel. One set of names and checks for both libraries; not meant to be extended
 * outside them.
 */
public abstract class ConnectionOptions {
    /** Default {@code host}: 127.0.0.1. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** Default {@code port}: 1917. */
    public static final int DEFAULT_PORT = Wire.DEFAULT_PORT;

    private final String host;
    private final int port;
    private final ReconnectPolicy reconnect;
    private final ObjectMapper objectMapper;

    /** The shared options as {@code b} holds them. */
    protected ConnectionOptions(Builder<?> b) {
        host = b.host;
        port = b.port;
        reconnect = b.reconnect;
        objectMapper = b.objectMapper;
    }

    /** The manager's address. */
    public String host() {
        return host;
    }

    /** The manager's port. */
    public int port() {
        return port;
    }

    /** How to connect and reconnect: {@code maxRetries}, {@code retryDelay}, {@code retryBackoff}, {@code connectTimeout}. */
    public ReconnectPolicy reconnectPolicy() {
        return reconnect;
    }

    /** The Jackson mapper for works, results and system messages. */
    public ObjectMapper objectMapper() {
        return objectMapper;
    }

    /** {@code host=..., port=..., } and the reconnect policy, for the subclasses' {@code toString}. */
    protected String connectionString() {
        return "host=" + host + ", port=" + port + ", " + reconnect;
    }

    /**
     * The setters of the shared options; each rejects a bad value naming the option.
     *
     * @param <B> the concrete builder, which every setter returns
     */
    public abstract static class Builder<B extends Builder<B>> {
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private ReconnectPolicy reconnect;
        private ObjectMapper objectMapper = Json.DEFAULT_MAPPER;

        /** Defaults, with {@code defaultPolicy} for connecting. */
        protected Builder(ReconnectPolicy defaultPolicy) {
            reconnect = Objects.requireNonNull(defaultPolicy, "defaultPolicy");
        }

        /** The shared options of {@code o}, for variants. */
        protected Builder(ConnectionOptions o) {
            host = o.host;
            port = o.port;
            reconnect = o.reconnect;
            objectMapper = o.objectMapper;
        }

        /** This builder, as its own type. */
        protected abstract B self();

        /** {@code host}: the manager's address. Default {@value ConnectionOptions#DEFAULT_HOST}. */
        public B host(String host) {
            Objects.requireNonNull(host, "host");
            if (host.isBlank()) {
                throw new IllegalArgumentException("host must not be blank");
            }
            this.host = host;
            return self();
        }

        /** {@code port}: the manager's port. Default {@value ConnectionOptions#DEFAULT_PORT}; 1 to 65535. */
        public B port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be between 1 and 65535: " + port);
            }
            this.port = port;
            return self();
        }

        /**
         * How many connection attempts in a row may fail before giving up (the original's
         * {@code MAXRETRIES}); what giving up means, and the default, are the client's and the
         * worker's own (see their options). Must be &gt;= 0; {@code Integer.MAX_VALUE} for never.
         */
        public B maxRetries(int maxRetries) {
            reconnect = reconnect.withMaxRetries(maxRetries);
            return self();
        }

        /** The wait after a failed connection attempt (a worker's {@code CON_RETRYTIME}). Default 2000 ms; must be &gt;= 0. */
        public B retryDelay(Duration retryDelay) {
            reconnect = reconnect.withRetryDelay(retryDelay);
            return self();
        }

        /** Backoff up to {@code max}: see {@link ReconnectPolicy#withRetryBackoff(Duration)}. Default: none. */
        public B retryBackoff(Duration max) {
            reconnect = reconnect.withRetryBackoff(max);
            return self();
        }

        /** The TCP connect timeout of one attempt. Default 10 s; at least 1 ms. */
        public B connectTimeout(Duration connectTimeout) {
            reconnect = reconnect.withConnectTimeout(connectTimeout);
            return self();
        }

        /** The Jackson mapper for works, results and system messages. Default: a plain {@code ObjectMapper}. */
        public B objectMapper(ObjectMapper objectMapper) {
            this.objectMapper = Objects.requireNonNull(objectMapper, "objectMapper");
            return self();
        }
    }
}
