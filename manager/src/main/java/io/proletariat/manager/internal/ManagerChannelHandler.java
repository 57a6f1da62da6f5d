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
        if (!(cause instanceof IOException)) {
            core.unexpected("closing " + (connection == null ? ctx.channel() : connection), cause);
        }
        ctx.close();
    }
}
