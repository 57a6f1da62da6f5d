package io.proletariat.manager.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.proletariat.protocol.Tls;
import java.util.List;

/**
 * First on a plaintext port: tells a TLS ClientHello (0x16 0x03) from a frame header, which the
 * frame decoder would read as a length of some 369 MB and answer with {@code ELARGEMSG}. On a
 * ClientHello it raises {@link TlsOnPlaintext} (the core logs it and closes); on anything else it
 * steps out of the pipeline after the first bytes, handing them on. I/O thread.
 */
final class TlsDetector extends ByteToMessageDecoder {
    /** A TLS client connected to a plaintext port. */
    static final class TlsOnPlaintext extends DecoderException {
        TlsOnPlaintext() {
            super("a TLS client connected to a plaintext port", null);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() == 1 && in.getByte(in.readerIndex()) == 0x16) {
            return; // a second byte tells
        }
        if (Tls.looksLikeTls(in)) {
            in.skipBytes(in.readableBytes());
            ctx.channel().config().setAutoRead(false);
            throw new TlsOnPlaintext();
        }
        ctx.pipeline().remove(this); // hands the bytes it holds to the frame decoder
    }
}
