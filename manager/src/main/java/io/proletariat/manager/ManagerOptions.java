package io.proletariat.manager;

import io.proletariat.protocol.Wire;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of a {@link Manager}: immutable, built with {@link #builder()}.
 *
 * <p>The options of the original keep their names and defaults: {@code AVAIL_THRESHOLD} is
 * {@link #availThreshold()}, {@code CLEANUP_REQS} {@link #cleanupReqs()}, {@code CLEANUP_CHECKINT}
 * {@link #cleanupCheckInterval()}, {@code DISTRIB_RANDMAX} {@link #distribRandMax()}, {@code DEBUG}
 * {@link #debug()}, {@code SACRED_GUARANTEES} {@link #sacredGuarantees()} and
 * {@code HOLDSIMILARWORK} {@link #holdSimilarWork()}.
 *
 * <p>The HTTP listener ({@code /api/status}, {@code /metrics} and the dashboard, see
 * {@code docs/dashboard.md}) is off unless {@link Builder#httpPort(int)} sets it, so an embedding
 * application or a test never takes a fixed port by surprise; the {@code proletariat manager} daemon
 * turns it on by default (port {@value #DEFAULT_HTTP_PORT} on {@value #DEFAULT_HTTP_BIND_ADDRESS}).
 *
 * <pre>{@code
 * ManagerOptions options = ManagerOptions.builder()
 *     .port(1917)
 *     .sacredGuarantees(true)
 *     .build();
 * }</pre>
 */
public final class ManagerOptions {
    /** The protocol's port. */
    public static final int DEFAULT_PORT = Wire.DEFAULT_PORT;
    /** The HTTP port the {@code proletariat manager} daemon uses unless told otherwise. */
    public static final int DEFAULT_HTTP_PORT = 8917;
    /** The HTTP listener's address unless set: loopback only, as the status and metrics have no authentication. */
    public static final String DEFAULT_HTTP_BIND_ADDRESS = "127.0.0.1";
    /**
     * Default {@code AVAIL_THRESHOLD}: 0, no wait. The original's 50 had no effect there; honoured,
     * it idles half the slots of a 100-slot worker after every full moment (72 % of ideal with 10 ms works).
     */
    public static final int DEFAULT_AVAIL_THRESHOLD = 0;
    public static final int DEFAULT_CLEANUP_REQS = 1000;
    public static final Duration DEFAULT_CLEANUP_CHECKINT = Duration.ofMillis(60_000);
    public static final Duration DEFAULT_DISTRIB_RANDMAX = Duration.ofMillis(100);
    /** Default {@code resumeGrace}: 2 s. */
    public static final Duration DEFAULT_RESUME_GRACE = Duration.ofSeconds(2);
    /** Default {@code backoff} of retries: 1 s (the first retry waits 0.5 to 1 s). */
    public static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(1);
    /** Default {@code backoffMax}: 60 s. */
    public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofSeconds(60);
    /** Default {@code maxDelayed}: 1,000,000 works waiting for their {@code delay} or {@code notBefore}. */
    public static final int DEFAULT_MAX_DELAYED = 1_000_000;
    /** The names {@code retryOn} takes: the handler's errors, the run timeout, a lost worker. */
    public static final Set<String> RETRY_ON_NAMES = Set.of("error", "ETO", "lost");
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_IDLE_BEFORE_PING = Duration.ofSeconds(30);
    public static final Duration DEFAULT_PING_GRACE = Duration.ofSeconds(15);
    public static final Duration DEFAULT_SYSMSG_TIMEOUT = Duration.ofSeconds(60);
    /** Default {@code authTimeout}: 10 s. */
    public static final Duration DEFAULT_AUTH_TIMEOUT = Duration.ofSeconds(10);
    /** Works one push may carry; a larger push is answered {@code ETOOMANYWORKS}. */
    public static final int DEFAULT_MAX_WORKS_PER_PUSH = 100_000;
    /** Unanswered works one connection may have; a push beyond is answered {@code ETOOMANYPENDING}. */
    public static final int DEFAULT_MAX_PENDING_WORKS = 1_000_000;
    /** Default {@link Builder#maxWorkTypes(int)}: distinct work types kept at once. */
    public static final int DEFAULT_MAX_WORK_TYPES = 10_000;
    /** Open connections; one more is answered a bare {@code ETOOMANYCONN} and closed. */
    public static final int DEFAULT_MAX_CONNECTIONS = 20_000;
    /** System messages one connection may have waiting for acknowledgements; one more is answered {@code ETOOMANYSYSMSG}. */
    public static final int DEFAULT_MAX_PENDING_SYSMSGS = 1_000;
    /** Acknowledgements of system messages awaited in the whole manager (one per message and recipient); beyond, {@code ETOOMANYSYSMSG}. */
    public static final int DEFAULT_MAX_PENDING_SYSMSG_ACKS = 100_000;
    /** System messages with recipients one connection may send a second. */
    public static final int DEFAULT_MAX_SYSMSG_RATE = 1_000;
    /** The process's exit code after a fatal error when {@link Builder#exitOnFatalError(boolean)} is set. */
    public static final int FATAL_ERROR_EXIT_CODE = 70;
    /** Bytes waiting to be sent to one peer before the manager gives up on it and closes the connection. */
    public static final int DEFAULT_MAX_OUTBOUND_BUFFER = 64 * 1024 * 1024;

    private final String bindAddress;
    private final int port;
    private final int availThreshold;
    private final int cleanupReqs;
    private final Duration cleanupCheckInterval;
    private final Duration distribRandMax;
    private final boolean debug;
    private final boolean sacredGuarantees;
    private final boolean holdSimilarWork;
    private final int maxFrameLength;
    private final int maxWorksPerPush;
    private final int maxPendingWorks;
    private final int maxConnections;
    private final int maxOutboundBuffer;
    private final int maxPendingSysmsgs;
    private final int maxPendingSysmsgAcks;
    private final int maxSysmsgRate;
    private final Duration pingInterval;
    private final Duration idleBeforePing;
    private final Duration pingGrace;
    private final Duration sysmsgTimeout;
    private final Duration resumeGrace;
    private final int retries;
    private final Duration backoff;
    private final Duration backoffMax;
    private final Set<String> retryOn;
    private final int maxDelayed;
    private final WorkSelector workSelector;
    private final int ioThreads;
    private final boolean httpEnabled;
    private final int httpPort;
    private final String httpBindAddress;
    private final boolean exitOnFatalError;
    private final Leadership leadership;
    private final String advertisedAddress;
    private final long maxQueuedBytes;
    private final long maxBufferBytes;
    private final java.util.Set<String> httpAllowedHosts;
    private final boolean httpShowErrors;
    private final String httpToken;
    private final boolean httpOpen;
    private final java.util.List<String> trustedNetworks;
    private final java.nio.file.Path authFile;
    private final Duration authTimeout;
    private final boolean trustLoopback;
    private final java.util.Set<String> sysmsgRoles;
    private final java.nio.file.Path tlsCert;
    private final java.nio.file.Path tlsKey;
    private final java.nio.file.Path tlsClientCa;
    private final java.util.Map<String, Integer> typeLimits;
    private final int maxWorkTypes;

    private ManagerOptions(Builder b) {
        this.bindAddress = b.bindAddress;
        this.port = b.port;
        this.availThreshold = b.availThreshold;
        this.cleanupReqs = b.cleanupReqs;
        this.cleanupCheckInterval = b.cleanupCheckInterval;
        this.distribRandMax = b.distribRandMax;
        this.debug = b.debug;
        this.sacredGuarantees = b.sacredGuarantees;
        this.holdSimilarWork = b.holdSimilarWork;
        this.maxFrameLength = b.maxFrameLength;
        this.maxWorksPerPush = b.maxWorksPerPush;
        this.maxPendingWorks = b.maxPendingWorks;
        this.maxConnections = b.maxConnections;
        this.maxOutboundBuffer = b.maxOutboundBuffer;
        this.maxPendingSysmsgs = b.maxPendingSysmsgs;
        this.maxPendingSysmsgAcks = b.maxPendingSysmsgAcks;
        this.maxSysmsgRate = b.maxSysmsgRate;
        this.pingInterval = b.pingInterval;
        this.idleBeforePing = b.idleBeforePing;
        this.pingGrace = b.pingGrace;
        this.sysmsgTimeout = b.sysmsgTimeout;
        this.resumeGrace = b.resumeGrace;
        this.retries = b.retries;
        this.backoff = b.backoff;
        this.backoffMax = b.backoffMax.compareTo(b.backoff) < 0 ? b.backoff : b.backoffMax;
        this.retryOn = b.retryOn;
        this.maxDelayed = b.maxDelayed;
        this.workSelector = b.workSelector;
        this.ioThreads = b.ioThreads;
        this.httpEnabled = b.httpEnabled;
        this.httpPort = b.httpPort;
        this.httpBindAddress = b.httpBindAddress;
        this.exitOnFatalError = b.exitOnFatalError;
        this.leadership = b.leadership;
        this.advertisedAddress = b.advertisedAddress;
        this.maxQueuedBytes = b.maxQueuedBytes;
        this.maxBufferBytes = b.maxBufferBytes;
        this.httpAllowedHosts = b.httpAllowedHosts;
        this.httpShowErrors = b.httpShowErrors;
        this.httpToken = b.httpToken;
        this.httpOpen = b.httpOpen;
        this.trustedNetworks = b.trustedNetworks;
        this.authFile = b.authFile;
        this.authTimeout = b.authTimeout;
        this.trustLoopback = b.trustLoopback;
        this.sysmsgRoles = b.sysmsgRoles;
        this.tlsCert = b.tlsCert;
        this.tlsKey = b.tlsKey;
        this.tlsClientCa = b.tlsClientCa;
        this.typeLimits = b.typeLimits;
        this.maxWorkTypes = b.maxWorkTypes;
    }

    /** Options with every default. */
    public static ManagerOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options, to derive variants. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The address to listen on; {@code null} means every interface, as the original. */
    public String bindAddress() {
        return bindAddress;
    }

    public int port() {
        return port;
    }

    public int availThreshold() {
        return availThreshold;
    }

    public int cleanupReqs() {
        return cleanupReqs;
    }

    public Duration cleanupCheckInterval() {
        return cleanupCheckInterval;
    }

    public Duration distribRandMax() {
        return distribRandMax;
    }

    public boolean debug() {
        return debug;
    }

    public boolean sacredGuarantees() {
        return sacredGuarantees;
    }

    public boolean holdSimilarWork() {
        return holdSimilarWork;
    }

    public int maxFrameLength() {
        return maxFrameLength;
    }

    /** Works one push may carry; see {@link Builder#maxWorksPerPush(int)}. */
    public int maxWorksPerPush() {
        return maxWorksPerPush;
    }

    /** Unanswered works one connection may have; see {@link Builder#maxPendingWorks(int)}. */
    public int maxPendingWorks() {
        return maxPendingWorks;
    }

    /** Open connections accepted; see {@link Builder#maxConnections(int)}. */
    public int maxConnections() {
        return maxConnections;
    }

    /** Bytes that may wait to be sent to one peer; see {@link Builder#maxOutboundBuffer(int)}. */
    public int maxOutboundBuffer() {
        return maxOutboundBuffer;
    }

    /** System messages one connection may have pending; see {@link Builder#maxPendingSysmsgs(int, int)}. */
    public int maxPendingSysmsgs() {
        return maxPendingSysmsgs;
    }

    /** Acknowledgements of system messages the manager may await in all; see {@link Builder#maxPendingSysmsgs(int, int)}. */
    public int maxPendingSysmsgAcks() {
        return maxPendingSysmsgAcks;
    }

    /** System messages with recipients one connection may send a second; see {@link Builder#maxSysmsgRate(int)}. */
    public int maxSysmsgRate() {
        return maxSysmsgRate;
    }

    public Duration pingInterval() {
        return pingInterval;
    }

    public Duration idleBeforePing() {
        return idleBeforePing;
    }

    public Duration pingGrace() {
        return pingGrace;
    }

    public Duration sysmsgTimeout() {
        return sysmsgTimeout;
    }

    /** How long resent works wait for returning workers after this manager began to serve; see {@link Builder#resumeGrace}. */
    public Duration resumeGrace() {
        return resumeGrace;
    }

    /** Retries of works whose push does not say; see {@link Builder#retries(int)}. */
    public int retries() {
        return retries;
    }

    /** The first retry's backoff for pushes that do not say; see {@link Builder#backoff(Duration)}. */
    public Duration backoff() {
        return backoff;
    }

    /** The longest backoff for pushes that do not say; see {@link Builder#backoffMax(Duration)}. */
    public Duration backoffMax() {
        return backoffMax;
    }

    /** Which failed attempts count for pushes that do not say; see {@link Builder#retryOn(Set)}. */
    public Set<String> retryOn() {
        return retryOn;
    }

    /** Delayed works the manager holds at most; see {@link Builder#maxDelayed(int)}. */
    public int maxDelayed() {
        return maxDelayed;
    }

    /** Threads that do socket I/O and decode frames; see {@link Builder#ioThreads(int)}. */
    public int ioThreads() {
        return ioThreads;
    }

    /** The assignment function; {@link WorkSelector#weightedRandom()} unless set. */
    public WorkSelector workSelector() {
        return workSelector;
    }

    /**
     * The port the HTTP listener binds when {@link #httpEnabled() on}: 0 for a free port chosen at
     * start (see {@code Manager.httpAddress()}), else that port; {@value #DEFAULT_HTTP_PORT} unless set.
     */
    public int httpPort() {
        return httpPort;
    }

    /** True when the manager serves HTTP: false unless {@link Builder#httpPort(int)} or {@link Builder#http(boolean)} turned it on. */
    public boolean httpEnabled() {
        return httpEnabled;
    }

    /** The HTTP listener's address; default {@value #DEFAULT_HTTP_BIND_ADDRESS}. */
    public String httpBindAddress() {
        return httpBindAddress;
    }

    /** Host names the HTTP listener answers besides IP addresses and localhost; see {@link Builder#httpAllowedHosts}. */
    public java.util.Set<String> httpAllowedHosts() {
        return httpAllowedHosts;
    }

    /** Whether {@code /api/status} and the dashboard show the error payloads of recent failed works; default false. */
    public boolean httpShowErrors() {
        return httpShowErrors;
    }

    /** The bearer token every HTTP API request must carry; null (default) when none. See {@link Builder#httpToken}. */
    public String httpToken() {
        return httpToken;
    }

    /** Whether the HTTP listener may serve a non-loopback address without a token; see {@link Builder#httpOpen}. */
    public boolean httpOpen() {
        return httpOpen;
    }

    /**
     * Networks whose peers are served without authentication, besides loopback (docs/security.md,
     * "Protected mode"); empty by default.
     */
    public java.util.List<String> trustedNetworks() {
        return trustedNetworks;
    }

    /** Whether loopback peers are served without authentication when it is off; default true. */
    public boolean trustLoopback() {
        return trustLoopback;
    }

    /** The authentication file ({@code --auth}); null when authentication is off. */
    public java.nio.file.Path authFile() {
        return authFile;
    }

    /** How long a peer that must authenticate may take to send its auth frame; default 10 s. */
    public Duration authTimeout() {
        return authTimeout;
    }

    /** The roles that may send system messages when authentication is on; default {@code admin}. */
    public java.util.Set<String> sysmsgRoles() {
        return sysmsgRoles;
    }

    /** Limits on running works per work type at start, by type; see {@link Builder#typeLimit(String, int)}. */
    public java.util.Map<String, Integer> typeLimits() {
        return typeLimits;
    }

    /** The most distinct work types the manager keeps at once; see {@link Builder#maxWorkTypes(int)}. */
    public int maxWorkTypes() {
        return maxWorkTypes;
    }

    /** Bytes of live works' args; 0 (default) for half the JVM's maximum heap. See {@link Builder#maxQueuedBytes(long)}. */
    public long maxQueuedBytes() {
        return maxQueuedBytes;
    }

    /** Bytes of inbound and outbound buffers; 0 (default) for a quarter of the maximum heap. See {@link Builder#maxBufferBytes(long)}. */
    public long maxBufferBytes() {
        return maxBufferBytes;
    }

    /** {@link #maxQueuedBytes()}, with 0 resolved against this JVM's maximum heap. */
    public long effectiveMaxQueuedBytes() {
        return maxQueuedBytes > 0 ? maxQueuedBytes : Runtime.getRuntime().maxMemory() / 2;
    }

    /** {@link #maxBufferBytes()}, with 0 resolved against this JVM's maximum heap (at least twice the frame limit). */
    public long effectiveMaxBufferBytes() {
        return maxBufferBytes > 0 ? maxBufferBytes : Math.max(Runtime.getRuntime().maxMemory() / 4, 2L * maxFrameLength);
    }

    /** Whether a fatal error ends the process; see {@link Builder#exitOnFatalError(boolean)}. */
    public boolean exitOnFatalError() {
        return exitOnFatalError;
    }

    /** The cluster this manager stands in, or null when it serves alone; see {@link Builder#leadership}. */
    public Leadership leadership() {
        return leadership;
    }

    /** The address peers reach this manager at, {@code host:port}, as set; null to derive it when started. */
    public String advertisedAddress() {
        return advertisedAddress;
    }

    /** True when the protocol port and the HTTP listener speak TLS; see {@link Builder#tls(java.nio.file.Path, java.nio.file.Path)}. */
    public boolean tlsEnabled() {
        return tlsCert != null;
    }

    /** The PEM certificate chain of TLS, or null when TLS is off. */
    public java.nio.file.Path tlsCert() {
        return tlsCert;
    }

    /** The PEM private key of {@link #tlsCert()}, or null when TLS is off. */
    public java.nio.file.Path tlsKey() {
        return tlsKey;
    }

    /** The PEM CAs that client certificates must be signed by (mutual TLS), or null; see {@link Builder#tlsClientCa}. */
    public java.nio.file.Path tlsClientCa() {
        return tlsClientCa;
    }

    /** Builds {@link ManagerOptions}; every setter validates its argument. */
    public static final class Builder {
        private String bindAddress;
        private int port = DEFAULT_PORT;
        private int availThreshold = DEFAULT_AVAIL_THRESHOLD;
        private int cleanupReqs = DEFAULT_CLEANUP_REQS;
        private Duration cleanupCheckInterval = DEFAULT_CLEANUP_CHECKINT;
        private Duration distribRandMax = DEFAULT_DISTRIB_RANDMAX;
        private boolean debug;
        private boolean sacredGuarantees;
        private boolean holdSimilarWork;
        private int maxFrameLength = Wire.DEFAULT_MAX_FRAME_LENGTH;
        private int maxWorksPerPush = DEFAULT_MAX_WORKS_PER_PUSH;
        private int maxPendingWorks = DEFAULT_MAX_PENDING_WORKS;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private int maxOutboundBuffer = DEFAULT_MAX_OUTBOUND_BUFFER;
        private int maxPendingSysmsgs = DEFAULT_MAX_PENDING_SYSMSGS;
        private int maxPendingSysmsgAcks = DEFAULT_MAX_PENDING_SYSMSG_ACKS;
        private int maxSysmsgRate = DEFAULT_MAX_SYSMSG_RATE;
        private Duration pingInterval = DEFAULT_PING_INTERVAL;
        private Duration idleBeforePing = DEFAULT_IDLE_BEFORE_PING;
        private Duration pingGrace = DEFAULT_PING_GRACE;
        private Duration sysmsgTimeout = DEFAULT_SYSMSG_TIMEOUT;
        private Duration resumeGrace = DEFAULT_RESUME_GRACE;
        private int retries;
        private Duration backoff = DEFAULT_BACKOFF;
        private Duration backoffMax = DEFAULT_BACKOFF_MAX;
        private Set<String> retryOn = RETRY_ON_NAMES;
        private int maxDelayed = DEFAULT_MAX_DELAYED;
        private WorkSelector workSelector = WorkSelector.weightedRandom();
        private int ioThreads = 1;
        private boolean httpEnabled;
        private int httpPort = DEFAULT_HTTP_PORT;
        private String httpBindAddress = DEFAULT_HTTP_BIND_ADDRESS;
        private boolean exitOnFatalError;
        private Leadership leadership;
        private String advertisedAddress;
        private long maxQueuedBytes;
        private long maxBufferBytes;
        private java.util.Set<String> httpAllowedHosts = java.util.Set.of();
        private boolean httpShowErrors;
        private String httpToken;
        private boolean httpOpen;
        private java.util.List<String> trustedNetworks = java.util.List.of();
        private java.nio.file.Path authFile;
        private Duration authTimeout = DEFAULT_AUTH_TIMEOUT;
        private boolean trustLoopback = true;
        private java.util.Set<String> sysmsgRoles = java.util.Set.of("admin");
        private java.nio.file.Path tlsCert;
        private java.nio.file.Path tlsKey;
        private java.nio.file.Path tlsClientCa;
        private java.util.Map<String, Integer> typeLimits = java.util.Map.of();
        private int maxWorkTypes = DEFAULT_MAX_WORK_TYPES;

        private Builder() {
        }

        private Builder(ManagerOptions o) {
            bindAddress = o.bindAddress;
            port = o.port;
            availThreshold = o.availThreshold;
            cleanupReqs = o.cleanupReqs;
            cleanupCheckInterval = o.cleanupCheckInterval;
            distribRandMax = o.distribRandMax;
            debug = o.debug;
            sacredGuarantees = o.sacredGuarantees;
            holdSimilarWork = o.holdSimilarWork;
            maxFrameLength = o.maxFrameLength;
            maxWorksPerPush = o.maxWorksPerPush;
            maxPendingWorks = o.maxPendingWorks;
            maxConnections = o.maxConnections;
            maxOutboundBuffer = o.maxOutboundBuffer;
            maxPendingSysmsgs = o.maxPendingSysmsgs;
            maxPendingSysmsgAcks = o.maxPendingSysmsgAcks;
            maxSysmsgRate = o.maxSysmsgRate;
            pingInterval = o.pingInterval;
            idleBeforePing = o.idleBeforePing;
            pingGrace = o.pingGrace;
            sysmsgTimeout = o.sysmsgTimeout;
            resumeGrace = o.resumeGrace;
            retries = o.retries;
            backoff = o.backoff;
            backoffMax = o.backoffMax;
            retryOn = o.retryOn;
            maxDelayed = o.maxDelayed;
            workSelector = o.workSelector;
            ioThreads = o.ioThreads;
            httpEnabled = o.httpEnabled;
            httpPort = o.httpPort;
            httpBindAddress = o.httpBindAddress;
            exitOnFatalError = o.exitOnFatalError;
            leadership = o.leadership;
            advertisedAddress = o.advertisedAddress;
            maxQueuedBytes = o.maxQueuedBytes;
            maxBufferBytes = o.maxBufferBytes;
            httpAllowedHosts = o.httpAllowedHosts;
            httpShowErrors = o.httpShowErrors;
            httpToken = o.httpToken;
            httpOpen = o.httpOpen;
            trustedNetworks = o.trustedNetworks;
            authFile = o.authFile;
            authTimeout = o.authTimeout;
            trustLoopback = o.trustLoopback;
            sysmsgRoles = o.sysmsgRoles;
            tlsCert = o.tlsCert;
            tlsKey = o.tlsKey;
            tlsClientCa = o.tlsClientCa;
            typeLimits = o.typeLimits;
            maxWorkTypes = o.maxWorkTypes;
        }

        /**
         * At most {@code max} works of the work type {@code type} run at once over all workers
         * ({@code --limit type=max}; docs/protocol.md, "Work types and limits"); the {@code limit}
         * admin command changes it at run time. 0 holds every work of the type in its queue.
         *
         * @throws IllegalArgumentException for an invalid type name or a negative max
         */
        public Builder typeLimit(String type, int max) {
            io.proletariat.protocol.WorkTypeNames.check(type);
            if (max < 0) {
                throw new IllegalArgumentException("the limit of work type " + type + " must be >= 0: " + max);
            }
            java.util.Map<String, Integer> m = new java.util.TreeMap<>(typeLimits);
            m.put(type, max);
            this.typeLimits = java.util.Collections.unmodifiableMap(m);
            return this;
        }

        /**
         * The most distinct work types the manager keeps at once (types with queued or running works,
         * offered by workers, or limited); beyond, pushes and offers naming a new type are refused
         * with {@code ETOOMANYTYPES}. Default {@value ManagerOptions#DEFAULT_MAX_WORK_TYPES}.
         */
        public Builder maxWorkTypes(int maxWorkTypes) {
            if (maxWorkTypes < 1) {
                throw new IllegalArgumentException("maxWorkTypes must be >= 1: " + maxWorkTypes);
            }
            this.maxWorkTypes = maxWorkTypes;
            return this;
        }

        /** Address to bind, e.g. {@code "127.0.0.1"} or {@code "::1"}; {@code null} (default) binds every interface. */
        public Builder bindAddress(String bindAddress) {
            this.bindAddress = bindAddress;
            return this;
        }

        /** TCP port, 0 to 65535 (0 picks a free one); default {@value #DEFAULT_PORT}. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535: " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * {@code AVAIL_THRESHOLD}: once a pass leaves works queued with every slot taken, the next
         * pass waits until this many slots are free, so works are placed together, but never longer
         * than {@link #distribRandMax(Duration) DISTRIB_RANDMAX} and never when a new worker
         * offers. Capped at the slots that exist, so it can never stall dispatch; 0 disables it.
         * Default {@value #DEFAULT_AVAIL_THRESHOLD}: a slot that frees while works wait is filled at
         * once. The original's default of 50 is accepted but not the default here, since the
         * original never honoured it and honouring it leaves slots idle.
         */
        public Builder availThreshold(int availThreshold) {
            if (availThreshold < 0) {
                throw new IllegalArgumentException("availThreshold must be >= 0: " + availThreshold);
            }
            this.availThreshold = availThreshold;
            return this;
        }

        /** {@code CLEANUP_REQS}: finished works between two cleanups, >= 1; default {@value #DEFAULT_CLEANUP_REQS}. */
        public Builder cleanupReqs(int cleanupReqs) {
            if (cleanupReqs < 1) {
                throw new IllegalArgumentException("cleanupReqs must be >= 1: " + cleanupReqs);
            }
            this.cleanupReqs = cleanupReqs;
            return this;
        }

        /** {@code CLEANUP_CHECKINT}: interval of the periodic cleanup, > 0; default 60 s. */
        public Builder cleanupCheckInterval(Duration interval) {
            this.cleanupCheckInterval = positive("cleanupCheckInterval", interval);
            return this;
        }

        /**
         * {@code DISTRIB_RANDMAX}: the longest a queued work may wait for a distribution pass once a
         * slot is free, >= 0; default 100 ms. The dispatch core runs its pass as soon as the events
         * at hand are processed; only the {@link #availThreshold(int) AVAIL_THRESHOLD} wait after the
         * system was full can use this bound, and 0 turns that wait off.
         */
        public Builder distribRandMax(Duration distribRandMax) {
            Objects.requireNonNull(distribRandMax, "distribRandMax");
            if (distribRandMax.isNegative()) {
                throw new IllegalArgumentException("distribRandMax must be >= 0: " + distribRandMax);
            }
            this.distribRandMax = distribRandMax;
            return this;
        }

        /** {@code DEBUG}: log every frame and decision at INFO level; default false. */
        public Builder debug(boolean debug) {
            this.debug = debug;
            return this;
        }

        /** {@code SACRED_GUARANTEES}: high priorities only take slots from the lowest range; default false. */
        public Builder sacredGuarantees(boolean sacredGuarantees) {
            this.sacredGuarantees = sacredGuarantees;
            return this;
        }

        /**
         * {@code HOLDSIMILARWORK}: a work whose args object has a {@code _key} waits while another
         * live work has the same key, then receives that work's result; default false.
         */
        public Builder holdSimilarWork(boolean holdSimilarWork) {
            this.holdSimilarWork = holdSimilarWork;
            return this;
        }

        /** Largest frame accepted, in bytes, >= 1024; default 20 MiB as the original. */
        public Builder maxFrameLength(int maxFrameLength) {
            if (maxFrameLength < 1024) {
                throw new IllegalArgumentException("maxFrameLength must be >= 1024: " + maxFrameLength);
            }
            this.maxFrameLength = maxFrameLength;
            return this;
        }

        /**
         * Works one push may carry, >= 1; default {@value #DEFAULT_MAX_WORKS_PER_PUSH}. A larger push
         * is refused whole with {@code ETOOMANYWORKS}; split it into several pushes.
         */
        public Builder maxWorksPerPush(int maxWorksPerPush) {
            if (maxWorksPerPush < 1) {
                throw new IllegalArgumentException("maxWorksPerPush must be >= 1: " + maxWorksPerPush);
            }
            this.maxWorksPerPush = maxWorksPerPush;
            return this;
        }

        /**
         * Works one connection may have pushed and not yet seen answered, >= 1; default
         * {@value #DEFAULT_MAX_PENDING_WORKS}. A push that would go beyond is refused whole with
         * {@code ETOOMANYPENDING}; the client may push again once answers came.
         */
        public Builder maxPendingWorks(int maxPendingWorks) {
            if (maxPendingWorks < 1) {
                throw new IllegalArgumentException("maxPendingWorks must be >= 1: " + maxPendingWorks);
            }
            this.maxPendingWorks = maxPendingWorks;
            return this;
        }

        /**
         * Open connections of every kind, >= 1; default {@value #DEFAULT_MAX_CONNECTIONS}. One more is
         * answered a bare {@code ETOOMANYCONN} error and closed. The limit in force is at most the
         * process's file descriptor limit ({@code ulimit -n}) minus 128 descriptors kept for the rest
         * of the process; the manager logs it at start when it is lower than this.
         */
        public Builder maxConnections(int maxConnections) {
            if (maxConnections < 1) {
                throw new IllegalArgumentException("maxConnections must be >= 1: " + maxConnections);
            }
            this.maxConnections = maxConnections;
            return this;
        }

        /**
         * Bytes that may wait to be sent to one peer, >= {@link #maxFrameLength(int) maxFrameLength}
         * (checked by {@link #build()}); default 64 MiB. A peer that stops reading is first no longer
         * read from (so it cannot ask for more), and closed once this much waits for it; a worker
         * closed so has its works requeued.
         */
        public Builder maxOutboundBuffer(int maxOutboundBuffer) {
            if (maxOutboundBuffer < 1024) {
                throw new IllegalArgumentException("maxOutboundBuffer must be >= 1024: " + maxOutboundBuffer);
            }
            this.maxOutboundBuffer = maxOutboundBuffer;
            return this;
        }

        /**
         * System messages waiting for acknowledgements: at most {@code perConnection} sent by one
         * connection (default {@value #DEFAULT_MAX_PENDING_SYSMSGS}), and at most {@code acksInAll}
         * acknowledgements awaited in the manager, one per message and recipient (default
         * {@value #DEFAULT_MAX_PENDING_SYSMSG_ACKS}), both >= 1. A message beyond either is answered
         * {@code ETOOMANYSYSMSG}, so peers cannot grow the manager's memory with messages nobody
         * acknowledges; each waits at most {@link #sysmsgTimeout(Duration)}. A message to more
         * recipients than {@code acksInAll} is still sent when nothing else is pending.
         */
        public Builder maxPendingSysmsgs(int perConnection, int acksInAll) {
            if (perConnection < 1) {
                throw new IllegalArgumentException("maxPendingSysmsgs must be >= 1: " + perConnection);
            }
            if (acksInAll < 1) {
                throw new IllegalArgumentException("maxPendingSysmsgAcks must be >= 1: " + acksInAll);
            }
            this.maxPendingSysmsgs = perConnection;
            this.maxPendingSysmsgAcks = acksInAll;
            return this;
        }

        /**
         * System messages with recipients (to everybody or to one connection) that one connection
         * may send a second, in bursts of as many; one more is answered {@code ETOOMANYSYSMSG} and
         * not relayed. Each relayed message costs every recipient a frame and an acknowledgement,
         * so a sender must not flood the others. Messages to {@code MANAGER} alone do not count.
         * Default {@value #DEFAULT_MAX_SYSMSG_RATE}; must be >= 1.
         */
        public Builder maxSysmsgRate(int perSecond) {
            if (perSecond < 1) {
                throw new IllegalArgumentException("maxSysmsgRate must be >= 1: " + perSecond);
            }
            this.maxSysmsgRate = perSecond;
            return this;
        }

        /**
         * Keepalive: connections are checked every {@code interval} (default 10 s); one silent for
         * {@code idleBeforePing} (default 30 s) is pinged, and one silent for {@code idleBeforePing
         * + grace} (default 45 s) is closed. The defaults are the original's.
         */
        public Builder keepalive(Duration interval, Duration idleBeforePing, Duration grace) {
            this.pingInterval = positive("pingInterval", interval);
            this.idleBeforePing = positive("idleBeforePing", idleBeforePing);
            this.pingGrace = positive("pingGrace", grace);
            return this;
        }

        /**
         * How long a system message waits for acknowledgements before its sender is told how many
         * arrived, > 0; default 60 s. A recipient that disconnects stops counting at once.
         */
        /**
         * Retries of every work whose push says nothing of retries (docs/protocol.md, push): after a
         * failed attempt (see {@link #retryOn}) the manager holds the work for a backoff and queues it
         * again, up to this many times, then answers the last attempt's result. This is how original
         * clients get retries. From 0 (the default: no retries, the original's behaviour) to 1000; a
         * push's own {@code retries}, 0 included, wins.
         */
        public Builder retries(int retries) {
            if (retries < 0 || retries > 1000) {
                throw new IllegalArgumentException("retries must be from 0 to 1000: " + retries);
            }
            this.retries = retries;
            return this;
        }

        /**
         * The wait before the first retry, for pushes that do not say: it doubles with each failed
         * attempt up to {@link #backoffMax}, and each wait is a random point of its upper half
         * (jitter). From 0 to 1 day; default 1 s.
         */
        public Builder backoff(Duration backoff) {
            this.backoff = backoffBound("backoff", backoff);
            return this;
        }

        /** The longest wait between attempts, for pushes that do not say; from 0 to 1 day, raised to {@link #backoff} when below; default 60 s. */
        public Builder backoffMax(Duration backoffMax) {
            this.backoffMax = backoffBound("backoffMax", backoffMax);
            return this;
        }

        /**
         * Which failed attempts are retried, for pushes that do not say: {@code error} (the handler
         * answered an error), {@code ETO} (the run timeout), {@code lost} (its worker was lost while it
         * ran: the work is no longer requeued without end, and ends with {@code EWORKERLOST} after its
         * retries). Non-empty; default all three.
         */
        public Builder retryOn(Set<String> retryOn) {
            Objects.requireNonNull(retryOn, "retryOn");
            if (retryOn.isEmpty() || !RETRY_ON_NAMES.containsAll(retryOn)) {
                throw new IllegalArgumentException("retryOn must be some of " + RETRY_ON_NAMES + ": " + retryOn);
            }
            this.retryOn = Set.copyOf(retryOn);
            return this;
        }

        /**
         * Works waiting for their push's {@code delay} or {@code notBefore}, at most, over all clients;
         * a push beyond is answered {@code ETOOMANYDELAYED} (their args also count against
         * {@code maxQueuedBytes}). At least 1; default 1,000,000.
         */
        public Builder maxDelayed(int maxDelayed) {
            if (maxDelayed < 1) {
                throw new IllegalArgumentException("maxDelayed must be >= 1: " + maxDelayed);
            }
            this.maxDelayed = maxDelayed;
            return this;
        }

        private static Duration backoffBound(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException(name + " must be from 0 to 1 day: " + d);
            }
            return d;
        }

        /**
         * For this long after the manager begins to serve (started, or elected leader), a work that a
         * client resends after losing its manager waits before it is queued: workers coming back from
         * the lost manager may hand over its result, or say they still run it, so that it does not run
         * twice (docs/cluster.md). Default 2 s; {@link Duration#ZERO} queues resent works at once.
         */
        public Builder resumeGrace(Duration grace) {
            Objects.requireNonNull(grace, "resumeGrace");
            if (grace.isNegative()) {
                throw new IllegalArgumentException("resumeGrace must be >= 0: " + grace);
            }
            this.resumeGrace = grace;
            return this;
        }

        public Builder sysmsgTimeout(Duration timeout) {
            this.sysmsgTimeout = positive("sysmsgTimeout", timeout);
            return this;
        }

        /**
         * Threads for socket I/O and frame decoding, 1 to 64; default 1. With 1 (the fastest on
         * small machines) the dispatch core runs on that same thread, like Redis: no hand-off
         * between threads at all. With more, they decode in parallel and hand messages to the
         * core's own thread, which pays off only when decoding, not dispatch, is the bottleneck.
         */
        public Builder ioThreads(int ioThreads) {
            if (ioThreads < 1 || ioThreads > 64) {
                throw new IllegalArgumentException("ioThreads must be 1..64: " + ioThreads);
            }
            this.ioThreads = ioThreads;
            return this;
        }

        /** The assignment function (the original's {@code workSelectWorker}). */
        public Builder workSelector(WorkSelector workSelector) {
            this.workSelector = Objects.requireNonNull(workSelector, "workSelector");
            return this;
        }

        /**
         * Turns on the HTTP listener that serves {@code /api/status}, {@code /metrics} and the live
         * dashboard, on this port: 0 picks a free port, 1 to 65535 uses that port. It is off in the
         * Java API unless set; the daemon's {@code --http-port} defaults to {@value #DEFAULT_HTTP_PORT}.
         * If the port cannot be bound, {@code Manager.start()} fails.
         */
        public Builder httpPort(int httpPort) {
            if (httpPort < 0 || httpPort > 65535) {
                throw new IllegalArgumentException("httpPort must be 0..65535: " + httpPort);
            }
            this.httpPort = httpPort;
            this.httpEnabled = true;
            return this;
        }

        /**
         * Turns the HTTP listener on (on {@link #httpPort(int) its port}, {@value #DEFAULT_HTTP_PORT}
         * unless set) or off; off by default.
         */
        public Builder http(boolean enabled) {
            this.httpEnabled = enabled;
            return this;
        }

        /**
         * Address the HTTP listener binds, e.g. {@code "127.0.0.1"} (default) or {@code "0.0.0.0"} for
         * every IPv4 interface. Any address but loopback needs a {@link #httpToken} (or {@link #httpOpen}).
         */
        public Builder httpBindAddress(String httpBindAddress) {
            Objects.requireNonNull(httpBindAddress, "httpBindAddress");
            if (httpBindAddress.isBlank()) {
                throw new IllegalArgumentException("httpBindAddress must not be blank: '" + httpBindAddress + "'");
            }
            this.httpBindAddress = httpBindAddress;
            return this;
        }

        /**
         * Host names (the {@code Host} header without its port, e.g. {@code "manager.example.com"})
         * the HTTP listener answers, besides what it always answers: IP addresses, {@code localhost}
         * and names under {@code .localhost}. Any other {@code Host} gets 403, which stops a web page
         * from reading the status through DNS rebinding. {@code "*"} allows every name. Compared
         * without case; default none.
         */
        public Builder httpAllowedHosts(java.util.Collection<String> hosts) {
            java.util.Set<String> set = new java.util.LinkedHashSet<>();
            for (String h : Objects.requireNonNull(hosts, "httpAllowedHosts")) {
                String name = Objects.requireNonNull(h, "httpAllowedHosts element").strip().toLowerCase(java.util.Locale.ROOT);
                if (name.isEmpty()) {
                    continue; // "a,,b" or an empty setting
                }
                if (name.contains("/") || name.contains(" ")) {
                    throw new IllegalArgumentException("httpAllowedHosts must hold host names: '" + h + "'");
                }
                set.add(name);
            }
            this.httpAllowedHosts = java.util.Collections.unmodifiableSet(set);
            return this;
        }

        /**
         * Whether {@code /api/status} and the dashboard show the {@code error} payload of recent failed
         * works (workers' error objects may hold anything, secrets included); default false, when only
         * their codes and ids are shown.
         */
        public Builder httpShowErrors(boolean httpShowErrors) {
            this.httpShowErrors = httpShowErrors;
            return this;
        }

        /**
         * A bearer token for the HTTP listener (docs/security.md, "The HTTP listener"): every request
         * to {@code /api/status}, {@code /api/history} and {@code /metrics} must carry
         * {@code Authorization: Bearer TOKEN}, else it is answered 401; the dashboard's page asks for
         * the token once and keeps it for the browser tab. Compared in constant time, never logged.
         * Null (default): no token, which {@code Manager.start()} accepts only for a loopback
         * {@link #httpBindAddress} or with {@link #httpOpen}.
         *
         * @throws IllegalArgumentException for an empty token, one above 4,096 characters, or one with control characters
         */
        public Builder httpToken(String httpToken) {
            if (httpToken != null && (httpToken.isEmpty() || httpToken.length() > 4096
                    || httpToken.chars().anyMatch(Character::isISOControl))) {
                throw new IllegalArgumentException("httpToken must be 1 to 4096 characters without control characters");
            }
            this.httpToken = httpToken;
            return this;
        }

        /**
         * Lets the HTTP listener serve a non-loopback {@link #httpBindAddress} without a
         * {@link #httpToken}: the operator accepts an open status page (e.g. behind a proxy of theirs
         * that authenticates). Default false: such a manager does not start.
         */
        public Builder httpOpen(boolean httpOpen) {
            this.httpOpen = httpOpen;
            return this;
        }

        /**
         * Memory budget for the args of live works (queued, held, delayed, waiting for a retry, assigned or running), in bytes over
         * all connections: 0 (default) for half the JVM's maximum heap ({@code -Xmx}), else >= 1024.
         * A push whose works would take the total past it is refused with {@code ENOMEM}; the client
         * may push again once works are answered.
         */
        public Builder maxQueuedBytes(long maxQueuedBytes) {
            if (maxQueuedBytes != 0 && maxQueuedBytes < 1024) {
                throw new IllegalArgumentException("maxQueuedBytes must be 0 (half the heap) or >= 1024: " + maxQueuedBytes);
            }
            this.maxQueuedBytes = maxQueuedBytes;
            return this;
        }

        /**
         * Memory budget for connection buffers, in bytes over all connections: frames still arriving
         * plus bytes waiting to be sent to peers. 0 (default) for a quarter of the JVM's maximum heap
         * (at least twice {@code maxFrameLength}); else at least {@code maxFrameLength} (checked by
         * {@link #build()}). Past it, the connections holding the most (a peer sending huge frames
         * slowly, one that does not read) are sent a bare {@code ENOMEM} and closed until the excess
         * is freed, and pushes are refused with {@code ENOMEM} meanwhile.
         */
        public Builder maxBufferBytes(long maxBufferBytes) {
            if (maxBufferBytes != 0 && maxBufferBytes < 1024) {
                throw new IllegalArgumentException("maxBufferBytes must be 0 (a quarter of the heap) or >= 1024: " + maxBufferBytes);
            }
            this.maxBufferBytes = maxBufferBytes;
            return this;
        }

        /**
         * Networks trusted without authentication, each {@code ADDRESS/PREFIX} (IPv4 or IPv6) or one
         * address, e.g. {@code "10.0.0.0/8"}. Loopback is always trusted without {@link #authFile}.
         * Without an authentication file, peers from anywhere else get a bare {@code EPROTECTED} and are
         * closed; with one, peers from these networks may skip authentication (the original node.js
         * peers cannot authenticate) and everyone else must authenticate. Default none.
         *
         * @throws IllegalArgumentException naming an element that is not a network
         */
        public Builder trustedNetworks(java.util.Collection<String> networks) {
            java.util.List<String> list = new java.util.ArrayList<>();
            for (String n : Objects.requireNonNull(networks, "trustedNetworks")) {
                if (!Objects.requireNonNull(n, "trustedNetworks element").isBlank()) {
                    list.add(io.proletariat.manager.internal.auth.AddressPolicy.validate(n));
                }
            }
            this.trustedNetworks = java.util.List.copyOf(list);
            return this;
        }

        /**
         * Whether loopback peers (127.0.0.0/8, ::1) are served without authentication when it is off
         * (protected mode); default true. False leaves only {@link #trustedNetworks}: e.g. a host
         * whose local users are not all trusted.
         */
        public Builder trustLoopback(boolean trustLoopback) {
            this.trustLoopback = trustLoopback;
            return this;
        }

        /**
         * Turns authentication on: the file lists principals, each with roles and its token's SHA-256
         * (docs/security.md, "Tokens and roles"). It is read when the manager starts (an unreadable or
         * invalid file fails the start) and again on {@code Manager.reloadAuth()}. Null (default): off.
         */
        public Builder authFile(java.nio.file.Path authFile) {
            this.authFile = authFile;
            return this;
        }

        /**
         * With authentication on: how long a peer that must authenticate (not loopback nor in a trusted
         * network) may take, from its connection, to send its {@code auth} frame; then it is answered
         * {@code EAUTH} and closed. Must be &gt; 0; default 10 s. Without {@link #authFile} there is no deadline.
         */
        public Builder authTimeout(Duration authTimeout) {
            this.authTimeout = positive("authTimeout", authTimeout);
            return this;
        }

        /**
         * The roles ({@code client}, {@code worker}, {@code admin}) that may send system messages, to
         * one peer or to everybody, when authentication is on; default {@code admin} only. Peers served
         * without authentication may always send them.
         *
         * @throws IllegalArgumentException naming an unknown role
         */
        public Builder sysmsgRoles(java.util.Collection<String> roles) {
            java.util.Set<String> set = new java.util.LinkedHashSet<>();
            for (String r : Objects.requireNonNull(roles, "sysmsgRoles")) {
                if (!r.isBlank()) {
                    set.add(io.proletariat.manager.internal.auth.Role.parse(r).label());
                }
            }
            this.sysmsgRoles = java.util.Collections.unmodifiableSet(set);
            return this;
        }

        /**
         * What an {@link Error} on the dispatch core or an I/O thread (out of memory, a
         * {@link WorkSelector} throwing one) does, after it is logged: {@code true} ends the process at
         * once with exit code {@value #FATAL_ERROR_EXIT_CODE} (what the {@code proletariat manager}
         * daemon does, so that a supervisor restarts it); {@code false} (default, for a manager
         * embedded in an application) stops the manager, as {@code close()} would, and
         * {@code Manager.fatalError()} tells why. Either way no manager is left listening and
         * answering nothing.
         */
        public Builder exitOnFatalError(boolean exitOnFatalError) {
            this.exitOnFatalError = exitOnFatalError;
            return this;
        }

        /**
         * Makes this manager one of a cluster: it serves only while {@code leadership} says it leads, and
         * otherwise sends every peer to the leader (docs/cluster.md). Null (the default) serves alone.
         * The manager starts it and closes it with itself.
         */
        public Builder leadership(Leadership leadership) {
            this.leadership = leadership;
            return this;
        }

        /**
         * The address peers reach this manager at ({@code host:port}), which a leader publishes for the
         * standbys' redirects. Null (the default) takes the bound address, or this host's name when
         * bound to every interface.
         */
        public Builder advertisedAddress(String hostPort) {
            if (hostPort != null && (hostPort.lastIndexOf(':') <= 0 || hostPort.endsWith(":"))) {
                throw new IllegalArgumentException("advertisedAddress must be host:port: " + hostPort);
            }
            this.advertisedAddress = hostPort;
            return this;
        }

        /**
         * TLS on the protocol port and on the HTTP listener (docs/security.md): {@code cert} is the
         * manager's PEM certificate (its chain, the leaf first), {@code key} its unencrypted PKCS#8 PEM
         * private key. Both files are read and checked by {@link #build()} and read again when the
         * manager starts and on {@code Manager.reloadTls()} (the daemon's SIGHUP). Null for both (the
         * default) turns TLS off: peers speak plain TCP.
         */
        public Builder tls(java.nio.file.Path cert, java.nio.file.Path key) {
            if ((cert == null) != (key == null)) {
                throw new IllegalArgumentException("tls needs both a certificate and its key: " + (cert == null ? "no certificate" : "no key"));
            }
            this.tlsCert = cert;
            this.tlsKey = key;
            return this;
        }

        /**
         * Mutual TLS: every peer must present a certificate signed by a CA of this PEM file, and the
         * certificate's subject becomes the connection's principal. Needs {@link #tls}. Null (the
         * default): no client certificate is asked for.
         */
        public Builder tlsClientCa(java.nio.file.Path clientCa) {
            this.tlsClientCa = clientCa;
            return this;
        }

        /**
         * @throws IllegalStateException when {@code maxOutboundBuffer} is below {@code maxFrameLength}:
         *     one largest frame to a peer must fit
         * @throws IllegalArgumentException when a TLS file is missing, not PEM, or the key does not
         *     match the certificate (the message names the option and the file)
         */
        public ManagerOptions build() {
            if (tlsClientCa != null && tlsCert == null) {
                throw new IllegalStateException("tlsClientCa needs tls: set the certificate and key too (--tls-cert, --tls-key)");
            }
            if (tlsCert != null) {
                io.proletariat.protocol.Tls.serverContext(tlsCert, tlsKey, tlsClientCa); // checks the files now, with clear errors
            }
            if (maxBufferBytes != 0 && maxBufferBytes < maxFrameLength) {
                throw new IllegalStateException("maxBufferBytes (" + maxBufferBytes + ") must be 0 or >= maxFrameLength (" + maxFrameLength + ")");
            }
            if (maxOutboundBuffer < maxFrameLength) {
                throw new IllegalStateException("maxOutboundBuffer (" + maxOutboundBuffer + ") must be >= maxFrameLength (" + maxFrameLength + ")");
            }
            return new ManagerOptions(this);
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be > 0: " + d);
            }
            return d;
        }
    }
}
