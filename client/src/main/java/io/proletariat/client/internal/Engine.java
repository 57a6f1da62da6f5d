package io.proletariat.client.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.proletariat.client.ConnectionException;
import io.proletariat.client.ConnectionListener;
import io.proletariat.client.ConnectionOptions;
import io.proletariat.client.ReconnectPolicy;
import io.proletariat.client.SystemMessageListener;
import io.proletariat.client.SystemMessageReceipt;
import io.proletariat.protocol.FromManager;
import io.proletariat.protocol.JsonWriter;
import io.proletariat.protocol.ProletariatException;
import io.proletariat.protocol.RawJson;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection engine a {@link io.proletariat.client.Client} and a {@link io.proletariat.worker.Worker}
 * both stand on: its own one-thread event loop, one connection to the manager at a time, the
 * {@link ReconnectPolicy}, system messages and pings, {@link ConnectionListener} events, and shutdown.
 * What is left to the participant on top ({@link Participant}) is its own concern: pushes and
 * results for a client, offers and works for a worker.
 *
 * <h2>Threads</h2>
 * Connection state, reconnecting and system messages are owned by {@link #loop()}; the
 * {@link Participant} is called there. Listeners, system-message listeners and futures run on the
 * {@code events} executor the participant supplies, never on the loop. {@link #start()},
 * {@link #systemMessage}, {@link #addConnectionListener} and {@link #shutdown} may be called from
 * any thread; the other methods only on the loop.
 */
public final class Engine {
    /** What the participant on top of the engine does; every method is called on the engine's loop. */
    public interface Participant {
        /** A TCP connection is up: send what starts the session (an offer, the pending pushes). */
        void onConnected();

        /** A frame from the manager that the engine does not handle itself (pings and system messages it does). */
        void onMessage(FromManager message);

        /** The connection was lost: forget what belonged to it. Reconnecting follows unless leaving. */
        void onDisconnected();

        /**
         * {@link ReconnectPolicy#maxRetries()} attempts in a row failed (code {@code ECONNREFUSED}), or the
         * manager refused the connection ({@code EAUTH}, {@code EPROTECTED}: retrying would not help).
         */
        void onGaveUp(ConnectionException cause);
    }

    private final Logger log;
    private final String name;
    /** The managers to try, in turn (one unless a cluster's were given). */
    private final List<Address> managers;
    private final ReconnectPolicy policy;
    /** How long the manager may stay silent, in ns; 0 for ever. */
    private final long silenceNanos;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Executor events;
    private final ObjectMapper mapper;
    private final Participant participant;
    private final Connection connection;
    private final SystemMessenger messenger;
    /** Sent first on every connection when set (docs/security.md). */
    private final String token;
    private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean started;
    private volatile boolean closed;

    // Owned by the loop.
    private boolean connecting;
    private boolean leaving;
    private int failedAttempts;
    private ScheduledFuture<?> retryTimer;
    private boolean readyOnThisConnection;
    private boolean everReady;
    /** The manager tried last, or connected to: an index into {@link #managers}. */
    private int current;
    /** Where a standby said the leader is: the next attempt goes there. */
    private Address redirect;
    /** This connection was answered ENOTLEADER: its end is no lost connection but a step to the leader. */
    private boolean redirectedHere;
    /** Redirects followed in a row: past a few (standbys disagreeing during an election) they count as failures. */
    private int redirectsInRow;
    /**
     * The attempt under way follows a standby's {@code ENOTLEADER}: when it fails (the leader named is
     * dead, or no leader is known), the policy's delay comes before the next attempt. The standby's
     * redirect resets the failed attempts:
     * without this delay it went round between the standbys and the dead leader as fast as the
     * sockets allowed until the next election (over 600 connections a second, each resending every
     * unanswered work).
     */
    private boolean afterStandby;
    private ScheduledFuture<?> silenceTimer;
    /** The manager refused this connection (EAUTH, EPROTECTED): when it closes, the participant gives up with this. */
    private ConnectionException refused;
    /** When the current connection was made ({@link System#nanoTime()}). */
    private long connectedAtNanos;
    /** A connection that ends sooner than this after it was made counts as a failed attempt, so that a manager closing at once is not hammered. */
    private static final long SHORT_LIVED_NANOS = TimeUnit.SECONDS.toNanos(1);

    /**
     * @param owner the participant's class: names the threads and the logger
     * @param indexDepth levels of each frame indexed in its one parsing pass: as deep as the
     *     participant reads, no deeper (a worker never looks inside work args)
     * @param events where listeners, system-message listeners and futures run
     */
    public Engine(Class<?> owner, String name, ConnectionOptions options, int indexDepth, Executor events, Participant participant) {
        this.log = LoggerFactory.getLogger(owner);
        this.name = name;
        this.managers = options.managers().stream().map(m -> Address.parse(m, ConnectionOptions.DEFAULT_PORT)).toList();
        this.policy = options.reconnectPolicy();
        this.silenceNanos = options.managerSilence().toNanos();
        ObjectMapper mapper = options.objectMapper();
        this.events = events;
        this.mapper = mapper;
        this.participant = participant;
        this.token = options.token();
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("proletariat-" + name + "-io", true),
                Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.loop = group.next();
        this.connection = new Connection(loop, (int) policy.connectTimeout().toMillis(), name, indexDepth, new Events(),
                options.tls() ? io.proletariat.protocol.Tls.clientContext(options.tlsCa(), options.tlsClientCert(), options.tlsClientKey()) : null);
        this.messenger = new SystemMessenger(connection, events, mapper);
    }

    /** The event loop that owns the connection and the participant's state. */
    public EventLoop loop() {
        return loop;
    }

    /** Starts connecting in the background (any thread). */
    public void start() {
        started = true;
        loop.execute(() -> {
            failedAttempts = 0;
            connectNow();
        });
    }

    /** True while a TCP connection is established. */
    public boolean isConnected() {
        return connection.isConnected();
    }

    /** True once {@link #shutdown} began. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Sends one frame holding a JSON object whose members {@code body} writes (loop only).
     *
     * @return false when not connected (nothing was sent)
     */
    public boolean send(Consumer<JsonWriter> body) {
        return connection.send(body);
    }

    /** Starts connecting again when the engine gave up or is idle and started (loop only). */
    public void ensureConnecting() {
        if (started && !connecting && !leaving && !closed && !connection.isConnected()) {
            failedAttempts = 0;
            connectNow();
        }
    }

    /**
     * The participant can work on this connection (a client at once, a worker when its offer was
     * accepted): listeners hear connected or reconnected (loop only).
     */
    public void ready() {
        if (readyOnThisConnection || redirectedHere) {
            return;
        }
        readyOnThisConnection = true;
        // Neither failedAttempts nor redirectsInRow: a client is ready as soon as the TCP (or TLS)
        // connection is up, a standby's too, and also one the manager refuses next (EAUTH, a missing
        // client certificate): reset here, a refused client retried forever, and a client sent round
        // between a standby naming a dead leader and that leader never moved on to the other managers.
        // They are reset once the manager answers (Events.onMessage, onRedirect) or the connection lasts.
        boolean again = everReady;
        everReady = true;
        fire(again ? ConnectionListener::onReconnected : ConnectionListener::onConnected);
    }

    /** The connection just lost was to a standby, which read nothing it was sent (loop only; in {@link Participant#onDisconnected()}). */
    public boolean wasRedirected() {
        return redirectedHere;
    }

    /** The participant is leaving: a lost connection is not made again (loop only). */
    public void leave() {
        leaving = true;
    }

    /** Adds a listener of connection events; it hears the events from now on (any thread). */
    public void addConnectionListener(ConnectionListener listener) {
        listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
    }

    /** Sets the listener for system messages sent to this participant (any thread). */
    public void onSystemMessage(SystemMessageListener listener) {
        messenger.listener(listener);
    }

    /**
     * Sends a system message (any thread): now when connected, else once connected. The future
     * completes on the events executor.
     *
     * @throws IllegalArgumentException when the content cannot be serialised
     */
    public CompletableFuture<SystemMessageReceipt> systemMessage(Object content, String to) {
        RawJson json = Json.toJson(mapper, content);
        CompletableFuture<SystemMessageReceipt> f = new CompletableFuture<>();
        try {
            loop.execute(() -> {
                if (closed) {
                    f.completeExceptionally(closedException());
                    return;
                }
                messenger.send(to, json, f);
                ensureConnecting();
            });
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(closedException());
        }
        return f;
    }

    /**
     * Shuts down for good: on the loop runs {@code onLoop} (the participant's last words), fails
     * pending system messages with {@code ECLOSED}, stops reconnecting, closes the connection once
     * what was written is sent and tells the listeners; then stops the loop. Waits up to a few
     * seconds unless called on the loop. Idempotent: false when it already ran.
     */
    public boolean shutdown(Runnable onLoop) {
        if (closed) {
            return false;
        }
        synchronized (this) {
            if (closed) {
                return false;
            }
            closed = true;
        }
        AtomicReference<ChannelFuture> closing = new AtomicReference<>();
        runOnLoopAndWait(() -> {
            try {
                onLoop.run();
            } finally {
                messenger.failAll(closedException());
                if (retryTimer != null) {
                    retryTimer.cancel(false);
                }
                stopWatchingSilence();
                closing.set(connection.close());
                fire(ConnectionListener::onClosed);
            }
        });
        // The socket is closed before the loop stops: Netty's loop, shut down while a write is still
        // pending, can end without closing its channels, leaving the socket open (found by the leak check).
        ChannelFuture socketClosed = closing.get();
        if (socketClosed != null && !loop.inEventLoop() && !socketClosed.awaitUninterruptibly(2, TimeUnit.SECONDS)) {
            socketClosed.channel().close().awaitUninterruptibly(1, TimeUnit.SECONDS); // the manager does not read
        }
        group.shutdownGracefully(socketClosed == null || socketClosed.isDone() ? 0 : 50, 2_000, TimeUnit.MILLISECONDS);
        if (!loop.inEventLoop()) {
            group.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        return true;
    }

    /** The {@code ECLOSED} exception of an operation the shutdown cut short. */
    public ConnectionException closedException() {
        return new ConnectionException(ConnectionException.ECLOSED, name + (name.equals("worker") ? " stopped" : " closed"));
    }

    /** A future's failure as a {@link ProletariatException}, for callbacks. */
    public static ProletariatException unwrap(Throwable e) {
        if (e == null) {
            return null;
        }
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return t instanceof ProletariatException ? (ProletariatException) t : new ProletariatException(null, t.toString(), t);
    }

    private void runOnLoopAndWait(Runnable task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            loop.execute(() -> {
                try {
                    task.run();
                } finally {
                    done.complete(null);
                }
            });
            if (!loop.inEventLoop()) {
                done.get(5, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            log.debug("{} shutdown: {}", name, e.toString());
        }
    }

    private void fire(Consumer<ConnectionListener> event) {
        if (listeners.isEmpty()) {
            return;
        }
        try {
            events.execute(() -> {
                for (ConnectionListener l : listeners) {
                    try {
                        event.accept(l);
                    } catch (RuntimeException e) {
                        log.warn("connection listener failed", e);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            log.debug("{}: the events executor refused a connection event", name);
        }
    }

    private void connectNow() {
        if (closed) {
            return;
        }
        connecting = true;
        connection.connect(target());
    }

    /** Where the next attempt goes: the leader a standby named, else the manager in turn. */
    private Address target() {
        if (redirect != null) {
            return redirect;
        }
        return managers.get(current);
    }

    /** The manager connected to, or tried last, for messages. */
    private String address() {
        return target().toString();
    }

    /** Watches for a manager gone silent: a ping after a third of the silence allowed, a new connection after all of it. */
    private void watchSilence() {
        if (silenceNanos == 0) {
            return;
        }
        long every = Math.max(10_000_000L, silenceNanos / 3);
        silenceTimer = loop.scheduleAtFixedRate(() -> {
            if (!connection.isConnected()) {
                return;
            }
            long quiet = System.nanoTime() - connection.lastHeardNanos;
            if (quiet >= silenceNanos) {
                log.warn("{}: the manager at {} said nothing for {} ms; connecting again", name, address(), quiet / 1_000_000);
                connection.drop();
            } else if (quiet >= every) {
                connection.send(w -> w.name("command").value("ping"));
            }
        }, every, every, TimeUnit.NANOSECONDS);
    }

    private void stopWatchingSilence() {
        if (silenceTimer != null) {
            silenceTimer.cancel(false);
            silenceTimer = null;
        }
    }

    private final class Events implements Connection.Listener {
        @Override
        public void onConnected() {
            connecting = false;
            redirectedHere = false;
            refused = null;
            afterStandby = false;
            connectedAtNanos = System.nanoTime();
            log.debug("{} connected to the manager at {}", name, address());
            watchSilence();
            if (token != null) {
                // Before anything else: a manager with authentication on reads nothing else first.
                connection.send(w -> w.name("command").value("auth").name("token").value(token));
            }
            participant.onConnected();
            messenger.onConnected();
        }

        @Override
        public void onMessage(FromManager message) {
            redirectsInRow = 0; // a frame that is no redirect: this manager serves
            failedAttempts = 0; // and the attempt succeeded (a refusal comes to onRefused instead)
            if (message instanceof FromManager.Ping) {
                messenger.onPing();
            } else if (message instanceof FromManager.Sysmsg m) {
                messenger.onSysmsg(m);
            } else if (message instanceof FromManager.SysmsgAnswer a) {
                messenger.onCompletion(a);
            } else if (message instanceof FromManager.Other o && "answer".equals(o.command()) && o.fields().get("to") != null
                    && "ping".equals(o.fields().get("to").asText())) {
                // The answer to our ping: the manager is there.
            } else if (message instanceof FromManager.Other o && "answer".equals(o.command()) && o.fields().get("to") != null
                    && "auth".equals(o.fields().get("to").asText())) {
                log.debug("{} authenticated at {}: {}", name, address(), o.fields().get("principal"));
            } else {
                participant.onMessage(message);
            }
        }

        @Override
        public void onRedirect(String leader) {
            redirectedHere = true;
            // A standby that answers is a manager that works: during an election the standbys redirect
            // for seconds, and a client must not give up then (redirectsInRow bounds the round trips).
            failedAttempts = 0;
            Address to = null;
            if (leader != null) {
                try {
                    to = Address.parse(leader, ConnectionOptions.DEFAULT_PORT);
                } catch (IllegalArgumentException e) {
                    log.warn("{}: the standby at {} named a leader that is not an address: {}", name, address(), leader);
                }
            }
            log.info("{}: the manager at {} is a standby; {}", name, address(), to != null ? "the leader is at " + to : "no leader is known yet");
            redirect = to;
        }

        @Override
        public void onRefused(String code, String description) {
            // Final for this token and address: retrying would be refused the same way, so the participant
            // gives up once the manager closes (a client fails its pending calls with this code, a worker stops).
            log.error("{}: the manager at {} refused this connection: {} {}", name, address(), code, description);
            refused = new ConnectionException(code, "the manager at " + address() + " refused this connection: " + code + " " + description);
            connection.drop();
        }

        @Override
        public void onDisconnected() {
            stopWatchingSilence();
            participant.onDisconnected();
            messenger.onDisconnected();
            boolean wasReady = readyOnThisConnection;
            if (wasReady) {
                readyOnThisConnection = false;
                fire(ConnectionListener::onDisconnected);
            }
            if (closed) {
                return;
            }
            if (leaving) {
                connecting = false;
                return; // leaving: the manager requeued whatever ran here
            }
            if (refused != null) {
                ConnectionException e = refused;
                refused = null;
                redirectedHere = false;
                connecting = false;
                failedAttempts = 0;
                participant.onGaveUp(e);
                messenger.failAll(e);
                return;
            }
            if (redirectedHere) {
                redirectedHere = false;
                connecting = true;
                afterStandby = true;
                if (redirect != null && ++redirectsInRow <= 2 * managers.size() + 2) {
                    connectNow(); // straight to the leader
                } else {
                    redirect = null;
                    onConnectFailed(new ConnectionException(ConnectionException.ECONNLOST, "the manager is a standby and knows no leader"));
                }
                return;
            }
            if (!wasReady || System.nanoTime() - connectedAtNanos < SHORT_LIVED_NANOS) {
                // Closed before the participant was ready (a manager at its connection limit, say), or
                // at once (a standby whose redirect was lost in a reset): a failed attempt, so that a
                // manager that closes at once is not hammered.
                connecting = true;
                onConnectFailed(new ConnectionException(ConnectionException.ECONNLOST, "the manager closed the connection at once"));
                return;
            }
            redirectsInRow = 0; // it served for a while
            failedAttempts = 0;
            log.info("{} lost the connection to the manager at {}; reconnecting", name, address());
            if (managers.size() > 1 || redirect != null) {
                redirect = null; // the leader may be gone: start the round with the next one
                current = (current + 1) % managers.size();
            }
            connectNow();
        }

        @Override
        public void onConnectFailed(Throwable cause) {
            boolean deadEnd = afterStandby;
            afterStandby = false;
            failedAttempts++;
            String tried = address();
            if (redirect != null) {
                redirect = null; // the named leader did not answer: back to the list
            } else {
                current = (current + 1) % managers.size();
            }
            if (closed) {
                return;
            }
            if (failedAttempts > policy.maxRetries()) {
                connecting = false;
                ConnectionException e = new ConnectionException(ConnectionException.ECONNREFUSED, "cannot connect to the manager"
                        + (managers.size() > 1 ? "s at " + managers : " at " + tried) + " after " + failedAttempts + " attempts ("
                        + cause + "); check that it is running there", cause);
                log.warn("{}", e.getMessage());
                participant.onGaveUp(e);
                messenger.failAll(e);
                return;
            }
            // The others of a cluster are tried at once; the policy's delay comes after each full round,
            // and after a standby's redirect that led nowhere (see afterStandby).
            long delay = managers.size() > 1 && failedAttempts % managers.size() != 0 ? 0
                    : policy.delayMillis(managers.size() > 1 ? failedAttempts / managers.size() : failedAttempts);
            if (deadEnd) {
                delay = Math.max(delay, policy.delayMillis(1));
            }
            log.debug("{} cannot connect to the manager at {} ({}); retry {} of {} in {} ms", name, tried,
                    cause.toString(), failedAttempts, policy.maxRetries(), delay);
            retryTimer = loop.schedule(() -> {
                retryTimer = null;
                if (!leaving) {
                    connectNow();
                } else {
                    connecting = false;
                }
            }, delay, TimeUnit.MILLISECONDS);
        }
    }
}
