package io.proletariat.manager.internal;

import io.proletariat.protocol.WireError;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Keeps the buffers within {@code maxBufferBytes} (ARCHITECTURE.md, "Memory"): when a frame still
 * arriving or output a peer does not take pushes them past it, the connections holding the most are
 * told {@code ENOMEM} and closed. Runs on the core thread, queued by {@code DispatchCore.requestShed()}.
 */
final class BufferShedding {
    private final MemoryBudget memory;
    private final Collection<Connection> connections;
    private final Replies replies;
    private final Outbox outbox;
    private final LimitLog limits;
    /** Connections closed by {@link #shed()} whose buffers are not counted out yet. */
    private final Set<Connection> shedding = new HashSet<>();

    BufferShedding(MemoryBudget memory, Collection<Connection> connections, Replies replies, Outbox outbox, LimitLog limits) {
        this.memory = memory;
        this.connections = connections;
        this.replies = replies;
        this.outbox = outbox;
        this.limits = limits;
    }

    /**
     * The buffers are over budget: closes the connections holding the most (a frame still arriving,
     * output not taken) until what they hold covers the excess. Their bytes are counted out as
     * their channels close, a little later, so the excess is computed once, here.
     */
    void shed() {
        memory.shedScheduled.set(false);
        // Connections closed by an earlier pass count their bytes out once their channels are gone.
        long leaving = 0;
        for (Iterator<Connection> it = shedding.iterator(); it.hasNext(); ) {
            long held = it.next().bufferedBytes();
            if (held == 0) {
                it.remove();
            }
            leaving += held;
        }
        long excess = memory.bufferBytes() - leaving - memory.maxBufferBytes;
        if (excess <= 0) {
            return;
        }
        List<Connection> byHeld = new ArrayList<>();
        for (Connection c : connections) {
            if (c.open && c.channel.isActive() && c.bufferedBytes() > 0) {
                byHeld.add(c);
            }
        }
        byHeld.sort(Comparator.comparingLong(Connection::bufferedBytes).reversed());
        for (Connection c : byHeld) {
            if (excess <= 0) {
                break;
            }
            long held = c.bufferedBytes();
            excess -= held;
            shedding.add(c);
            memory.shedConnections++;
            limits.hit(LimitLog.Limit.MEMORY, "closing " + c.id + " from " + c.address + " with ENOMEM: it holds " + held
                    + " bytes of buffers, and all connections' buffers hold more than " + memory.maxBufferBytes);
            replies.bareError(c, WireError.ENOMEM, null);
            outbox.flushNow(c);
            c.channel.close();
        }
    }
}
