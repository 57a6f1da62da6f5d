package io.proletariat.manager.internal.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.Future;
import io.proletariat.manager.ManagerOptions;
import io.proletariat.manager.ManagerStats;
import io.proletariat.manager.ProletariatManagerException;
import java.net.InetSocketAddress;
import java.util.function.Supplier;

/**
 * The manager's HTTP listener: {@code GET /api/status} (JSON), {@code GET /api/history} (the last
 * five minutes of throughput and latency), {@code GET /metrics} (Prometheus text format) and the
 * live dashboard at {@code GET /}, served from the jar's resources. With a token
 * ({@link ManagerOptions#httpToken()}) the first three need {@code Authorization: Bearer TOKEN}
 * ({@link HttpAuth}); the dashboard's files are public and its page sends the token the user gives.
 *
 * <p>It runs on an event loop of its own ({@code proletariat-http}). Each request asks the dispatch core for one
 * {@link ManagerStats} snapshot (the core only copies its counters); the JSON and the metrics are
 * formatted back on the HTTP connection's I/O thread, so serving them costs the core nothing more.
 * The history takes one such snapshot a second while the listener runs.
 */
public final class HttpServer {
    /** Requests are small GETs; anything larger is refused by the aggregator. */
    private static final int MAX_REQUEST_BYTES = 64 * 1024;
    /** Idle keep-alive connections are closed after this many seconds. */
    private static final int IDLE_SECONDS = 120;

    private final Channel channel;
    private final History history;
    /** The accepted connections still open; each leaves the group when it closes. */
    private final ChannelGroup connections;

    private HttpServer(Channel channel, History history, ChannelGroup connections) {
        this.channel = channel;
        this.history = history;
        this.connections = connections;
    }

    /**
     * Binds the HTTP listener on {@code options.httpBindAddress():options.httpPort()}.
     *
     * @param ioGroup the HTTP listener's own event loop group
     * @param channelType the server channel class matching {@code ioGroup}'s transport
     * @param stats asks the dispatch core for a snapshot; the future completes on the core thread
     * @param info fixed facts about this manager shown by {@code /api/status}
     * @param tls the manager's TLS context when it speaks TLS (HTTPS here too), else null
     * @param operator the core's operator commands, for {@code /api/works}
     * @throws ProletariatManagerException if the address cannot be bound
     */
    public static HttpServer start(EventLoopGroup ioGroup, Class<? extends ServerChannel> channelType,
                                   ManagerOptions options, Supplier<Future<ManagerStats>> stats, ManagerInfo info,
                                   io.proletariat.manager.internal.ServerTls tls, OperatorApi operator) {
        WorksApi worksApi = new WorksApi(operator);
        StatusSource source = new StatusSource(stats, info);
        Resources resources = Resources.load();
        History history = new History(ioGroup.next(), source);
        HostCheck hosts = new HostCheck(options.httpBindAddress(), options.httpAllowedHosts());
        HttpAuth auth = new HttpAuth(options.httpToken());
        ChannelGroup connections = new DefaultChannelGroup("http-connections", ioGroup.next());
        ServerBootstrap b = new ServerBootstrap()
                .group(ioGroup)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 128)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        ChannelPipeline p = ch.pipeline();
                        if (tls != null) {
                            p.addLast("tls", tls.newHandler(ch.alloc())); // HTTPS: first, as on the protocol port
                        }
                        p.addLast("idle", new IdleStateHandler(0, 0, IDLE_SECONDS));
                        p.addLast("codec", new HttpServerCodec());
                        p.addLast("aggregator", new HttpObjectAggregator(MAX_REQUEST_BYTES));
                        p.addLast("handler", new HttpHandler(hosts, auth, source, resources, history, worksApi));
                    }
                });
        InetSocketAddress address = new InetSocketAddress(options.httpBindAddress(), options.httpPort());
        ChannelFuture bound = b.bind(address).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            Throwable cause = bound.cause();
            throw new ProletariatManagerException(ProletariatManagerException.ELISTEN, "cannot listen for HTTP on " + options.httpBindAddress() + ":"
                    + options.httpPort() + ": " + (cause == null ? "bind failed" : cause.getMessage())
                    + " (is another manager running? choose another port with --http-port, or --http-port 0 to turn"
                    + " the HTTP listener off)", cause);
        }
        history.start();
        return new HttpServer(bound.channel(), history, connections);
    }

    /**
     * Refuses options whose HTTP listener would serve a non-loopback address without a token
     * ({@link ManagerOptions#httpToken()}), unless {@link ManagerOptions#httpOpen()} says so; called
     * before anything starts.
     *
     * @throws ProletariatManagerException {@code EHTTPOPEN}
     */
    public static void checkExposure(ManagerOptions options) {
        HttpAuth.checkExposure(options);
    }

    /** The address actually bound (useful with port 0). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    /**
     * Stops accepting, then closes every open HTTP connection, a kept-alive one or one with a
     * response still to come. Not left to the loop's shutdown: with no quiet period, Netty's loop
     * may end in the very turn the shutdown begins, before it closes its channels. Idempotent.
     */
    public void stop() {
        history.stop();
        channel.close().awaitUninterruptibly(2, java.util.concurrent.TimeUnit.SECONDS);
        connections.close().awaitUninterruptibly(2, java.util.concurrent.TimeUnit.SECONDS);
    }

    /**
     * Facts about a manager that do not change while it runs.
     *
     * @param protocolAddress the protocol port's bound address
     * @param transport "epoll" or "nio"
     * @param options the manager's options
     */
    public record ManagerInfo(InetSocketAddress protocolAddress, String transport, ManagerOptions options) {
    }
}
