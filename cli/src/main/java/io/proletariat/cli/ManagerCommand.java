package io.proletariat.cli;

import io.proletariat.cluster.ZooKeeperLeadership;
import io.proletariat.manager.Manager;
import io.proletariat.manager.ManagerListener;
import io.proletariat.manager.ManagerOptions;
import io.proletariat.manager.ProletariatManagerException;
import io.proletariat.protocol.SystemMessage;
import io.proletariat.protocol.Wire;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code proletariat manager}: runs the manager daemon in the foreground until interrupted.
 *
 * <p>Every option may also come from a {@code PROLETARIAT_*} environment variable or the
 * {@code --config} file ({@link ManagerConfiguration}); flags win over the environment, which wins
 * over the file. Boolean options take an optional value ({@code --debug=false}) so that a flag can
 * turn off what the environment or the file turned on.
 *
 * <p>With {@code --zookeeper} the manager is one of a cluster ({@link ZooKeeperLeadership}): it
 * starts as a standby, which sends every peer to the leader, and serves once elected.
 */
@Command(name = "manager", mixinStandardHelpOptions = true,
        description = "Run the manager daemon (Ctrl-C stops it).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "2:bad usage (unknown flag, bad option value)",
                "3:the port or the HTTP port is taken, or the address cannot be bound",
                "70:a fatal error (e.g. out of memory) stopped the manager",
                "130:stopped by Ctrl-C (143: by SIGTERM)"},
        footer = {"", "Each option can also come from the --config file (key: the option without",
                "'--', e.g. http-port = 8917) or from the environment (PROLETARIAT_ and the",
                "option in capitals, e.g. PROLETARIAT_HTTP_PORT=8917). Flags win over the",
                "environment, which wins over the file."})
final class ManagerCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "Read options from this properties file (also PROLETARIAT_CONFIG); an unknown key is an error.")
    java.nio.file.Path config;

    @Option(names = "--port", paramLabel = "PORT", description = "TCP port (default: ${DEFAULT-VALUE}).")
    int port = ManagerOptions.DEFAULT_PORT;

    @Option(names = "--bind", paramLabel = "ADDR", description = "Address to listen on (default: every interface).")
    String bind;

    @Option(names = "--http-port", paramLabel = "PORT", description = "HTTP port of the dashboard, /api/status and /metrics; 0 turns HTTP off (default: ${DEFAULT-VALUE}).")
    int httpPort = ManagerOptions.DEFAULT_HTTP_PORT;

    @Option(names = "--http-bind", paramLabel = "ADDR", description = "Address the HTTP listener binds; any but loopback needs --http-token-file or --http-open (default: ${DEFAULT-VALUE}).")
    String httpBind = ManagerOptions.DEFAULT_HTTP_BIND_ADDRESS;

    @Option(names = "--http-token-file", paramLabel = "FILE", description = "A bearer token (FILE's first line) that /api/status, /api/history and /metrics require: Authorization: Bearer TOKEN; the dashboard asks for it once.")
    java.nio.file.Path httpTokenFile;

    @Option(names = "--http-open", arity = "0..1", fallbackValue = "true", paramLabel = "true|false", description = "Let --http-bind name an address other than loopback without --http-token-file (a proxy of yours authenticates).")
    boolean httpOpen;

    @Option(names = "--http-allowed-hosts", split = ",", paramLabel = "NAME[,NAME...]", description = "Host names the HTTP listener answers besides IP addresses and localhost; other Host headers get 403 (DNS rebinding); * allows all.")
    java.util.List<String> httpAllowedHosts = new java.util.ArrayList<>();

    @Option(names = "--http-show-errors", arity = "0..1", fallbackValue = "true", paramLabel = "true|false", description = "Show the error payloads of recent failed works in /api/status and the dashboard (codes and ids are always shown).")
    boolean httpShowErrors;

    @Option(names = "--auth", paramLabel = "FILE", description = "Turn authentication on: FILE lists principals, each NAME ROLES SHA256-OF-TOKEN or NAME ROLES subject:CERT-SUBJECT (mutual TLS; roles client, worker, admin); every peer outside --trust must send its token first; SIGHUP reads FILE again (docs/security.md).")
    java.nio.file.Path auth;

    @Option(names = "--auth-timeout", paramLabel = "MS", description = "With --auth: how long a peer that must authenticate may take to send its token; then it gets EAUTH and is closed (default: ${DEFAULT-VALUE}).")
    long authTimeout = ManagerOptions.DEFAULT_AUTH_TIMEOUT.toMillis();

    @Option(names = "--trust", split = ",", paramLabel = "CIDR[,CIDR...]", description = "Networks served without authentication (e.g. 10.0.0.0/8), for the original node.js peers that cannot authenticate. Without --auth, loopback is trusted too and every other peer is refused with EPROTECTED (protected mode).")
    List<String> trust = new java.util.ArrayList<>();

    @Option(names = "--sysmsg-roles", split = ",", paramLabel = "ROLE[,ROLE...]", description = "With --auth: the roles that may send system messages, to one peer or to everybody (default: ${DEFAULT-VALUE}).")
    List<String> sysmsgRoles = new java.util.ArrayList<>(List.of("admin"));

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "TLS on the protocol port and the HTTP listener: the manager's certificate chain (PEM); with --tls-key. Read again on SIGHUP.")
    java.nio.file.Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "The unencrypted PKCS#8 PEM private key of --tls-cert. Read again on SIGHUP.")
    java.nio.file.Path tlsKey;

    @Option(names = "--tls-client-ca", paramLabel = "PEM", description = "With --tls-cert: mutual TLS, every peer must present a certificate signed by a CA of this PEM file; its subject is the peer's principal.")
    java.nio.file.Path tlsClientCa;

    @Option(names = "--sacred-guarantees", arity = "0..1", fallbackValue = "true", paramLabel = "true|false", description = "SACRED_GUARANTEES: high priorities only take slots from the lowest range.")
    boolean sacredGuarantees;

    @Option(names = "--hold-similar-work", arity = "0..1", fallbackValue = "true", paramLabel = "true|false", description = "HOLDSIMILARWORK: works with the same args._key wait for the live one and share its result.")
    boolean holdSimilarWork;

    @Option(names = "--avail-threshold", paramLabel = "N", description = "AVAIL_THRESHOLD: free slots needed to resume after the system was full (default: ${DEFAULT-VALUE}).")
    int availThreshold = ManagerOptions.DEFAULT_AVAIL_THRESHOLD;

    @Option(names = "--distrib-randmax", paramLabel = "MS", description = "DISTRIB_RANDMAX: upper bound in ms on the wait before a distribution pass (default: ${DEFAULT-VALUE}).")
    long distribRandMax = ManagerOptions.DEFAULT_DISTRIB_RANDMAX.toMillis();

    @Option(names = "--limit", split = ",", paramLabel = "TYPE=MAX[,TYPE=MAX...]",
            description = "At most MAX works of work type TYPE run at once over all workers (repeatable); `proletariat limit` changes it at run time.")
    Map<String, Integer> limits;

    @Option(names = "--max-work-types", paramLabel = "N", description = "Distinct work types kept at once (queued, running, offered or limited); "
            + "a push or offer of one more gets ETOOMANYTYPES (default: ${DEFAULT-VALUE}).")
    int maxWorkTypes = ManagerOptions.DEFAULT_MAX_WORK_TYPES;

    @Option(names = "--cleanup-reqs", paramLabel = "N", description = "CLEANUP_REQS: finished works between cleanups (default: ${DEFAULT-VALUE}).")
    int cleanupReqs = ManagerOptions.DEFAULT_CLEANUP_REQS;

    @Option(names = "--cleanup-checkint", paramLabel = "MS", description = "CLEANUP_CHECKINT: ms between periodic cleanups (default: ${DEFAULT-VALUE}).")
    long cleanupCheckInt = ManagerOptions.DEFAULT_CLEANUP_CHECKINT.toMillis();

    @Option(names = "--max-frame", paramLabel = "BYTES", description = "Largest frame accepted (default: ${DEFAULT-VALUE}).")
    int maxFrame = Wire.DEFAULT_MAX_FRAME_LENGTH;

    @Option(names = "--max-works-per-push", paramLabel = "N", description = "Works one push may carry; more is answered ETOOMANYWORKS (default: ${DEFAULT-VALUE}).")
    int maxWorksPerPush = ManagerOptions.DEFAULT_MAX_WORKS_PER_PUSH;

    @Option(names = "--max-pending-works", paramLabel = "N", description = "Unanswered works per connection; a push beyond is answered ETOOMANYPENDING (default: ${DEFAULT-VALUE}).")
    int maxPendingWorks = ManagerOptions.DEFAULT_MAX_PENDING_WORKS;

    @Option(names = "--max-connections", paramLabel = "N", description = "Open connections; one more gets ETOOMANYCONN and is closed (default: ${DEFAULT-VALUE}).")
    int maxConnections = ManagerOptions.DEFAULT_MAX_CONNECTIONS;

    @Option(names = "--max-outbound", paramLabel = "BYTES", description = "Bytes waiting for a peer that does not read before it is closed, >= --max-frame (default: ${DEFAULT-VALUE}).")
    int maxOutbound = ManagerOptions.DEFAULT_MAX_OUTBOUND_BUFFER;

    @Option(names = "--max-pending-sysmsgs", paramLabel = "N", description = "System messages one connection may have waiting for acknowledgements; one more is answered ETOOMANYSYSMSG (default: ${DEFAULT-VALUE}).")
    int maxPendingSysmsgs = ManagerOptions.DEFAULT_MAX_PENDING_SYSMSGS;

    @Option(names = "--max-pending-sysmsg-acks", paramLabel = "N", description = "Acknowledgements of system messages awaited in all, one per message and recipient; a message beyond is answered ETOOMANYSYSMSG (default: ${DEFAULT-VALUE}).")
    int maxPendingSysmsgAcks = ManagerOptions.DEFAULT_MAX_PENDING_SYSMSG_ACKS;

    @Option(names = "--max-sysmsg-rate", paramLabel = "N", description = "System messages with recipients one connection may send a second; one more is answered ETOOMANYSYSMSG (default: ${DEFAULT-VALUE}).")
    int maxSysmsgRate = ManagerOptions.DEFAULT_MAX_SYSMSG_RATE;

    @Option(names = "--max-queued-bytes", paramLabel = "BYTES", description = "Bytes of args of all live works; a push beyond is answered ENOMEM; 0: half the maximum heap (default: ${DEFAULT-VALUE}).")
    long maxQueuedBytes;

    @Option(names = "--max-buffer-bytes", paramLabel = "BYTES", description = "Bytes of frames arriving and output waiting, over all connections; past it the connections holding the most get ENOMEM and are closed; 0: a quarter of the maximum heap (default: ${DEFAULT-VALUE}).")
    long maxBufferBytes;

    @Option(names = "--io-threads", paramLabel = "N", description = "Threads for socket I/O and decoding; with 1 the dispatch core shares that thread (default: ${DEFAULT-VALUE}).")
    int ioThreads = 1;

    @Option(names = "--heap", paramLabel = "SIZE", description = "Maximum Java heap of the manager, e.g. 2g (-Xmx); the bin/proletariat launcher starts the JVM with it (default: the JVM's, 1/4 of the memory).")
    String heap;

    @Option(names = "--debug", arity = "0..1", fallbackValue = "true", paramLabel = "true|false", description = "DEBUG: log every frame and decision.")
    boolean debug;

    @Option(names = "--zookeeper", paramLabel = "HOST:PORT[,HOST:PORT...]", description = "ZooKeeper's servers: this manager joins the --cluster, stands by until it is elected leader and serves while it leads (default: none, it serves alone).")
    String zookeeper;

    @Option(names = "--cluster", paramLabel = "NAME", description = "With --zookeeper: the cluster's name; the managers of one name elect one leader (default: ${DEFAULT-VALUE}).")
    String cluster = ZooKeeperLeadership.DEFAULT_CLUSTER;

    @Option(names = "--advertise", paramLabel = "HOST:PORT", description = "With --zookeeper: the address peers reach this manager at, where the standbys send them while it leads (default: the --bind address and --port, or this host's name when bound to every interface).")
    String advertise;

    @Option(names = "--zk-session-timeout", paramLabel = "MS", description = "With --zookeeper: ZooKeeper session timeout in ms; a leader that died is replaced about this long after (default: ${DEFAULT-VALUE}).")
    long zkSessionTimeout = ZooKeeperLeadership.DEFAULT_SESSION_TIMEOUT.toMillis();

    @Option(names = "--resume-grace", paramLabel = "MS", description = "How long after it begins to serve (started, or elected) the manager holds works that clients resend after losing their manager, so that returning workers hand over their results instead of running them twice (default: ${DEFAULT-VALUE}; 0 queues them at once).")
    long resumeGrace = ManagerOptions.DEFAULT_RESUME_GRACE.toMillis();

    @Option(names = "--retries", paramLabel = "N", description = "Retries of every work whose push asks none (this is how original clients get retries): a failed attempt (see --retry-on) is held for a backoff and queued again, up to N times (default: ${DEFAULT-VALUE}, no retries; at most 1000).")
    int retries;

    @Option(names = "--backoff", paramLabel = "DURATION", converter = Durations.class, description = "With --retries: the wait before the first retry (e.g. 100ms, 2s), doubling per attempt up to --backoff-max, each wait a random point of its upper half (default: 1s).")
    Duration backoff = ManagerOptions.DEFAULT_BACKOFF;

    @Option(names = "--backoff-max", paramLabel = "DURATION", converter = Durations.class, description = "With --retries: the longest wait between attempts (default: 60s).")
    Duration backoffMax = ManagerOptions.DEFAULT_BACKOFF_MAX;

    @Option(names = "--retry-on", paramLabel = "KINDS", split = ",", description = "With --retries: which failed attempts are retried, comma-separated: error (the handler's error), ETO (the run timeout), lost (its worker was lost; such a work then ends with EWORKERLOST after its retries) (default: error,ETO,lost).")
    java.util.Set<String> retryOn = ManagerOptions.RETRY_ON_NAMES;

    @Option(names = "--max-delayed", paramLabel = "N", description = "Works waiting for their push's delay or notBefore, at most, over all clients; a push beyond is answered ETOOMANYDELAYED (default: ${DEFAULT-VALUE}).")
    int maxDelayed = ManagerOptions.DEFAULT_MAX_DELAYED;

    @Option(names = "--demo", arity = "0..1", fallbackValue = "true", paramLabel = "true|false", description = "After starting, run a greeting worker and a client pushing a few works over the real port, print the results, and keep running. Not with --auth or --tls-cert: the demo's peers have no token and no TLS.")
    boolean demo;

    /** Characters of a system message the daemon prints: peers may send megabytes, and every one is printed. */
    static final int PRINTED_CHARS = 200;

    /** The content's first {@value #PRINTED_CHARS} characters, then "... (N bytes)" when there is more; decodes only that prefix. */
    static String abbreviate(io.proletariat.protocol.RawJson content) {
        int n = content.byteLength();
        if (n <= PRINTED_CHARS) {
            return content.toString();
        }
        byte[] bytes = content.toBytes(); // a copy, but never a String of the whole content
        String head = new String(bytes, 0, Math.min(n, PRINTED_CHARS * 4), java.nio.charset.StandardCharsets.UTF_8);
        if (head.length() <= PRINTED_CHARS && n <= PRINTED_CHARS * 4) {
            return head;
        }
        return head.substring(0, Math.min(head.length(), PRINTED_CHARS)) + "... (" + n + " bytes)";
    }

    @Override
    public Integer call() throws InterruptedException {
        ManagerOptions options;
        try {
            options = optionsBuilder().build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("proletariat manager: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        return run(options);
    }

    /**
     * The manager's options from the flags. The daemon exits after a fatal error (exit code 70, see
     * {@link ManagerOptions.Builder#exitOnFatalError}) so that its supervisor restarts it.
     *
     * @throws IllegalArgumentException for a bad value
     */
    ManagerOptions.Builder optionsBuilder() {
        if (heap != null && !heap.isBlank() && !heap.strip().matches("[0-9]+[kKmMgGtT]?")) {
            throw new IllegalArgumentException("--heap must be a size in bytes with an optional k, m, g or t, as -Xmx takes: " + heap);
        }
        if (httpPort < 0) {
            throw new IllegalArgumentException("--http-port must be 0 (off) or 1..65535: " + httpPort);
        }
        ManagerOptions.Builder options = ManagerOptions.builder();
        if (advertise != null && !advertise.isBlank()) {
            try {
                options.advertisedAddress(advertise.strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--advertise must be HOST:PORT, e.g. manager1.example.com:1917: " + advertise, e);
            }
        }
        options.leadership(leadership());
        try {
            options.trustedNetworks(trust);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--trust: " + e.getMessage() + "; e.g. --trust 10.0.0.0/8,192.168.1.0/24", e);
        }
        try {
            options.sysmsgRoles(sysmsgRoles);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--sysmsg-roles: " + e.getMessage(), e);
        }
        if (limits != null) {
            limits.forEach((type, max) -> {
                try {
                    options.typeLimit(type, max);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--limit: " + e.getMessage() + "; e.g. --limit resize=5", e);
                }
            });
        }
        options.authFile(orNone(auth));
        tlsCert = orNone(tlsCert);
        tlsKey = orNone(tlsKey);
        tlsClientCa = orNone(tlsClientCa);
        try {
            options.authTimeout(Duration.ofMillis(authTimeout));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--auth-timeout must be > 0 ms: " + authTimeout, e);
        }
        boolean authOn = orNone(auth) != null;
        if (demo && (authOn || tlsCert != null)) {
            // The demo's worker and client have no token and no TLS; a throwaway principal for them would
            // be a token in the manager's memory that the operator never configured.
            throw new IllegalArgumentException("--demo cannot be combined with " + (authOn ? "--auth" : "--tls-cert")
                    + ": the demo's worker and client connect without a token or TLS; run the demo on a manager without them,"
                    + " then connect your own peers with --token/--tls (docs/security.md)");
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together: " + (tlsCert == null ? "--tls-cert" : "--tls-key") + " is missing");
        }
        if (tlsClientCa != null && tlsCert == null) {
            throw new IllegalArgumentException("--tls-client-ca needs --tls-cert and --tls-key");
        }
        options.tls(tlsCert, tlsKey).tlsClientCa(tlsClientCa);
        options.httpToken(httpToken()).httpOpen(httpOpen);
        return options
                    .exitOnFatalError(true)
                    .port(port)
                    .bindAddress(bind)
                    .sacredGuarantees(sacredGuarantees)
                    .holdSimilarWork(holdSimilarWork)
                    .availThreshold(availThreshold)
                    .distribRandMax(Duration.ofMillis(distribRandMax))
                    .resumeGrace(Duration.ofMillis(resumeGrace))
                    .retries(retries)
                    .backoff(backoff)
                    .backoffMax(backoffMax)
                    .retryOn(retryOn)
                    .maxDelayed(maxDelayed)
                    .cleanupReqs(cleanupReqs)
                    .cleanupCheckInterval(Duration.ofMillis(cleanupCheckInt))
                    .maxFrameLength(maxFrame)
                    .maxWorksPerPush(maxWorksPerPush)
                    .maxPendingWorks(maxPendingWorks)
                    .maxWorkTypes(maxWorkTypes)
                    .maxConnections(maxConnections)
                    .maxOutboundBuffer(maxOutbound)
                    .maxPendingSysmsgs(maxPendingSysmsgs, maxPendingSysmsgAcks)
                    .maxSysmsgRate(maxSysmsgRate)
                    .maxQueuedBytes(maxQueuedBytes)
                    .maxBufferBytes(maxBufferBytes)
                    .debug(debug)
                    .ioThreads(ioThreads)
                    // The daemon serves HTTP by default; --http-port 0 turns it off (in the Java API, 0 picks a free port).
                    .httpPort(httpPort == 0 ? ManagerOptions.DEFAULT_HTTP_PORT : httpPort)
                    .http(httpPort != 0)
                    .httpBindAddress(httpBind)
                    .httpAllowedHosts(httpAllowedHosts)
                    .httpShowErrors(httpShowErrors);
    }

    /**
     * The first line of {@code --http-token-file}; null without it (an empty value, as the sample
     * configuration file has, is none).
     *
     * @throws IllegalArgumentException when the file cannot be read or holds no token
     */
    String httpToken() {
        if (httpTokenFile == null || httpTokenFile.toString().isBlank()) {
            return null;
        }
        String token;
        try {
            java.util.List<String> lines = java.nio.file.Files.readAllLines(httpTokenFile, java.nio.charset.StandardCharsets.UTF_8);
            token = lines.isEmpty() ? "" : lines.get(0).strip();
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            throw new IllegalArgumentException("--http-token-file: cannot read " + httpTokenFile + " (" + e.getMessage() + ")", e);
        }
        if (token.isEmpty() || token.length() > 4096 || token.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("--http-token-file: " + httpTokenFile
                    + " must hold a token of 1 to 4096 characters without control characters on its first line");
        }
        return token;
    }

    /**
     * Whether {@code servers} reads as a ZooKeeper connect string: {@code host[:port]} entries
     * ({@code [::1]:2181} for IPv6), comma-separated, then an optional {@code /chroot}.
     */
    static boolean isConnectString(String servers) {
        int slash = servers.indexOf('/');
        String hosts = slash < 0 ? servers : servers.substring(0, slash);
        for (String entry : hosts.split(",", -1)) {
            String host = entry;
            int close = entry.lastIndexOf(']');
            int colon = entry.lastIndexOf(':');
            if (colon > close) {
                host = entry.substring(0, colon);
                if (!entry.substring(colon + 1).matches("[0-9]{1,5}")) {
                    return false;
                }
            }
            if (host.isEmpty() || !host.matches("\\[[0-9A-Fa-f:.]+\\]|[^\\[\\]:\\s]+")) {
                return false;
            }
        }
        return true;
    }

    /**
     * The cluster of {@code --zookeeper}, not started yet; null without it (an empty value, as the
     * sample configuration file has, is none).
     *
     * @throws IllegalArgumentException for a bad {@code --zookeeper}, {@code --cluster} or {@code --zk-session-timeout}
     */
    ZooKeeperLeadership leadership() {
        if (zookeeper == null || zookeeper.isBlank()) {
            return null;
        }
        String servers = zookeeper.strip();
        if (!isConnectString(servers)) {
            throw new IllegalArgumentException("--zookeeper must be HOST:PORT[,HOST:PORT...], e.g. zk1:2181,zk2:2181,zk3:2181: " + zookeeper);
        }
        String name = cluster == null || cluster.isBlank() ? ZooKeeperLeadership.DEFAULT_CLUSTER : cluster.strip();
        if (!name.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new IllegalArgumentException("--cluster must be 1 to 64 of A-Z a-z 0-9 _ . -: " + cluster);
        }
        if (zkSessionTimeout < 100) {
            throw new IllegalArgumentException("--zk-session-timeout must be at least 100 (ms): " + zkSessionTimeout);
        }
        return new ZooKeeperLeadership(servers, name, Duration.ofMillis(zkSessionTimeout));
    }

    /** Who the manager serves, in one line (docs/security.md). */
    static String securityLine(ManagerOptions options) {
        String trusted = options.trustedNetworks().isEmpty() ? "" : "; trusted without a token: " + String.join(",", options.trustedNetworks());
        if (options.authFile() != null) {
            return "authentication on: tokens from " + options.authFile() + " (SIGHUP reads it again)" + trusted;
        }
        return "protected mode: serving loopback" + (options.trustedNetworks().isEmpty() ? "" : " and " + String.join(",", options.trustedNetworks()))
                + " only; open it with --auth FILE or --trust CIDR (docs/security.md)";
    }

    /** A file option, or null when it is absent or empty ({@code "tls-cert ="} in a configuration file: none). */
    private static java.nio.file.Path orNone(java.nio.file.Path file) {
        return file == null || file.toString().isBlank() ? null : file;
    }

    /** Runs a manager with these options until it is stopped; the exit code. */
    Integer run(ManagerOptions options) throws InterruptedException {
        if (options.leadership() != null) {
            // Curator and ZooKeeper say every connection step at INFO; the manager logs what matters (its role).
            quietLogger("org.apache.zookeeper");
            quietLogger("org.apache.curator");
        }
        Manager manager = new Manager(options);
        try {
            manager.start();
        } catch (ProletariatManagerException e) {
            System.err.println("proletariat manager: " + e.getMessage());
            return Main.EXIT_UNAVAILABLE;
        }
        manager.addListener(new ManagerListener() {
            @Override
            public void sysmsg(SystemMessage message) {
                System.out.println("System message from " + message.from() + ": " + abbreviate(message.content()));
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(manager::close, "proletariat-shutdown"));
        reloadOnHangup(manager, options);
        java.net.InetSocketAddress bound = manager.address();
        String where = (bound.getAddress().isAnyLocalAddress() ? "*" : bound.getAddress().getHostAddress()) + ":" + bound.getPort();
        System.out.println("proletariat manager listening on " + where + " (" + manager.transport()
                + (options.tlsEnabled() ? ", TLS" + (options.tlsClientCa() != null ? " with client certificates" : "") : "")
                + (sacredGuarantees ? ", sacred guarantees" : "") + ")");
        if (options.leadership() != null) {
            System.out.println(clusterLine());
        }
        System.out.println(securityLine(options));
        java.net.InetSocketAddress http = manager.httpAddress();
        if (http != null) {
            String host = http.getAddress().getHostAddress();
            System.out.println("dashboard: " + (options.tlsEnabled() ? "https" : "http") + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + http.getPort() + "/");
        }
        System.out.flush();
        if (demo) {
            Demo.run(manager.address());
        }
        manager.awaitTermination();
        return 0;
    }

    /**
     * SIGHUP reads the authentication file and the TLS files again (open connections take their
     * principal's new roles; new connections get the new certificate); without either it reloads nothing, and no longer stops the JVM as it would by default (a `systemctl reload` must
     * not stop the manager). sun.misc.Signal, the JDK's one way to catch a signal, where the platform
     * has SIGHUP; its handler runs on a thread of the JVM's, so a bad file is reported there and
     * the certificate in use stays.
     */
    static void reloadOnHangup(Manager manager, ManagerOptions options) {
        boolean auth = options.authFile() != null;
        boolean tls = options.tlsEnabled();
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> {
                if (!auth && !tls) {
                    System.err.println("proletariat manager: SIGHUP: nothing to reload (no --auth, no --tls-cert/--tls-key)");
                    return;
                }
                if (auth) {
                    try {
                        int n = manager.reloadAuth();
                        System.out.println("proletariat manager: authentication file read again: " + n + " principals");
                    } catch (RuntimeException e) {
                        System.err.println("proletariat manager: " + e.getMessage() + "; the last good file still applies");
                    }
                }
                if (tls) {
                    try {
                        manager.reloadTls();
                    } catch (RuntimeException e) {
                        System.err.println("proletariat manager: SIGHUP: TLS not reloaded, the certificate in use stays: " + e.getMessage());
                    }
                }
            });
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            System.err.println("proletariat manager: no SIGHUP here (" + e.getMessage() + "): restart the manager to read new files");
        }
    }

    /** The start line of a manager of a cluster: which cluster, where ZooKeeper is, and that it stands by first. */
    String clusterLine() {
        String name = cluster == null || cluster.isBlank() ? ZooKeeperLeadership.DEFAULT_CLUSTER : cluster.strip();
        return "cluster " + name + " on ZooKeeper " + zookeeper.strip() + ": standing by until elected leader"
                + " (meanwhile peers are sent to the leader)";
    }

    /** Lowers a library's logger to warnings, unless a system property set its level already. */
    private static void quietLogger(String name) {
        String key = "org.slf4j.simpleLogger.log." + name;
        if (System.getProperty(key) == null) {
            System.setProperty(key, "warn");
        }
    }
}
