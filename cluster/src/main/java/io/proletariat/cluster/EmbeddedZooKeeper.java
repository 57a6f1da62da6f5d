package io.proletariat.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.zookeeper.server.NIOServerCnxnFactory;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZKDatabase;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.apache.zookeeper.server.persistence.FileTxnSnapLog;

/**
 * A standalone ZooKeeper server in this JVM, for development: {@code proletariat zookeeper} runs one
 * so that three managers on one laptop can elect a leader. Not for production: one server is no
 * quorum, so when it stops the managers lose their election.
 *
 * <p>It is ZooKeeper's own server ({@link ZooKeeperServer} behind an {@link NIOServerCnxnFactory},
 * the pieces {@code zkServer.sh start-foreground} runs in standalone mode), with a tick of
 * {@value #TICK_TIME_MILLIS} ms, so clients get session timeouts between 4 s and 40 s. It starts no
 * admin server (HTTP, Jetty) and no container-node reaper (empty container znodes stay until
 * deleted). Besides the ZooKeeper client's jars the server needs {@code metrics-core} and
 * {@code snappy-java}, which ZooKeeper declares provided; this module brings them (see its pom).
 *
 * <p>Address. It listens on {@value #DEFAULT_BIND_ADDRESS} (loopback) unless told otherwise; to let
 * managers on other machines reach it, bind it to an address of theirs, or to {@code 0.0.0.0} for
 * every interface. The server has no authentication: whoever reaches the port can read and change
 * the election. Port 0 picks a free port ({@link #port()} tells which).
 *
 * <p>Data. The snapshots and the transaction log go to the directory given, where a later server
 * finds them again; without one, to a temporary directory deleted by {@link #close()}.
 *
 * <p>Threads. {@link #start} returns once the server accepts connections; the server runs on its own
 * threads (ZooKeeper's: accept, selector, workers, request processors, session tracker) until
 * {@link #close()}, which stops every one of them and closes every socket. Several servers may run
 * in one JVM. Thread-safe.
 */
public final class EmbeddedZooKeeper implements AutoCloseable {
    /** ZooKeeper's usual client port. */
    public static final int DEFAULT_PORT = 2181;
    /** The address it listens on when none is given: loopback only. */
    public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
    /** ZooKeeper's time unit (its sample configuration's): sessions may last 2 to 20 ticks. */
    static final int TICK_TIME_MILLIS = 2_000;
    /** Connections from one address (ZooKeeper's default). */
    static final int MAX_CONNECTIONS_PER_HOST = 60;
    /** How long {@link #close()} waits for ZooKeeper's threads. */
    private static final long JOIN_MILLIS = 10_000;

    private final ServerCnxnFactory connections;
    private final Server server;
    private final FileTxnSnapLog snapLog;
    private final Path dataDirectory;
    private final boolean temporary;
    private final InetSocketAddress address;
    private boolean closed;

    private EmbeddedZooKeeper(ServerCnxnFactory connections, Server server, FileTxnSnapLog snapLog, Path dataDirectory, boolean temporary) {
        this.connections = connections;
        this.server = server;
        this.snapLog = snapLog;
        this.dataDirectory = dataDirectory;
        this.temporary = temporary;
        this.address = connections.getLocalAddress();
    }

    /**
     * Starts a server on {@value #DEFAULT_BIND_ADDRESS}, a free port, and a temporary directory: what tests want.
     *
     * @throws IOException when it cannot listen or write its data
     */
    public static EmbeddedZooKeeper start() throws IOException {
        return start(null, 0, null);
    }

    /**
     * Starts a server and returns once it accepts connections.
     *
     * @param bindAddress the address to listen on; null for {@value #DEFAULT_BIND_ADDRESS}
     * @param port the port, 0 for a free one
     * @param dataDirectory where the data is kept (created if missing); null for a temporary
     *     directory deleted at {@link #close()}
     * @throws java.net.BindException when the port is taken or the address is not this machine's
     * @throws IOException when it cannot listen or cannot read or write its data
     * @throws IllegalArgumentException for a port outside 0..65535
     */
    public static EmbeddedZooKeeper start(String bindAddress, int port, Path dataDirectory) throws IOException {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be between 0 and 65535: " + port);
        }
        InetSocketAddress bind = new InetSocketAddress(
                InetAddress.getByName(bindAddress == null || bindAddress.isBlank() ? DEFAULT_BIND_ADDRESS : bindAddress.strip()), port);
        boolean temporary = dataDirectory == null;
        Path data = temporary ? Files.createTempDirectory("proletariat-zookeeper-") : Files.createDirectories(dataDirectory);
        ServerCnxnFactory connections = new NIOServerCnxnFactory();
        FileTxnSnapLog snapLog = null;
        try {
            // Listening first: a second server on the same port fails before it touches the data.
            connections.configure(bind, MAX_CONNECTIONS_PER_HOST, -1, false);
            snapLog = new FileTxnSnapLog(data.toFile(), data.toFile());
            Server server = new Server(snapLog);
            connections.startup(server); // loads the data, then serves
            return new EmbeddedZooKeeper(connections, server, snapLog, data, temporary);
        } catch (IOException | RuntimeException | Error e) {
            stop(connections, snapLog);
            if (temporary) {
                deleteTree(data, e);
            }
            throw e;
        } catch (InterruptedException e) {
            stop(connections, snapLog);
            if (temporary) {
                deleteTree(data, e);
            }
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while ZooKeeper was starting", e);
        }
    }

    /** The address it listens on, with the port it got. */
    public InetSocketAddress address() {
        return address;
    }

    /** The port it listens on. */
    public int port() {
        return address.getPort();
    }

    /**
     * The connect string clients on this machine pass to ZooKeeper or Curator, {@code 127.0.0.1:2181}:
     * loopback when it listens on every interface, else the address it listens on.
     */
    public String connectString() {
        InetAddress host = address.getAddress();
        String name = host.isAnyLocalAddress() ? DEFAULT_BIND_ADDRESS : host.getHostAddress();
        return (name.contains(":") ? "[" + name + "]" : name) + ":" + address.getPort();
    }

    /** The directory of its snapshots and transaction log. */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /** Whether {@link #dataDirectory()} is a temporary directory, deleted at {@link #close()}. */
    public boolean temporaryData() {
        return temporary;
    }

    /** Whether it is serving: false once it was closed or failed (ZooKeeper logged why). */
    public boolean isRunning() {
        return server.isRunning();
    }

    /**
     * Blocks until the server stops: closed from another thread, or failed (its data could not be
     * written, for example); then {@link #isRunning()} is false. Call {@link #close()} after a failure
     * to release the rest.
     */
    public void awaitTermination() throws InterruptedException {
        server.stopped.await();
    }

    /**
     * Stops the server: closes every client connection and the listening socket, waits for
     * ZooKeeper's threads to end, and deletes the data directory if it was temporary. Takes up to a
     * tick ({@value #TICK_TIME_MILLIS} ms): ZooKeeper's session tracker only looks whether to stop
     * once a tick. Idempotent.
     *
     * @throws UncheckedIOException when the temporary data directory cannot be deleted
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        stop(connections, snapLog);
        if (temporary) {
            deleteTree(dataDirectory, null);
        }
    }

    @Override
    public String toString() {
        return "EmbeddedZooKeeper[" + connectString() + ", data " + dataDirectory + "]";
    }

    /** Stops the connections, the server behind them and its log, and waits for their threads. */
    private static void stop(ServerCnxnFactory connections, FileTxnSnapLog snapLog) {
        ZooKeeperServer server = connections.getZooKeeperServer();
        connections.shutdown(); // also shuts the server down
        if (server != null) {
            server.shutdown(); // in case the factory had none yet, or failed before its own call
        }
        try {
            connections.join();
            if (server instanceof Server ours) {
                ours.joinThreads();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (snapLog != null) {
            try {
                snapLog.close();
            } catch (IOException e) {
                // Already flushed by the server's shutdown; nothing more can be saved.
            }
        }
    }

    /** Deletes a directory tree; a failure is added to {@code cause} when there is one (a failed start), else thrown. */
    private static void deleteTree(Path dir, Throwable cause) {
        try (Stream<Path> tree = Files.walk(dir)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            if (cause != null) {
                cause.addSuppressed(e);
            } else {
                throw new UncheckedIOException("cannot delete ZooKeeper's temporary directory " + dir, e);
            }
        }
    }

    /**
     * ZooKeeper's server, telling when it stops: ZooKeeper reports a fatal error in one of its
     * threads only through this state change (its own main registers a package-private handler).
     */
    private static final class Server extends ZooKeeperServer {
        final CountDownLatch stopped = new CountDownLatch(1);

        Server(FileTxnSnapLog snapLog) {
            // -1, -1: session timeouts of 2 and 20 ticks; -1: the JVM's listen backlog.
            super(snapLog, TICK_TIME_MILLIS, -1, -1, -1, new ZKDatabase(snapLog), "");
        }

        @Override
        protected void setState(State state) {
            super.setState(state);
            if (state == State.ERROR || state == State.SHUTDOWN) {
                stopped.countDown();
            }
        }

        /**
         * Waits for the session tracker's and the first request processor's threads: {@code shutdown()}
         * tells them to stop but does not wait for them (it does for the others). Not called from
         * {@code shutdown()}, which holds the server's lock.
         */
        void joinThreads() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_MILLIS);
            for (Object part : new Object[] {sessionTracker, firstProcessor}) {
                if (part instanceof Thread thread) {
                    thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                }
            }
        }
    }
}
