package io.proletariat.client.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.proletariat.protocol.FrameDecoder;
import io.proletariat.protocol.FrameTooLargeException;
import io.proletariat.protocol.FromManager;
import io.proletariat.protocol.JsonWriter;
import io.proletariat.protocol.MalformedJsonException;
import io.proletariat.protocol.RawJson;
import io.proletariat.protocol.Tls;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.proletariat.protocol.Wire;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection to the manager at a time, on one event loop, with frames in and out.
 *
 * <p>Every method must be called on the loop, and every {@link Listener} method is called there.
 * Reconnecting belongs to the {@link Engine}: this class only reports what happened.
 *
 * <p>Inbound frames are parsed and decoded into {@link FromManager} messages here, once. Invalid JSON, non-object payloads and frames without a string
 * {@code command} are logged and dropped (docs/protocol.md, Framing); an oversize frame makes the stream
 * unreadable, so it is logged and the connection is closed, which the owner sees as a disconnect.
 */
final class Connection {
    private static final Logger log = LoggerFactory.getLogger(Connection.class);

    /** What a connection reports to its owner; called on the connection's event loop. */
    interface Listener {
        /** A connection was established; frames may now be sent. */
        void onConnected();

        /** A frame arrived: a JSON object with a string {@code command}. */
        void onMessage(FromManager message);

        /** The established connection ended. */
        void onDisconnected();

        /** A connection attempt failed. */
        void onConnectFailed(Throwable cause);

        /**
         * The manager is a standby of a cluster ({@code ENOTLEADER}); it closes the connection next.
         *
         * @param leader the leader's {@code host:port}, or null when the standby knows none
         */
        void onRedirect(String leader);

        /**
         * The manager refused this connection with a bare {@code EAUTH} or {@code EPROTECTED}; it closes
         * the connection next.
         */
        void onRefused(String code, String description);
    }

    private final EventLoop loop;
    private final Listener listener;
    private final Bootstrap bootstrap;
    private final String name;
    private final int indexDepth;
    private Channel channel; // owned by the loop; the channel that is (or is becoming) current
    /**
     * The current channel is established: with TLS only once the handshake is done. A channel is active
     * before that, and a frame sent then went ahead of the auth frame, or twice (a push written during
     * the handshake was pushed again by onConnected: EDUPRID).
     */
    private boolean established; // owned by the loop
    /** The TLS context when connections speak TLS, else null. */
    private final SslContext tls;
    private boolean closed;

    /**
     * @param indexDepth levels of each frame indexed in its parsing pass ({@link RawJson#parse(byte[], int)}):
     *     as deep as the members its owner reads, no deeper (a worker never looks inside work args)
     */
    Connection(EventLoop loop, int connectTimeoutMillis, String name, int indexDepth, Listener listener, SslContext tls) {
        this.loop = loop;
        this.tls = tls;
        this.indexDepth = indexDepth;
        this.listener = listener;
        this.name = name;
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis);
    }

    /**
     * The pipeline of one connection to {@code to}: with TLS, an {@code SslHandler} first that checks
     * the manager's certificate names {@code to}'s host (each manager of a cluster has its own name).
     */
    private ChannelInitializer<SocketChannel> initializer(Address to) {
        return new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                if (tls != null) {
                    ch.pipeline().addLast("tls", Tls.clientHandler(tls, ch.alloc(), to.host(), to.port()));
                }
                ch.pipeline().addLast("frames", new FrameDecoder(Wire.DEFAULT_MAX_FRAME_LENGTH));
                ch.pipeline().addLast("handler", new Handler());
            }
        };
    }

    /** When the last frame arrived ({@link System#nanoTime()}), or the connection was made (event loop only). */
    long lastHeardNanos;

    /** Starts one connection attempt to {@code to}; the listener hears the outcome. */
    void connect(Address to) {
        assert loop.inEventLoop();
        if (closed || channel != null) {
            return;
        }
        ChannelFuture f = bootstrap.clone().handler(initializer(to)).connect(to.host(), to.port());
        channel = f.channel();
        established = false;
        f.addListener(done -> {
            if (!done.isSuccess() && channel == f.channel()) {
                channel = null;
                if (!closed) {
                    listener.onConnectFailed(done.cause());
                }
            }
        });
    }

    /** A flush is scheduled for the frames written in this turn of the event loop (event loop only). */
    private boolean flushPending;
    /** Flushes what this turn wrote; one task, made once. */
    private final Runnable flushTask = this::flushNow;
    /** The one writer every frame is written with (event loop only): no writer per frame. */
    private final JsonWriter writer = JsonWriter.to(io.netty.buffer.Unpooled.EMPTY_BUFFER);

    /** Drops the current connection at once (a silent manager): the listener hears the disconnect. */
    void drop() {
        assert loop.inEventLoop();
        if (channel != null) {
            channel.close();
        }
    }

    /** True while a connection is established. */
    boolean isConnected() {
        return channel != null && established && channel.isActive();
    }

    /**
     * Sends one frame holding a JSON object whose members {@code body} writes.
     *
     * @return false when there is no established connection (nothing was sent)
     */
    boolean send(Consumer<JsonWriter> body) {
        assert loop.inEventLoop();
        Channel ch = channel;
        if (ch == null || !established || !ch.isActive()) {
            return false;
        }
        ByteBuf buf = ch.alloc().buffer();
        try {
            JsonWriter w = writer.reset(buf).beginFrame().beginObject();
            body.accept(w);
            w.endObject().endFrame();
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        } finally {
            writer.reset(io.netty.buffer.Unpooled.EMPTY_BUFFER); // keeps no buffer alive between frames
        }
        ch.write(buf, ch.voidPromise());
        // One flush (one system call) for every frame written in this turn of the event loop.
        if (!flushPending) {
            flushPending = true;
            loop.execute(flushTask);
        }
        return true;
    }

    private void flushNow() {
        flushPending = false;
        Channel ch = channel;
        if (ch != null) {
            ch.flush();
        }
    }

    /**
     * Closes for good once what was written is sent: no listener calls follow. Returns the channel's
     * close future, or null when there was no channel, so that the owner can wait for the socket to
     * be closed before it stops the loop (a loop shut down with work pending may end without
     * closing its channels).
     */
    ChannelFuture close() {
        assert loop.inEventLoop();
        closed = true;
        Channel ch = channel;
        if (ch == null) {
            return null;
        }
        channel = null;
        // The frames of this turn (final results, say) are not flushed yet: send them first.
        ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        return ch.closeFuture();
    }

    private final class Handler extends SimpleChannelInboundHandler<byte[]> {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (ctx.channel() != channel || closed) {
                ctx.close();
                return;
            }
            if (tls == null) {
                established(ctx);
            }
            // With TLS the connection is made once the handshake is done (userEventTriggered).
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent done && ctx.channel() == channel && !closed) {
                if (done.isSuccess()) {
                    established(ctx);
                } else {
                    // An attempt that failed (untrusted certificate, another host name, a plaintext manager): not a disconnect.
                    channel = null;
                    log.warn("{}: TLS handshake with the manager at {} failed: {}", name, ctx.channel().remoteAddress(), describe(done.cause()));
                    ctx.close();
                    listener.onConnectFailed(done.cause());
                }
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        private void established(ChannelHandlerContext ctx) {
            log.debug("{}: connected to {}", name, ctx.channel().remoteAddress());
            lastHeardNanos = System.nanoTime();
            established = true;
            listener.onConnected();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (ctx.channel() != channel) {
                return;
            }
            channel = null;
            established = false;
            if (!closed) {
                log.debug("{}: disconnected from {}", name, ctx.channel().remoteAddress());
                listener.onDisconnected();
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, byte[] payload) {
            if (ctx.channel() != channel || closed) {
                return;
            }
            lastHeardNanos = System.nanoTime();
            RawJson msg;
            try {
                msg = RawJson.parse(payload, indexDepth);
            } catch (MalformedJsonException e) {
                log.warn("{}: ignoring a frame from the manager that is not valid JSON ({} bytes): {}", name, payload.length, e.getMessage());
                return;
            }
            if (!msg.isObject()) {
                log.warn("{}: ignoring a frame from the manager that is not a JSON object ({} bytes)", name, payload.length);
                log.debug("{}: the frame: {}", name, abbreviate(msg));
                return;
            }
            Map<String, RawJson> fields = msg.fields();
            RawJson command = fields.get("command");
            if (command == null || !command.isString()) {
                RawJson error = fields.get("error");
                RawJson code = error != null && error.isObject() ? error.fields().get("code") : null;
                if (code != null && code.isString() && code.asText().equals("ENOTLEADER")) {
                    RawJson leader = error.fields().get("leader");
                    listener.onRedirect(leader != null && leader.isString() ? leader.asText() : null);
                } else if (code != null && code.isString() && (code.asText().equals("EAUTH") || code.asText().equals("EPROTECTED"))) {
                    RawJson description = error.fields().get("description");
                    listener.onRefused(code.asText(), description != null && description.isString() ? description.asText() : "");
                } else if (error != null) {
                    log.warn("{}: the manager reported an error: {}", name, abbreviate(error));
                } else {
                    log.warn("{}: ignoring a frame from the manager without a command ({} bytes)", name, payload.length);
                    log.debug("{}: the frame: {}", name, abbreviate(msg));
                }
                return;
            }
            try {
                listener.onMessage(FromManager.decode(command.asText(), fields));
            } catch (RuntimeException e) {
                // The frame may carry work arguments or results (the application's data): its content only at DEBUG.
                log.warn("{}: failed to handle a '{}' frame from the manager ({} bytes)", name, command.asText(), payload.length, e);
                log.debug("{}: the frame: {}", name, abbreviate(msg));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            javax.net.ssl.SSLException tlsError = tlsError(cause);
            if (cause instanceof FrameTooLargeException) {
                log.warn("{}: the manager sent an oversize frame ({}); closing the connection", name, cause.getMessage());
            } else if (tlsError != null && ctx.channel() == channel && !closed) {
                // With TLS 1.3 a manager that refuses the client certificate says so after the handshake.
                String m = String.valueOf(tlsError.getMessage());
                log.warn("{}: the manager at {} ended the TLS connection: {}{}", name, ctx.channel().remoteAddress(), m,
                        m.contains("certificate_required") || m.contains("bad_certificate") || m.contains("unknown_ca")
                                ? " (it requires a client certificate signed by a CA it trusts: tlsClientCertificate, --tls-cert/--tls-key)" : "");
            } else {
                log.debug("{}: connection error: {}", name, cause.toString());
            }
            ctx.close();
        }
    }

    private static javax.net.ssl.SSLException tlsError(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException e) {
                return e;
            }
        }
        return null;
    }

    /** A handshake failure in one line: the innermost message says most (e.g. "No subject alternative names matching IP address ..."). */
    private static String describe(Throwable cause) {
        Throwable t = cause;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == cause ? String.valueOf(cause) : cause.getMessage() + " (" + t.getMessage() + ")";
    }

    static String abbreviate(RawJson json) {
        String s = json.toString();
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
