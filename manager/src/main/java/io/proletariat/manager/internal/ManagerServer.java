package io.proletariat.manager.internal;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.proletariat.manager.ManagerListener;
import io.proletariat.manager.ManagerOptions;
import io.proletariat.manager.ManagerStats;
import io.proletariat.manager.internal.http.HttpServer;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** The running manager: Netty transport around one {@link DispatchCore}. Used through {@code Manager}. */
public final class ManagerServer {
    /**
     * Per-connection write buffer marks: above the high mark a channel turns unwritable and the
     * manager stops reading from it until it drains below the low mark (backpressure, see
     * {@code ManagerChannelHandler#channelWritabilityChanged}).
     */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(512 * 1024, 2 * 1024 * 1024);

    private final ManagerOptions options;
    private final EventLoopGroup ioGroup;
    /** The dispatch core's thread: one of the I/O loops when ioThreads is 1, else a loop of its own. */
    private final EventLoop coreLoop;
    private final DefaultEventLoop ownCoreLoop;
    private final DispatchCore core;
    private final Channel serverChannel;
    private final String transport;
    /** The HTTP listener, or null when {@link ManagerOptions#httpEnabled()} is false. */
    private final HttpServer httpServer;
    /** The HTTP listener's thread, apart from the dispatch core's; null when HTTP is off. */
    private final EventLoopGroup httpGroup;
    /** TLS for the protocol port and the HTTP listener; null when off. */
    private final ServerTls tls;

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ManagerServer.class);
    /** Once a fatal error was handled: later ones (other threads failing alike) change nothing. */
    private final java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
    /** What an embedding {@code Manager} does after a fatal error when the process is not to exit. */
    private final java.util.function.Consumer<Throwable> onFatal;

    private ManagerServer(ManagerOptions options, java.util.function.Consumer<Throwable> onFatal) throws InterruptedException {
        this.options = options;
        this.onFatal = onFatal;
        io.proletariat.manager.internal.auth.AuthFile auth = options.authFile() == null ? null : readAuth(options);
        this.tls = options.tlsEnabled() ? new ServerTls(options) : null; // before any thread starts: a bad file fails here
        HttpServer.checkExposure(options);
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        this.transport = epoll ? "epoll" : "nio";
        this.ioGroup = new MultiThreadIoEventLoopGroup(options.ioThreads(), new DefaultThreadFactory("proletariat-io", true), io);
        // Status and metrics are formatted on a thread of their own, never on the dispatch core's.
        this.httpGroup = options.httpEnabled()
                ? new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("proletariat-http", true), io)
                : null;
        if (options.ioThreads() == 1) {
            this.ownCoreLoop = null;
            this.coreLoop = ioGroup.next();
        } else {
            this.ownCoreLoop = new DefaultEventLoop(new DefaultThreadFactory("proletariat-core", true));
            this.coreLoop = ownCoreLoop;
        }
        this.core = new DispatchCore(coreLoop, options);
        core.auth = auth;
        core.onFatal = this::fatal;
        try {
            ServerBootstrap b = new ServerBootstrap()
                    .group(ioGroup)
                    .channel(channelType)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.SO_KEEPALIVE, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                    .childHandler(new ManagerChannelInitializer(core, options.maxFrameLength(), tls));
            InetSocketAddress address = options.bindAddress() == null
                    ? new InetSocketAddress(options.port())
                    : new InetSocketAddress(options.bindAddress(), options.port());
            coreLoop.execute(core::start);
            this.serverChannel = b.bind(address).sync().channel();
            try {
                this.httpServer = options.httpEnabled()
                        ? HttpServer.start(httpGroup, channelType, options, this::statsAsync,
                                new HttpServer.ManagerInfo(localAddress(), transport, options), tls, new Operator())
                        : null;
            } catch (RuntimeException e) {
                serverChannel.close().syncUninterruptibly();
                throw e;
            }
            if (options.leadership() != null) {
                // Role changes come from the leadership's threads; the core takes them in order on its own.
                options.leadership().start(advertisedAddress(), role -> coreLoop.execute(core.guarded(() -> core.role(role))));
            }
        } catch (Exception e) { // also the IOException Netty throws undeclared from bind(..).sync()
            shutdownLoops();
            throw e;
        }
    }

    /** Reads the authentication file, or says why it cannot ({@code EAUTHFILE}). */
    private static io.proletariat.manager.internal.auth.AuthFile readAuth(ManagerOptions options) {
        try {
            return io.proletariat.manager.internal.auth.AuthFile.read(options.authFile());
        } catch (java.io.IOException | RuntimeException e) {
            String why = e instanceof java.nio.file.NoSuchFileException ? options.authFile() + ": no such file" : e.getMessage();
            throw new io.proletariat.manager.ProletariatManagerException(io.proletariat.manager.ProletariatManagerException.EAUTHFILE,
                    "cannot read the authentication file: " + why, e);
        }
    }

    /**
     * Reads the authentication file again and hands it to the core (docs/security.md); an unreadable
     * or invalid file changes nothing and throws {@code EAUTHFILE}.
     *
     * @return the number of principals read
     */
    public int reloadAuth() {
        if (options.authFile() == null) {
            throw new IllegalStateException("authentication is off: there is no file to read again");
        }
        io.proletariat.manager.internal.auth.AuthFile file = readAuth(options);
        coreLoop.execute(core.guarded(() -> core.authReloaded(file)));
        return file.principals().size();
    }

    /** Binds and starts a manager; returns once it accepts connections. */
    public static ManagerServer start(ManagerOptions options) throws InterruptedException {
        return new ManagerServer(options, e -> { });
    }

    /**
     * Binds and starts a manager; {@code onFatal} is called once, on the failing thread, after an
     * {@link Error} on the dispatch core or an I/O thread, unless the options say to exit the process.
     */
    public static ManagerServer start(ManagerOptions options, java.util.function.Consumer<Throwable> onFatal) throws InterruptedException {
        return new ManagerServer(options, onFatal);
    }

    /**
     * An {@link Error} (out of memory, a broken {@code WorkSelector}) on the core or an I/O thread: the
     * state of the dispatch core cannot be trusted and the thread may be gone, which would leave a
     * manager that listens and answers nothing. Logs it and, with {@code exitOnFatalError}, ends the
     * process at once (shutdown hooks would wait for the very thread that failed); else tells the
     * embedding {@code Manager}, which stops.
     */
    private void fatal(Throwable e) {
        if (!failed.compareAndSet(false, true)) {
            return;
        }
        String thread = Thread.currentThread().getName();
        try {
            log.error("fatal error on thread {}", thread, e);
            log.error("the manager cannot go on after a fatal error on thread {} ({}): {}", thread, e,
                    options.exitOnFatalError() ? "exiting with code " + ManagerOptions.FATAL_ERROR_EXIT_CODE : "stopping it");
            System.err.flush();
        } catch (Throwable ignored) {
            // Out of memory even for the log line: exit or stop all the same.
        }
        if (options.exitOnFatalError()) {
            Runtime.getRuntime().halt(ManagerOptions.FATAL_ERROR_EXIT_CODE);
        }
        try {
            onFatal.accept(e);
        } catch (Throwable ignored) {
            // Nothing more to do on a failing thread.
        }
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /**
     * The address a leader publishes for the standbys' redirects: the one configured, else the bound
     * address, or this host's name when bound to every interface.
     */
    String advertisedAddress() {
        if (options.advertisedAddress() != null) {
            return options.advertisedAddress();
        }
        InetSocketAddress bound = localAddress();
        String host;
        if (bound.getAddress().isAnyLocalAddress()) {
            try {
                host = java.net.InetAddress.getLocalHost().getCanonicalHostName();
            } catch (java.net.UnknownHostException e) {
                host = "localhost";
            }
        } else {
            host = bound.getAddress().getHostAddress();
        }
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + bound.getPort();
    }

    /** Where this manager stands in its cluster (the last role the core took; readable after stop too). */
    public io.proletariat.manager.ClusterRole role() {
        return core.role;
    }

    /** The HTTP listener's bound address, or null when it is off. */
    public InetSocketAddress httpAddress() {
        return httpServer == null ? null : httpServer.localAddress();
    }

    /**
     * Reads the TLS certificate, key and client CA files again; new connections use them, open ones
     * keep theirs. On a bad file nothing changes and the {@link IllegalArgumentException} says why.
     *
     * @throws IllegalStateException when TLS is off
     */
    public void reloadTls() {
        if (tls == null) {
            throw new IllegalStateException("TLS is off: no --tls-cert/--tls-key to reload");
        }
        tls.reload();
        log.info("TLS certificate reloaded from {} and {}", options.tlsCert(), options.tlsKey());
    }

    /** The verified client certificate's subject (mutual TLS) of each open connection, by id; for tests. */
    java.util.Map<String, String> certificateSubjects() {
        return query(() -> {
            java.util.Map<String, String> m = new java.util.TreeMap<>();
            core.connections.forEach((id, c) -> m.put(id, c.certificateSubject));
            return m;
        });
    }

    /** "epoll" or "nio". */
    public String transport() {
        return transport;
    }

    public void addListener(ManagerListener listener) {
        core.events.add(listener);
    }

    public void removeListener(ManagerListener listener) {
        core.events.remove(listener);
    }

    /** The dispatch core, for tests of this package. */
    DispatchCore core() {
        return core;
    }

    /** Runs a query on the core thread and waits for its answer. */
    public <T> T query(Callable<T> query) {
        try {
            return coreLoop.submit(query).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("manager query failed", e);
        }
    }

    /** The manager's load and health, read on the core thread. */
    public io.proletariat.manager.Manager.Counts counts() {
        return query(core::counts);
    }

    /** A consistent snapshot of the manager's state and counters. */
    public io.proletariat.manager.ManagerStats stats() {
        return query(core::snapshot);
    }

    /** The operator's {@code works} (docs/protocol.md, Operator commands), on the core thread. */
    public List<io.proletariat.manager.Manager.LiveWork> works(String client, String worker, String type, boolean running, int limit) {
        if (limit < 1 || limit > OperatorCommands.MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be from 1 to " + OperatorCommands.MAX_LIMIT + ": " + limit);
        }
        return query(() -> core.operator.list(client, worker, type, running, limit).rows().stream()
                .map(r -> new io.proletariat.manager.Manager.LiveWork(r.id(), r.requestId(), r.client(), r.worker(), r.type(),
                        r.priority(), r.state(), r.ageMillis()))
                .toList());
    }

    /** The operator's {@code cancel} of one id, on the core thread: how many works it cancelled. */
    public int cancel(String id) {
        java.util.Objects.requireNonNull(id, "id");
        return query(() -> core.operator.cancel(List.of(id), null).stream().mapToInt(OperatorCommands.Outcome::cancelled).sum());
    }

    /** The admin command {@code limit}, on the core thread; {@code max} -1 removes the limit. */
    public void limit(String type, long max) {
        io.proletariat.protocol.WorkTypeNames.check(type);
        if (max < -1 || max > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("max must be from 0 to " + Integer.MAX_VALUE + ", or none: " + max);
        }
        if (!query(() -> core.workTypes.setLimit(type, max))) {
            throw new IllegalStateException("the manager keeps as many work types as it may (maxWorkTypes): " + type);
        }
    }

    /** The operator's commands for the HTTP API, run on the core thread. */
    private final class Operator implements io.proletariat.manager.internal.http.OperatorApi {
        @Override
        public java.util.concurrent.CompletableFuture<byte[]> works(String client, String worker, String type, boolean running, int limit) {
            return onCore(() -> core.operator.worksJson(client, worker, type, running, limit));
        }

        @Override
        public java.util.concurrent.CompletableFuture<byte[]> cancel(String id) {
            return onCore(() -> core.operator.cancelJson(id));
        }

        private <T> java.util.concurrent.CompletableFuture<T> onCore(Callable<T> task) {
            java.util.concurrent.CompletableFuture<T> result = new java.util.concurrent.CompletableFuture<>();
            try {
                coreLoop.execute(core.guarded(() -> {
                    try {
                        result.complete(task.call());
                    } catch (Exception e) {
                        result.completeExceptionally(e);
                    }
                }));
            } catch (RuntimeException e) {
                result.completeExceptionally(e); // the core loop refuses tasks while the manager stops
            }
            return result;
        }
    }

    /** A snapshot taken on the core thread without waiting for it; the future completes there. */
    private Future<ManagerStats> statsAsync() {
        return coreLoop.submit(core::snapshot);
    }

    /** Stops accepting, closes every connection, and stops the threads. Idempotent. */
    public void stop() {
        if (options.leadership() != null) {
            core.stopping = true;
            options.leadership().close(); // first: a standby takes over while this one closes
        }
        if (httpServer != null) {
            httpServer.stop();
        }
        serverChannel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        if (!coreLoop.isShuttingDown()) {
            try {
                List<ChannelFuture> closing = coreLoop.submit(core::stop).get(10, TimeUnit.SECONDS);
                for (ChannelFuture f : closing) {
                    f.awaitUninterruptibly(2, TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                // Stopping anyway.
            }
        }
        shutdownLoops();
    }

    /**
     * Both loops drain together: channel events travel from the I/O threads to the core and back.
     * Every wait is bounded, so that stopping (a shutdown hook on SIGTERM) never hangs on a thread
     * that is stuck or gone.
     */
    private void shutdownLoops() {
        if (httpGroup != null) {
            httpGroup.shutdownGracefully(0, 2000, TimeUnit.MILLISECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        Future<?> io = ioGroup.shutdownGracefully(50, 2000, TimeUnit.MILLISECONDS);
        Future<?> coreDone = ownCoreLoop == null ? io : ownCoreLoop.shutdownGracefully(50, 2000, TimeUnit.MILLISECONDS);
        io.awaitUninterruptibly(5, TimeUnit.SECONDS);
        coreDone.awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

}
