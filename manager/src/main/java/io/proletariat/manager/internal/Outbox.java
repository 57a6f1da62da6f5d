package io.proletariat.manager.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.proletariat.protocol.JsonWriter;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections' outgoing frames. The dispatch core appends whole frames to a per-connection
 * buffer ({@link #frame}); at the end of the batch of events (after the distribution pass) the core
 * calls {@link #flush()}, which hands each buffer to its channel once, so many frames to one peer
 * become one write. Core thread only.
 */
final class Outbox {
    private static final Logger log = LoggerFactory.getLogger(Outbox.class);

    private final long maxOutboundBuffer;
    /** Asks the core to run its end-of-batch task, which flushes. */
    private final Runnable scheduleFlush;
    private final List<Connection> dirty = new ArrayList<>();
    private final JsonWriter writer = JsonWriter.to(Unpooled.EMPTY_BUFFER);
    private final ByteBuf discard = Unpooled.buffer();
    /** Connections closed because more than {@code maxOutboundBuffer} bytes waited for them. */
    long closedForBacklog;

    /** Counts the bytes handed to channels until they are written (or fail). */
    private final MemoryBudget memory;
    /** Asks the core to close the connections holding the most when the buffers are over budget. */
    private final Runnable overBudget;

    Outbox(long maxOutboundBuffer, Runnable scheduleFlush, MemoryBudget memory, Runnable overBudget) {
        this.maxOutboundBuffer = maxOutboundBuffer;
        this.scheduleFlush = scheduleFlush;
        this.memory = memory;
        this.overBudget = overBudget;
    }

    /** A writer positioned at a new frame in the connection's output; call {@code endFrame()} when done. */
    JsonWriter frame(Connection c) {
        if (!c.open) {
            discard.clear();
            return writer.reset(discard).beginFrame();
        }
        if (c.out == null) {
            c.out = c.channel.alloc().ioBuffer(256);
        }
        if (!c.dirty) {
            c.dirty = true;
            dirty.add(c);
            scheduleFlush.run();
        }
        return writer.reset(c.out).beginFrame();
    }

    /** Writes one frame to a channel that never became a connection, then closes it. */
    void refuse(Channel channel, java.util.function.Consumer<JsonWriter> frame) {
        ByteBuf out = channel.alloc().ioBuffer(96);
        frame.accept(writer.reset(out).beginFrame());
        channel.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * Writes one frame to a channel that never became a connection, then ends it so that the peer
     * reads the frame: what the peer already sent is read and dropped (closing on unread input
     * would reset the connection, and the reset can destroy the frame before the peer reads it), our
     * side is shut for output after the frame, and the channel closes when the peer closes its side,
     * or after a second.
     */
    void refuseGently(Channel channel, java.util.function.Consumer<JsonWriter> frame) {
        channel.pipeline().addFirst("discard", new io.netty.channel.ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                io.netty.util.ReferenceCountUtil.release(msg);
            }
        });
        ByteBuf out = channel.alloc().ioBuffer(128);
        frame.accept(writer.reset(out).beginFrame());
        channel.writeAndFlush(out).addListener(f -> {
            if (channel instanceof io.netty.channel.socket.DuplexChannel duplex && f.isSuccess()) {
                duplex.shutdownOutput();
            } else {
                channel.close();
            }
        });
        channel.eventLoop().schedule(() -> {
            channel.close();
        }, 1, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** Sends what waits for the connection now, then closes it. */
    void closeAfterFlush(Connection c) {
        if (c.dirty) {
            dirty.remove(c);
            c.dirty = false;
        }
        ByteBuf out = c.out;
        c.out = null;
        if (out != null && c.channel.isActive()) {
            c.channel.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
        } else {
            if (out != null) {
                out.release();
            }
            c.channel.close();
        }
    }

    /** Drops what waits for the connection, unsent (a manager that lost its leadership must not send it). */
    void discard(Connection c) {
        if (c.dirty) {
            dirty.remove(c);
            c.dirty = false;
        }
        if (c.out != null) {
            c.out.release();
            c.out = null;
        }
    }

    /** Writes every connection's waiting frames, one write each. */
    void flush() {
        for (Connection c : dirty) {
            c.dirty = false;
            flushNow(c);
        }
        dirty.clear();
    }

    /** Hands the connection's buffer to its channel (or releases it when the connection is gone). */
    void flushNow(Connection c) {
        ByteBuf out = c.out;
        c.out = null;
        if (out == null) {
            return;
        }
        if (c.open && c.channel.isActive()) {
            long bytes = out.readableBytes();
            memory.outboundBytes.addAndGet(bytes);
            c.channel.writeAndFlush(out).addListener(f -> memory.outboundBytes.addAndGet(-bytes));
            if (memory.buffersOver()) {
                overBudget.run();
            }
            // A peer that stopped reading is no longer read from (ManagerChannelHandler); if what
            // waits for it still grows past the limit, give up on it rather than on the heap.
            // Only an open channel has a backlog: a closed one (the write failed, the peer reset)
            // reports "never writable", which is no reason to warn.
            if (!c.channel.isWritable() && c.channel.isActive() && pendingBytes(c.channel) > maxOutboundBuffer) {
                closedForBacklog++;
                log.warn("closing {}: more than {} bytes wait to be sent and it does not read them", c.id, maxOutboundBuffer);
                c.channel.close();
            }
        } else {
            out.release();
        }
    }

    /** Bytes written to the channel and not yet taken by the socket; 0 once it is closed. */
    static long pendingBytes(Channel channel) {
        io.netty.channel.ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }
}
