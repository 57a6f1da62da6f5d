package io.proletariat.manager.internal;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.proletariat.protocol.FrameDecoder;

/**
 * Builds each connection's pipeline: framing and JSON decoding on the channel's I/O thread, then
 * the handler that feeds the dispatch core, on the core's event loop (the same thread when the
 * manager runs with one I/O thread, so nothing is handed over).
 */
final class ManagerChannelInitializer extends ChannelInitializer<SocketChannel> {
    private final DispatchCore core;
    private final int maxFrameLength;

    ManagerChannelInitializer(DispatchCore core, int maxFrameLength) {
        this.core = core;
        this.maxFrameLength = maxFrameLength;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        if (ch instanceof EpollSocketChannel) {
            ch.pipeline().addLast("quickack", QuickAckHandler.INSTANCE);
        }
        FrameDecoder frames = new FrameDecoder(maxFrameLength, core::inboundHeld);
        if (core.auth != null && !core.addressPolicy.trustsNetwork(ch.remoteAddress())) {
            frames.firstFrameLimit(DispatchCore.AUTH_FRAME_LIMIT); // it must authenticate: a large frame first is refused unread
        }
        ch.pipeline()
                .addLast("frames", frames)
                .addLast("messages", new InboundDecoder())
                .addLast(ch.eventLoop() == core.loop ? null : core.loop, "core", new ManagerChannelHandler(core));
    }
}
