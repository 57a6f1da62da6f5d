package io.proletariat.manager.internal;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollSocketChannel;

/**
 * Acknowledges received data at once (TCP_QUICKACK, set again after every read, as Linux clears
 * it). Peers of the original keep Nagle's algorithm on: a worker's second small frame (its
 * {@code done} right after its {@code answer}) waits for our ACK of the first, and with delayed ACKs
 * that costs ~40 ms per exchange. Only with the epoll transport; on the channel's I/O thread.
 */
@ChannelHandler.Sharable
final class QuickAckHandler extends ChannelInboundHandlerAdapter {
    static final QuickAckHandler INSTANCE = new QuickAckHandler();

    private QuickAckHandler() {
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        quickAck(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        quickAck(ctx);
        ctx.fireChannelReadComplete();
    }

    private static void quickAck(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            ((EpollSocketChannel) ctx.channel()).config().setTcpQuickAck(true);
        }
    }
}
