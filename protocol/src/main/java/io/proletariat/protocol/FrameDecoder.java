package io.proletariat.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.function.LongConsumer;

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
    private final int maxFrameLength;
    /** Told of every change of {@link #heldBytes}, as a difference; may run on any I/O thread. */
    private final LongConsumer heldChanges;
    private boolean broken;
    /** The bound of the first frame, until one arrived; 0 when it has the bound of the others. */
    private int firstFrameLimit;
    /** Bytes kept for a frame not yet complete (and a partial header); written by the channel's thread. */
    private volatile long heldBytes;

    public FrameDecoder(int maxFrameLength) {
        this(maxFrameLength, delta -> { });
    }

    /**
     * A decoder that reports how many bytes it keeps for frames still arriving: {@code heldChanges}
     * gets each change (positive as bytes accumulate, negative as frames complete and when the
     * channel goes away), so that a server can bound these bytes over all its connections.
     */
    public FrameDecoder(int maxFrameLength, LongConsumer heldChanges) {
        if (maxFrameLength <= 0) {
            throw new IllegalArgumentException("maxFrameLength must be > 0: " + maxFrameLength);
        }
        this.maxFrameLength = maxFrameLength;
        this.heldChanges = java.util.Objects.requireNonNull(heldChanges, "heldChanges");
        setCumulator(CUMULATOR);
    }

    /**
     * Bounds the first frame to {@code limit} bytes (at most {@code maxFrameLength}), before any is
     * read: a server that wants a small frame first (an authentication) does not hold a large one
     * from a peer it does not know yet. Beyond, the decoder fails as for any frame too large.
     */
    public FrameDecoder firstFrameLimit(int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be > 0: " + limit);
        }
        this.firstFrameLimit = Math.min(limit, maxFrameLength);
        return this;
    }

    /** Above this many bytes waiting, a frame split across reads is kept as a list of the reads. */
    static final int COMPOSITE_ABOVE = 64 * 1024;

    /**
     * Small frames split across reads are merged into one buffer, the fastest to read back. A large
     * one is kept as the list of its reads until it is complete, so its bytes are copied once rather
     * than on every read: a flood of large frames that never complete then costs little more than
     * reading it (measured: docs/reliability.md, "Under attack, measured").
     */
    private static final Cumulator CUMULATOR = (alloc, cumulation, in) ->
            cumulation instanceof io.netty.buffer.CompositeByteBuf || cumulation.readableBytes() + in.readableBytes() > COMPOSITE_ABOVE
                    ? COMPOSITE_CUMULATOR.cumulate(alloc, cumulation, in)
                    : MERGE_CUMULATOR.cumulate(alloc, cumulation, in);

    /** Bytes kept now for a frame not yet complete. */
    public long heldBytes() {
        return heldBytes;
    }

    private void held(long now) {
        long delta = now - heldBytes;
        if (delta != 0) {
            heldBytes = now;
            heldChanges.accept(delta);
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        held(0);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (broken) {
            in.skipBytes(in.readableBytes());
            held(0);
            return;
        }
        while (in.readableBytes() >= 4) {
            long length = in.getUnsignedInt(in.readerIndex());
            int limit = firstFrameLimit > 0 ? firstFrameLimit : maxFrameLength;
            if (length > limit) {
                broken = true;
                in.skipBytes(in.readableBytes());
                held(0);
                throw new FrameTooLargeException(length, limit);
            }
            if (in.readableBytes() < 4 + length) {
                held(in.readableBytes());
                return;
            }
            in.skipBytes(4);
            if (length == 0) {
                continue;
            }
            firstFrameLimit = 0;
            byte[] payload = new byte[(int) length];
            in.readBytes(payload);
            out.add(payload);
        }
        held(in.readableBytes());
    }
}
