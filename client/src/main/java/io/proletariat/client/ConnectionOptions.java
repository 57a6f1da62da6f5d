package io.proletariat.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.proletariat.client.internal.Address;
import io.proletariat.client.internal.Json;
import io.proletariat.protocol.Wire;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What {@link ClientOptions} and {@link io.proletariat.worker.WorkerOptions} share: where the manager
 * is, how to connect and reconnect to it ({@link ReconnectPolicy}), and the Jackson mapper for the
 * values that travel, and TLS. One set of names and checks for both libraries; not meant to be extended
 * outside them.
 */
public abstract class ConnectionOptions {
    /** Default {@code host}: 127.0.0.1. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** Default {@code port}: 1917. */
    public static final int DEFAULT_PORT = Wire.DEFAULT_PORT;
    /** Default {@code managerSilence}: 6 s. */
    public static final Duration DEFAULT_MANAGER_SILENCE = Duration.ofSeconds(6);

    private final String host;
    private final int port;
    private final ReconnectPolicy reconnect;
    private final ObjectMapper objectMapper;
    private final List<String> managers;
    private final Duration managerSilence;
    private final String token;
    private final boolean tls;
    private final Path tlsCa;
    private final Path tlsClientCert;
    private final Path tlsClientKey;

    /** The shared options as {@code b} holds them; the TLS files are read and checked here. */
    protected ConnectionOptions(Builder<?> b) {
        host = b.host;
        port = b.port;
        managers = b.managers != null ? b.managers : List.of(new Address(b.host, b.port).toString());
        managerSilence = b.managerSilence;
        reconnect = b.reconnect;
        objectMapper = b.objectMapper;
        token = b.token;
        tls = b.tls;
        tlsCa = b.tlsCa;
        tlsClientCert = b.tlsClientCert;
        tlsClientKey = b.tlsClientKey;
        if (tls) {
            io.proletariat.protocol.Tls.clientContext(tlsCa, tlsClientCert, tlsClientKey); // a bad file fails here, named
        }
    }

    /** The manager's address. */
    public String host() {
        return host;
    }

    /** The manager's port. */
    public int port() {
        return port;
    }

    /**
     * The managers to connect to, {@code host:port} each: those set by {@link Builder#managers}, else
     * the one {@link #host()} and {@link #port()} name.
     */
    public List<String> managers() {
        return managers;
    }

    /**
     * How long the manager may stay silent before the connection is given up and made again (to the
     * same or another manager); {@link Duration#ZERO} when never.
     */
    public Duration managerSilence() {
        return managerSilence;
    }

    /** How to connect and reconnect: {@code maxRetries}, {@code retryDelay}, {@code retryBackoff}, {@code connectTimeout}. */
    public ReconnectPolicy reconnectPolicy() {
        return reconnect;
    }

    /** The Jackson mapper for works, results and system messages. */
    public ObjectMapper objectMapper() {
        return objectMapper;
    }

    /**
     * The token sent first on every connection ({@code {"command":"auth","token":...}}), for a manager
     * with authentication on (docs/security.md); null (default) sends none.
     */
    public String token() {
        return token;
    }

    /** True when connections speak TLS; see {@link Builder#tls(boolean)}. */
    public boolean tls() {
        return tls;
    }

    /** The PEM CAs trusted for the manager's certificate, or null for the JVM's trust store; see {@link Builder#tlsCa(Path)}. */
    public Path tlsCa() {
        return tlsCa;
    }

    /** The client certificate presented for mutual TLS, or null; see {@link Builder#tlsClientCertificate(Path, Path)}. */
    public Path tlsClientCert() {
        return tlsClientCert;
    }

    /** The private key of {@link #tlsClientCert()}, or null. */
    public Path tlsClientKey() {
        return tlsClientKey;
    }

    /** {@code host=..., port=..., } and the reconnect policy, for the subclasses' {@code toString}. */
    protected String connectionString() {
        return (managers.size() > 1 ? "managers=" + managers : "host=" + host + ", port=" + port) + ", " + reconnect
                + (tls ? ", tls" + (tlsCa != null ? " (ca " + tlsCa + ")" : "") + (tlsClientCert != null ? " (client certificate " + tlsClientCert + ")" : "") : "");
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
        private List<String> managers;
        private Duration managerSilence = DEFAULT_MANAGER_SILENCE;
        private String token;
        private boolean tls;
        private Path tlsCa;
        private Path tlsClientCert;
        private Path tlsClientKey;

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
            managers = o.managers.size() > 1 || !o.managers.get(0).equals(new Address(o.host, o.port).toString()) ? o.managers : null;
            managerSilence = o.managerSilence;
            token = o.token;
            tls = o.tls;
            tlsCa = o.tlsCa;
            tlsClientCert = o.tlsClientCert;
            tlsClientKey = o.tlsClientKey;
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
            this.managers = null;
            return self();
        }

        /** {@code port}: the manager's port. Default {@value ConnectionOptions#DEFAULT_PORT}; 1 to 65535. */
        public B port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be between 1 and 65535: " + port);
            }
            this.port = port;
            this.managers = null;
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

        /**
         * The managers of a cluster (docs/cluster.md), {@code host:port} each ({@code [::1]:1917} for
         * IPv6; a bare host takes port {@value ConnectionOptions#DEFAULT_PORT}). The connection goes to
         * any of them, follows a standby's redirect to the leader, and when lost tries the others
         * in turn, with the {@link ReconnectPolicy}'s delay after each full round. Replaces
         * {@link #host} and {@link #port}.
         *
         * @throws IllegalArgumentException when the list is empty or an entry is not an address
         */
        public B managers(List<String> managers) {
            Objects.requireNonNull(managers, "managers");
            if (managers.isEmpty()) {
                throw new IllegalArgumentException("managers must name at least one manager");
            }
            List<String> normal = new ArrayList<>(managers.size());
            for (String m : managers) {
                normal.add(Address.parse(m, DEFAULT_PORT).toString());
            }
            Address first = Address.parse(normal.get(0), DEFAULT_PORT);
            this.host = first.host();
            this.port = first.port();
            this.managers = List.copyOf(normal);
            return self();
        }

        /** {@link #managers(List)} from a comma-separated list, as the CLI's {@code --managers} takes it. */
        public B managers(String commaSeparated) {
            Objects.requireNonNull(commaSeparated, "managers");
            List<String> list = new ArrayList<>();
            for (String s : commaSeparated.split(",")) {
                if (!s.isBlank()) {
                    list.add(s.trim());
                }
            }
            return managers(list);
        }

        /**
         * How long the manager may stay silent before the connection is given up and made again:
         * after a third of it without a frame a {@code ping} asks for an answer. It finds a manager
         * that is paused or cut off (a dead one closes its sockets). Default 6 s;
         * {@link Duration#ZERO} never gives up.
         */
        public B managerSilence(Duration silence) {
            Objects.requireNonNull(silence, "managerSilence");
            if (silence.isNegative() || (!silence.isZero() && silence.toMillis() < 30)) {
                throw new IllegalArgumentException("managerSilence must be 0 (never) or at least 30 ms: " + silence);
            }
            this.managerSilence = silence;
            return self();
        }

        /**
         * The token to authenticate with, sent as the first frame of every connection, for a manager
         * started with {@code --auth} (docs/security.md); its principal's roles say what this
         * participant may do. Null (default) sends none: enough for a manager without authentication,
         * from loopback or a trusted network.
         *
         * @throws IllegalArgumentException when empty, longer than 4096 characters, or holding control characters
         */
        public B token(String token) {
            if (token != null && (token.isEmpty() || token.length() > 4096 || token.chars().anyMatch(Character::isISOControl))) {
                throw new IllegalArgumentException("token must be 1 to 4096 characters without control characters (a trailing newline?)");
            }
            this.token = token;
            return self();
        }

        /**
         * TLS to the manager (docs/security.md), trusting the JVM's trust store (or {@link #tlsCa});
         * the manager's certificate must name the host connected to (hostname verification is on).
         * Default false; false also drops {@link #tlsCa} and the client certificate.
         */
        public B tls(boolean tls) {
            this.tls = tls;
            if (!tls) {
                tlsCa = null;
                tlsClientCert = null;
                tlsClientKey = null;
            }
            return self();
        }

        /**
         * TLS, trusting the CAs of this PEM file (instead of the JVM's trust store) for the manager's
         * certificate; turns {@link #tls} on.
         */
        public B tlsCa(Path caPem) {
            this.tlsCa = Objects.requireNonNull(caPem, "tlsCa");
            this.tls = true;
            return self();
        }

        /**
         * Mutual TLS: the client certificate (PEM, its chain) and its unencrypted PKCS#8 PEM private
         * key presented to a manager that asks for one ({@code --tls-client-ca}); turns {@link #tls} on.
         */
        public B tlsClientCertificate(Path certPem, Path keyPem) {
            this.tlsClientCert = Objects.requireNonNull(certPem, "certPem");
            this.tlsClientKey = Objects.requireNonNull(keyPem, "keyPem");
            this.tls = true;
            return self();
        }

        /** The Jackson mapper for works, results and system messages. Default: a plain {@code ObjectMapper}. */
        public B objectMapper(ObjectMapper objectMapper) {
            this.objectMapper = Objects.requireNonNull(objectMapper, "objectMapper");
            return self();
        }
    }
}
