package io.proletariat.manager.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The manager's memory, in bytes, against two global budgets (ARCHITECTURE.md, "Memory"):
 *
 * <ul>
 * <li><b>works</b>: the args of every live work (queued, held, assigned or running), counted by
 *     the core when a push is accepted and uncounted when the work ends; a push that would go past
 *     {@code maxQueuedBytes} is refused with {@code ENOMEM};
 * <li><b>buffers</b>: bytes of frames still arriving (counted by each connection's
 *     {@code FrameDecoder}, on I/O threads) plus bytes written to peers and not yet taken by their
 *     sockets (counted by {@link Outbox}). Past {@code maxBufferBytes}, the core closes the
 *     connections holding the most until the excess is freed, and refuses pushes meanwhile.
 * </ul>
 */
final class MemoryBudget {
    final long maxQueuedBytes;
    final long maxBufferBytes;
    /** Args bytes of live works; core thread only. */
    long queuedBytes;
    /** Bytes of incomplete inbound frames; any I/O thread. */
    final AtomicLong inboundBytes = new AtomicLong();
    /** Bytes handed to channels and not yet written to their sockets; any thread. */
    final AtomicLong outboundBytes = new AtomicLong();
    /** A shedding pass is queued on the core. */
    final AtomicBoolean shedScheduled = new AtomicBoolean();
    /** Connections closed to get back within the buffer budget; core thread. */
    long shedConnections;
    /** Pushes refused with ENOMEM; core thread. */
    long refusedPushes;

    MemoryBudget(long maxQueuedBytes, long maxBufferBytes) {
        this.maxQueuedBytes = maxQueuedBytes;
        this.maxBufferBytes = maxBufferBytes;
    }

    long bufferBytes() {
        return inboundBytes.get() + outboundBytes.get();
    }

    boolean buffersOver() {
        return bufferBytes() > maxBufferBytes;
    }

    /** Whether a push of works with {@code bytes} of args fits. */
    boolean admits(long bytes) {
        return queuedBytes + bytes <= maxQueuedBytes && !buffersOver();
    }
}
