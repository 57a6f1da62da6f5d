package io.proletariat.manager;

import io.proletariat.manager.internal.ManagerServer;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * The proletariat manager: accepts workers and clients on one TCP port, queues works by priority,
 * hands them to workers with free slots, and relays results, aborts and system messages. It speaks
 * the original node.js protocol, so original workers and clients (0.3 and 0.4) can use it.
 *
 * <p>All scheduling runs on one dispatch thread; frames are decoded on I/O threads; listeners run
 * on an event thread of their own. Thread-safe.
 *
 * <pre>{@code
 * try (Manager manager = new Manager(ManagerOptions.builder().port(1917).build()).start()) {
 *     manager.addListener(new ManagerListener() {
 *         public void sysmsg(SystemMessage msg) { System.out.println("System message: " + msg.content()); }
 *     });
 *     manager.awaitTermination(); // or keep serving while the application runs
 * }
 * }</pre>
 */
public final class Manager implements AutoCloseable {
    private final ManagerOptions options;
    private volatile ManagerServer server;
    private final java.util.List<ManagerListener> pendingListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.concurrent.CountDownLatch terminated = new java.util.concurrent.CountDownLatch(1);
    private volatile Throwable fatalError;

    /** A manager with the default options (port 1917, every interface). */
    public Manager() {
        this(ManagerOptions.defaults());
    }

    /** A manager with these options; nothing is bound until {@link #start()}. */
    public Manager(ManagerOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * Binds the port and starts serving; returns once connections are accepted.
     *
     * @throws IllegalStateException if already started
     * @throws ProletariatManagerException if the port, or the HTTP port when
     *     {@link ManagerOptions#httpEnabled() enabled}, cannot be bound
     */
    public synchronized Manager start() {
        if (server != null) {
            throw new IllegalStateException("manager already started");
        }
        try {
            ManagerServer s = ManagerServer.start(options, this::failed);
            pendingListeners.forEach(s::addListener);
            server = s;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProletariatManagerException(ProletariatManagerException.EINTERRUPTED, "interrupted while starting the manager", e);
        } catch (ProletariatManagerException e) {
            throw e; // the HTTP listener's, which names its own port
        } catch (Exception e) { // Netty's bind throws its IOException undeclared
            String where = (options.bindAddress() == null ? "*" : options.bindAddress()) + ":" + options.port();
            String why = String.valueOf(e.getMessage());
            if (why.contains("Address already in use")) {
                why = "the port is taken (is another manager running? choose another with --port)";
            } else if (why.contains("Cannot assign requested address")) {
                why = "no interface of this machine has that address (check --bind)";
            }
            throw new ProletariatManagerException(ProletariatManagerException.ELISTEN, "cannot listen on " + where + ": " + why, e);
        }
        return this;
    }

    /**
     * Reads the authentication file ({@link ManagerOptions#authFile()}) again, as on SIGHUP: new and
     * changed principals apply to new connections, new roles to open ones too, and connections of a
     * principal removed or whose token changed are closed with {@code EAUTH}.
     *
     * @return the number of principals read
     * @throws ProletariatManagerException {@code EAUTHFILE} when the file cannot be read or is invalid; nothing changes then
     * @throws IllegalStateException when authentication is off, or the manager is not running
     */
    public int reloadAuth() {
        return running().reloadAuth();
    }

    /** The options it was made with. */
    public ManagerOptions options() {
        return options;
    }

    /** The address actually bound (useful with port 0). */
    public InetSocketAddress address() {
        return running().localAddress();
    }

    /** The port actually bound. */
    public int port() {
        return address().getPort();
    }

    /**
     * The HTTP listener's bound address ({@code /api/status}, {@code /metrics}, the dashboard at
     * {@code /}), or null when it is off, as it is unless {@link ManagerOptions.Builder#httpPort(int)}
     * turned it on. With {@code httpPort(0)} this tells the port chosen.
     */
    public InetSocketAddress httpAddress() {
        return running().httpAddress();
    }

    /** "epoll" (Linux native transport) or "nio". */
    public String transport() {
        return running().transport();
    }

    /** Registers a listener for the manager's events; may be called before or after {@link #start()}. */
    public void addListener(ManagerListener listener) {
        Objects.requireNonNull(listener, "listener");
        pendingListeners.add(listener);
        ManagerServer s = server;
        if (s != null) {
            s.addListener(listener);
        }
    }

    /** Unregisters a listener: it gets no more events. */
    public void removeListener(ManagerListener listener) {
        pendingListeners.remove(listener);
        ManagerServer s = server;
        if (s != null) {
            s.removeListener(listener);
        }
    }

    /**
     * The manager's load and health, read together on the dispatch thread: cheaper than
     * {@link #stats()}, for embedding code and tests that wait for a state.
     *
     * @param queuedWorks works waiting in the queues (not on hold, not yet assigned)
     * @param runningWorks works assigned to or running on workers
     * @param liveWorks every work the manager still holds: queued, on hold, assigned or running
     * @param connections open connections of every kind
     * @param unexpectedErrors exceptions that escaped the manager's handlers and timers since it
     *     started (each logged at WARN, its connection closed): a bug, 0 in a healthy manager
     */
    public record Counts(long queuedWorks, long runningWorks, long liveWorks, int connections, long unexpectedErrors) {
    }

    /** The manager's {@link Counts}, in one round trip to its dispatch thread. */
    public Counts counts() {
        return running().counts();
    }

    /** Where this manager stands: {@link ClusterRole#ALONE}, or leader or standby of its cluster. */
    public ClusterRole role() {
        return running().role();
    }

    /** Works waiting in the queues: {@code counts().queuedWorks()}. */
    public long queuedWorks() {
        return counts().queuedWorks();
    }

    /** Works assigned to or running on workers: {@code counts().runningWorks()}. */
    public long runningWorks() {
        return counts().runningWorks();
    }

    /** Every work the manager still holds: {@code counts().liveWorks()}. */
    public long liveWorks() {
        return counts().liveWorks();
    }

    /** Open connections of every kind: {@code counts().connections()}. */
    public int connections() {
        return counts().connections();
    }

    /**
     * One live work, as the operator's {@code works} command lists it (docs/protocol.md, "Operator
     * commands").
     *
     * @param id the work's id
     * @param requestId its request's id, as its client sent it
     * @param client its client's connection id
     * @param worker the connection id of the worker that holds it, or null
     * @param type its work type, or null for an untyped work
     * @param priority its priority
     * @param state where it is: {@code queued}, {@code held}, {@code delayed}, {@code running}...
     * @param ageMillis how long since it was pushed
     */
    public record LiveWork(String id, String requestId, String client, String worker, String type, int priority,
                           String state, long ageMillis) {
    }

    /**
     * The live works that match every filter given ({@code null}: any), oldest first, at most
     * {@code limit} (1 to 10,000); with {@code running}, only works on workers. What
     * {@code proletariat works} prints.
     */
    public List<LiveWork> works(String client, String worker, String type, boolean running, int limit) {
        return running().works(client, worker, type, running, limit);
    }

    /**
     * Cancels a live work, or every live work of the pending requests with this id, as
     * {@code proletariat cancel} does: queued works are dropped, running ones aborted on their
     * workers, and their clients get {@code ECANCELED}. Returns how many works it cancelled (0 for an
     * id that is unknown or already ended).
     */
    public int cancel(String id) {
        return running().cancel(id);
    }

    /**
     * Sets how many works of a work type may run at once over all workers, as {@code proletariat
     * limit TYPE=MAX} does; {@code null} removes the limit. A raised limit releases waiting works at once.
     *
     * @throws IllegalArgumentException for a type name or a max out of range
     */
    public void limit(String type, Integer max) {
        running().limit(type, max == null ? -1 : max);
    }

    /**
     * A consistent snapshot of the manager: queues, workers, clients, counters, rates, latency
     * histograms and recent errors. Cheap enough to call every second.
     */
    public ManagerStats stats() {
        return running().stats();
    }

    /**
     * After a fatal {@link Error} on the dispatch core or an I/O thread (out of memory, a
     * {@link WorkSelector} throwing one) when the options do not {@link ManagerOptions#exitOnFatalError()
     * exit the process}: the manager stops, as by {@link #close()}, on a thread of its own.
     */
    private void failed(Throwable error) {
        fatalError = error;
        Thread stopper = new Thread(this::close, "proletariat-fatal-stop");
        stopper.setDaemon(true);
        stopper.start();
    }

    /** The fatal error that stopped this manager (see {@link ManagerOptions#exitOnFatalError()}), or null. */
    public Throwable fatalError() {
        return fatalError;
    }

    /** Blocks until {@link #close()} is called from another thread, or the manager stopped after a fatal error. */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    /**
     * Reads the TLS certificate, key and client CA files again ({@link ManagerOptions.Builder#tls}); new
     * connections use them, open ones keep theirs. The daemon does this on SIGHUP.
     *
     * @throws IllegalArgumentException when a file is missing or bad: the old certificate stays
     * @throws IllegalStateException when the manager is not started or TLS is off
     */
    public void reloadTls() {
        running().reloadTls();
    }

    /** Closes every connection and stops the manager's threads. Idempotent. */
    @Override
    public synchronized void close() {
        ManagerServer s = server;
        if (s != null) {
            s.stop();
        }
        terminated.countDown();
    }

    private ManagerServer running() {
        ManagerServer s = server;
        if (s == null) {
            throw new IllegalStateException("manager not started");
        }
        return s;
    }
}
