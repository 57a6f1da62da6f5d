package io.proletariat.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits the byte stream of a proletariat connection into frame payloads.
 *
 * <pre>
 * +--------+--------+--------+--------+=====================================+
 * |  N (unsigned 32-bit, big-endian)  |  N bytes: UTF-8 encoded JSON text   |
 * +--------+--------+--------+--------+=====================================+
 * </pre>
 *
 * <p>Each complete frame is emitted as a {@code byte[]} holding its payload. Zero-length frames are
 * skipped. A length above {@code maxFrameLength} (including lengths with the top bit set, which the
 * original reads as negative) is decided from the header alone: the decoder fires a
 * {@link FrameTooLargeException} once and discards every later byte, because the stream cannot be
 * resynchronised. The handler that sees the exception answers {@code ELARGEMSG} and closes.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    /** The original's limit: 20 MiB. */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 20 * 1024 * 1024;

    private final int maxFrameLength;
    private boolean broken;

    public FrameDecoder(int maxFrameLength) {
        if (maxFrameLength <= 0) {
            throw new IllegalArgumentException("maxFrameLength must be > 0: " + maxFrameLength);
        }
        this.maxFrameLength = maxFrameLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (broken) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.readableBytes() >= 4) {
            long length = in.getUnsignedInt(in.readerIndex());
            if (length > maxFrameLength) {
                broken = true;
                in.skipBytes(in.readableBytes());
                throw new FrameTooLargeException(length, maxFrameLength);
            }
            if (in.readableBytes() < 4 + length) {
                return;
            }
            in.skipBytes(4);
            if (length == 0) {
                continue;
            }
            byte[] payload = new byte[(int) length];
            in.readBytes(payload);
            out.add(payload);
        }
    }
}
