package io.proletariat.manager.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.proletariat.protocol.FrameTooLargeException;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Connects one channel to the dispatch core. Its methods run on the core thread (see {@link ManagerChannelInitializer}). */
final class ManagerChannelHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ManagerChannelHandler.class);

    private final DispatchCore core;
    private Connection connection;

    ManagerChannelHandler(DispatchCore core) {
        this.core = core;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        connection = core.connected(ctx.channel());
        if (connection != null) {
            connection.frames = ctx.pipeline().get(io.proletariat.protocol.FrameDecoder.class);
        }
    }

    /**
     * The TLS handshake is done: with mutual TLS, the verified client certificate's subject is kept,
     * and names the principal when the authentication file has a line for it.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof io.netty.handler.ssl.SslHandshakeCompletionEvent done && done.isSuccess() && connection != null) {
            io.netty.handler.ssl.SslHandler tls = ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class);
            if (tls != null) {
                try {
                    java.security.cert.Certificate[] peer = tls.engine().getSession().getPeerCertificates();
                    if (peer.length > 0 && peer[0] instanceof java.security.cert.X509Certificate x509) {
                        connection.certificateSubject = x509.getSubjectX500Principal().getName();
                        core.certificateVerified(connection);
                    }
                } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                    // No client certificate asked for (TLS without --tls-client-ca): no principal.
                }
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (connection != null) {
            core.receive(connection, (Inbound) msg);
        }
    }

    /**
     * Backpressure: while the peer does not take what is written to it (past the write buffer's
     * high water mark), its input is not read, so it cannot make the manager produce more for it.
     * The flag is read when the event reaches the core, so a late event cannot leave it wrong.
     */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (connection != null) {
            core.disconnected(connection);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof Error) { // out of memory, or worse (decoders wrap it): the manager cannot go on
                core.onFatal.accept(t);
                return;
            }
        }
        if (cause instanceof FrameTooLargeException && connection != null) {
            log.debug("{}: {}", connection, cause.getMessage());
            core.frameTooLarge(connection);
            return;
        }
        if (cause instanceof TlsDetector.TlsOnPlaintext) {
            core.tlsRefused(LimitLog.Limit.TLS_ON_PLAINTEXT, "closing " + peer(ctx) + ": a TLS client connected to a plaintext port:"
                    + " start the manager with --tls-cert/--tls-key or connect without --tls");
            ctx.close();
            return;
        }
        // The SslHandler's errors come wrapped in a DecoderException; NotSslRecordException is an SSLException too.
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof io.netty.handler.ssl.NotSslRecordException) {
                core.tlsRefused(LimitLog.Limit.PLAINTEXT_ON_TLS, "closing " + peer(ctx) + ": a plaintext peer connected to the TLS port"
                        + " (peers must connect with --tls)");
                ctx.close();
                return;
            }
            if (t instanceof javax.net.ssl.SSLException) {
                core.tlsRefused(LimitLog.Limit.TLS_HANDSHAKE, "closing " + peer(ctx) + ": TLS handshake failed: " + t.getMessage());
                ctx.close();
                return;
            }
        }
        if (!(cause instanceof IOException)) {
            core.unexpected("closing " + (connection == null ? ctx.channel() : connection), cause);
        }
        ctx.close();
    }

    private String peer(ChannelHandlerContext ctx) {
        return connection != null ? connection.id + " from " + connection.address : String.valueOf(ctx.channel().remoteAddress());
    }
}
