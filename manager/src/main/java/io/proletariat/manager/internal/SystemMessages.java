package io.proletariat.manager.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.proletariat.protocol.ProletariatException;
import io.proletariat.protocol.RawJson;
import io.proletariat.protocol.SystemMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * System messages: relays a peer's {@code sysmsg} to everybody, the manager or one connection,
 * counts the acknowledgements, and answers the sender when every recipient has answered, has left,
 * or the wait expired (docs/protocol.md, System messages, without the original's M18). Core thread only.
 *
 * <p>Every operation costs O(1) or O(its own recipients): an ack finds its message by relayed id and
 * its recipient in a set, and a connection that leaves visits only the messages it sent or still
 * has to acknowledge ({@link Connection#sysmsgsSent}, {@link Connection#sysmsgsAwaited}).
 */
final class SystemMessages {
    /** Reads a message's content for listeners ({@link SystemMessage#content(Class)}), as the libraries do. */
    private static final ObjectMapper CONTENT_MAPPER = new ObjectMapper();
    private static final SystemMessage.ContentReader CONTENT_READER = (json, type) -> {
        try {
            return CONTENT_MAPPER.readValue(json.toBytes(), type);
        } catch (IOException e) {
            throw new ProletariatException("EJSON", "cannot read the system message's content as a " + type.getName()
                    + ": " + e.getMessage(), e);
        }
    };

    /** A relayed message waiting for acknowledgements. */
    static final class Pending {
        final Connection sender;
        final String id;
        final String relayId;
        /** Recipients that have not acknowledged yet; at most one entry per connection. */
        final Set<Connection> waiting;
        final int sentTo;
        int receivedBy;
        ScheduledFuture<?> timer;

        Pending(Connection sender, String id, String relayId, Set<Connection> waiting) {
            this.sender = sender;
            this.id = id;
            this.relayId = relayId;
            this.waiting = waiting;
            this.sentTo = waiting.size();
        }
    }

    private final EventLoop loop;
    private final Replies replies;
    private final Events events;
    private final Stats stats;
    private final LimitLog limits;
    private final long timeoutMillis;
    private final int maxPerConnection;
    private final int maxAcks;
    /** System messages with recipients one connection may send a second (in bursts of as many). */
    private final int ratePerSecond;
    /**
     * Pending messages by relayed id (sender's connection id, "/", its id), so one sender's id maps
     * to one message: O(1) per ack. At most {@link #maxPerConnection} per sender, and their
     * recipients together at most {@link #maxAcks} ({@link #awaited}), so also at most that many messages.
     */
    private final Map<String, Pending> pending = new HashMap<>();
    /** Acknowledgements awaited: the sum of every pending message's {@code waiting}. */
    private long awaited;

    SystemMessages(EventLoop loop, Replies replies, Events events, Stats stats, LimitLog limits, Duration timeout,
                   int maxPerConnection, int maxAcks, int ratePerSecond) {
        this.loop = loop;
        this.replies = replies;
        this.events = events;
        this.stats = stats;
        this.limits = limits;
        this.timeoutMillis = timeout.toMillis();
        this.maxPerConnection = maxPerConnection;
        this.maxAcks = maxAcks;
        this.ratePerSecond = ratePerSecond;
    }

    /** A {@code sysmsg} from {@code sender}; {@code connections} are all live connections by id. */
    void send(Connection sender, Inbound.Sysmsg s, Map<String, Connection> connections) {
        String id = s.id() == null ? null : s.id().asText();
        if (id == null) {
            replies.sysmsgWithoutId(sender);
            return;
        }
        Set<Connection> recipients = new HashSet<>();
        boolean local;
        RawJson to = s.to();
        if (to == null || to.isNull()) {
            local = true;
            for (Connection other : connections.values()) {
                if (other != sender) {
                    recipients.add(other);
                }
            }
        } else if ("MANAGER".equals(to.asText())) {
            local = true;
        } else {
            local = false;
            Connection target = to.isString() ? connections.get(to.asText()) : null;
            if (target != null && target != sender) {
                recipients.add(target);
            }
        }
        if (!recipients.isEmpty() && tooFast(sender, id)) {
            return;
        }
        String relayId = sender.id + "/" + id;
        Pending previous = pending.get(relayId);
        if (previous != null) {
            // The newest takes the id; the older is answered with what it got. The global cap still
            // holds: a replacement may not await more acknowledgements than it frees.
            if (recipients.size() > previous.waiting.size()
                    && refusedInAll(sender, id, recipients.size() - previous.waiting.size())) {
                return;
            }
            complete(previous, false);
        } else if (!recipients.isEmpty() && refused(sender, id, recipients.size())) {
            return;
        }
        if (local) {
            events.sysmsg(new SystemMessage(id, sender.id, s.content(), CONTENT_READER));
        }
        for (Connection r : recipients) {
            replies.sysmsg(r, relayId, sender, s.content());
        }
        Pending p = new Pending(sender, id, relayId, recipients);
        if (recipients.isEmpty()) {
            complete(p, false);
            return;
        }
        pending.put(relayId, p);
        awaited += recipients.size();
        sender.sysmsgsSent.add(p);
        for (Connection r : recipients) {
            r.sysmsgsAwaited.add(p);
        }
        p.timer = loop.schedule(() -> complete(p, true), timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * True (and the sender answered ETOOMANYSYSMSG with the message's {@code id}) when the sender
     * relays messages faster than {@code ratePerSecond}: every relayed message costs each recipient a
     * frame and an acknowledgement, so a flood of them must not reach the healthy peers.
     */
    private boolean tooFast(Connection sender, String id) {
        if (sender.sysmsgRate == null) {
            sender.sysmsgRate = new Rate(ratePerSecond);
        }
        if (sender.sysmsgRate.take()) {
            return false;
        }
        stats.sysmsgsRefused++;
        limits.hit(LimitLog.Limit.SYSMSG_RATE, "refusing a system message from " + sender.id
                + " with ETOOMANYSYSMSG: more than " + ratePerSecond + " a second");
        answerRefused(sender, id);
        return true;
    }

    /**
     * True (and the sender answered ETOOMANYSYSMSG with the message's {@code id}, which a client
     * matches to the message) when a message to {@code recipients} would pass a cap.
     */
    private boolean refused(Connection sender, String id, int recipients) {
        boolean mine = sender.sysmsgsSent.size() >= maxPerConnection;
        if (!mine && (awaited == 0 || awaited + recipients <= maxAcks)) {
            return false;
        }
        stats.sysmsgsRefused++;
        limits.hit(mine ? LimitLog.Limit.MAX_PENDING_SYSMSGS : LimitLog.Limit.MAX_PENDING_SYSMSG_ACKS,
                "refusing a system message from " + sender.id + " with ETOOMANYSYSMSG: " + sender.sysmsgsSent.size()
                        + " of its own are pending, and " + awaited + " acknowledgements in all are awaited");
        answerRefused(sender, id);
        return true;
    }

    /** As {@link #refused}, for the global cap alone: {@code more} acknowledgements beyond those awaited. */
    private boolean refusedInAll(Connection sender, String id, int more) {
        if (awaited == 0 || awaited + more <= maxAcks) {
            return false;
        }
        stats.sysmsgsRefused++;
        limits.hit(LimitLog.Limit.MAX_PENDING_SYSMSG_ACKS, "refusing a system message from " + sender.id
                + " with ETOOMANYSYSMSG: " + awaited + " acknowledgements in all are awaited");
        answerRefused(sender, id);
        return true;
    }

    private void answerRefused(Connection sender, String id) {
        replies.sysmsgRefused(sender, id);
    }

    /** A recipient's acknowledgement of the relayed message {@code relayId}; repeated acks count once. O(1). */
    void ack(Connection recipient, String relayId) {
        Pending p = relayId == null ? null : pending.get(relayId);
        if (p == null || !p.waiting.remove(recipient)) {
            return;
        }
        recipient.sysmsgsAwaited.remove(p);
        awaited--;
        p.receivedBy++;
        if (p.waiting.isEmpty()) {
            complete(p, false);
        }
    }

    /**
     * A connection left: its own pending messages are dropped, and it stops counting as a recipient.
     * O(messages it sent or awaits, and their recipients), never O(all pending).
     */
    void disconnected(Connection c) {
        if (!c.sysmsgsSent.isEmpty()) {
            for (Pending p : new ArrayList<>(c.sysmsgsSent)) {
                forget(p);
            }
        }
        if (!c.sysmsgsAwaited.isEmpty()) {
            List<Pending> mine = new ArrayList<>(c.sysmsgsAwaited);
            c.sysmsgsAwaited.clear();
            for (Pending p : mine) {
                if (p.waiting.remove(c)) {
                    awaited--;
                    if (p.waiting.isEmpty()) {
                        complete(p, false);
                    }
                }
            }
        }
    }

    private void complete(Pending p, boolean expired) {
        if (p.sentTo > 0 && !forget(p)) {
            return; // already completed
        }
        if (!p.sender.open) {
            return;
        }
        replies.sysmsgDone(p.sender, p.id, p.sentTo, p.receivedBy, expired);
    }

    /** Removes a pending message from every index; false when it was no longer pending. O(its recipients left). */
    private boolean forget(Pending p) {
        if (!pending.remove(p.relayId, p)) {
            return false;
        }
        p.sender.sysmsgsSent.remove(p);
        awaited -= p.waiting.size();
        for (Connection r : p.waiting) {
            r.sysmsgsAwaited.remove(p);
        }
        if (p.timer != null) {
            p.timer.cancel(false);
        }
        return true;
    }
}
