package io.proletariat.manager.internal;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.proletariat.protocol.FrameDecoder;

/**
 * Builds each connection's pipeline: framing and JSON decoding on the channel's I/O thread, then
 * the handler that feeds the dispatch core. TLS, when configured, is first (see {@link #initChannel}), on the core's event loop (the same thread when the
 * manager runs with one I/O thread, so nothing is handed over).
 */
final class ManagerChannelInitializer extends ChannelInitializer<SocketChannel> {
    private final DispatchCore core;
    private final int maxFrameLength;
    /** The TLS context when the port speaks TLS, else null. */
    private final ServerTls tls;

    ManagerChannelInitializer(DispatchCore core, int maxFrameLength, ServerTls tls) {
        this.core = core;
        this.maxFrameLength = maxFrameLength;
        this.tls = tls;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        // TLS first, so that everything after it sees plaintext; on a plaintext port, a detector that
        // tells a TLS client apart (and leaves after the first bytes).
        if (tls != null) {
            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
        } else {
            ch.pipeline().addLast("tls-detect", new TlsDetector());
        }
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
