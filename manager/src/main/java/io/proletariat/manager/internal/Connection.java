package io.proletariat.manager.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One peer's connection with its roles: a worker (it offered), a client (it pushed), both, or
 * neither (an admin tool). The two roles are tracked apart, so a worker that pushes keeps being a
 * worker (the original's quirk M17). Owned by the core thread.
 */
final class Connection {
    final String id;
    final Channel channel;
    final long connectedAt;
    final String address;
    long lastSeenNanos;
    /**
     * Who the peer proved to be: with mutual TLS, its verified certificate's subject (RFC 2253, e.g.
     * {@code CN=worker-1,O=example}), set when the handshake completes, before any frame is read;
     * null otherwise. With authentication on, a principal of the file with that subject becomes
     * {@link #principal} ({@code DispatchCore.certificateVerified}).
     */
    String certificateSubject;
    /** Results this worker delivered. */
    long finished;
    boolean open = true;
    /** Being closed by the manager: what it still sends is not read. */
    boolean closing;
    /** Frames it sent that were not JSON or no command (closed at {@code DispatchCore.MAX_BAD_FRAMES}). */
    int badFrames;
    /** Its status requests against DispatchCore.STATUS_PER_SECOND. */
    final Rate statusRate = new Rate(DispatchCore.STATUS_PER_SECOND);
    /** Its system messages against ManagerOptions.sysmsgRate(); made at its first one. */
    Rate sysmsgRate;

    // Authentication (docs/security.md).
    /** What it may send; null until it authenticated (authentication on, an untrusted peer). */
    java.util.Set<io.proletariat.manager.internal.auth.Role> roles;
    /** Who it authenticated as, by its token or its certificate; null when served without authentication. */
    io.proletariat.manager.internal.auth.AuthFile.Principal principal;
    /** A frame arrived: an auth frame is accepted only as the first. */
    boolean framesSeen;

    // Worker role.
    boolean offered;
    /** It said it is leaving: its capacity is what it still runs (docs/protocol.md, drain). */
    boolean draining;
    Range[] ranges;
    long totalSlots;
    long busy;
    /** The work types it offered (docs/protocol.md, "Work types and limits"); none for a worker of the original. */
    WorkType[] workTypes = WorkTypes.NONE;
    /** It takes untyped works: it named no type, or said {@code untyped}. */
    boolean takesUntyped = true;
    /** The offer, normalised, as {@code status} shows it. */
    Map<Integer, Long> offer;
    /** Works sent to it, assigned or running, in dispatch order. */
    final LinkedHashMap<String, Work> works = new LinkedHashMap<>();
    /**
     * After a rejection the pass skips it for priorities {@code pausedFrom..pausedTo} until it
     * finishes a work or {@code pauseTimer} fires after {@code backoffMillis} (100 ms, doubling per
     * rejection up to 1 s): a worker rejecting everything was re-dispatched thousands of times a second.
     */
    boolean paused;
    int pausedFrom;
    int pausedTo;
    long backoffMillis;
    io.netty.util.concurrent.ScheduledFuture<?> pauseTimer;
    /** Closes it with EAUTH when it has not authenticated within {@code authTimeout}; null once it did, or when it need not. */
    io.netty.util.concurrent.ScheduledFuture<?> authTimer;
    /**
     * Works it may hold beyond its slots (our workers' prefetch, docs/protocol.md): granted only to an
     * offer of one range, 0 otherwise. {@link #prefetched} are those it holds that are not being recalled.
     */
    int prefetch;
    final java.util.List<Work> prefetched = new java.util.ArrayList<>(0);
    /** Works chosen for it in the current distribution pass (empty between passes). */
    final java.util.List<Work> batch = new java.util.ArrayList<>();

    // Client role.
    boolean pushed;
    final Map<String, Request> requests = new HashMap<>();
    /** Works it pushed that are not answered yet, against {@code maxPendingWorks}. */
    long pendingWorks;
    /** Identities of works it runs since before it connected ({@link Resumption}); null when none. */
    java.util.Set<String> resumedRunning;
    /** Its works finished by the done being handled, for its done frame (empty between dones). */
    final java.util.List<Work> results = new java.util.ArrayList<>();

    // System messages (SystemMessages), indexed here so leaving costs O(its own), not O(all pending).
    /** Its own messages still waiting for acknowledgements; at most {@code maxPendingSysmsgs}. */
    final java.util.Set<SystemMessages.Pending> sysmsgsSent = new java.util.HashSet<>();
    /** Pending messages relayed to it and not acknowledged yet; at most {@code maxPendingSysmsgAcks} (or one larger message). */
    final java.util.Set<SystemMessages.Pending> sysmsgsAwaited = new java.util.HashSet<>();
    /** Its frame decoder, which tells the bytes of a frame still arriving; null until active. */
    io.proletariat.protocol.FrameDecoder frames;

    // Output, flushed once per core batch.
    ByteBuf out;
    boolean dirty;

    Connection(String id, Channel channel, long connectedAt, long nowNanos) {
        this.id = id;
        this.channel = channel;
        this.connectedAt = connectedAt;
        this.lastSeenNanos = nowNanos;
        this.address = String.valueOf(channel.remoteAddress());
    }

    String type() {
        return offered ? "worker" : pushed ? "client" : "unknown";
    }

    /**
     * {@code new} before an offer; a worker is {@code sentwork} while it holds works, else
     * {@code available}; {@code draining} once it said it is leaving.
     */
    String status() {
        return !offered ? "new" : draining ? "draining" : works.isEmpty() ? "available" : "sentwork";
    }

    /** Bytes it holds in buffers: a frame still arriving, and output its peer has not taken yet. */
    long bufferedBytes() {
        return (frames == null ? 0 : frames.heldBytes()) + Outbox.pendingBytes(channel);
    }

    Range rangeFor(int priority) {
        Range found = null;
        for (Range r : ranges) {
            if (r.from <= priority) {
                found = r;
            } else {
                break;
            }
        }
        return found;
    }

    /** True while it is passed over for works of this priority after rejecting some. */
    boolean pausedFor(int priority) {
        return paused && priority >= pausedFrom && priority <= pausedTo;
    }

    /** Free slots for a work of this priority: room in its range and in the worker's total. */
    long availableFor(int priority) {
        Range r = rangeFor(priority);
        return r == null ? 0 : Math.min(r.limit - r.used, totalSlots - busy);
    }

    @Override
    public String toString() {
        return id;
    }
}
