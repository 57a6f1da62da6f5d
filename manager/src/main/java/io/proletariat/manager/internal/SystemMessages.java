package io.proletariat.manager.internal;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.proletariat.manager.SystemMessage;
import io.proletariat.protocol.JsonWriter;
import io.proletariat.protocol.RawJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * System messages: relays a peer's {@code sysmsg} to everybody, the manager or one connection,
 * counts the acknowledgements, and answers the sender when every recipient has answered, has left,
 * or the wait expired (docs/protocol.md, System messages, without the original's M18). Core thread only.
 */
final class SystemMessages {
    /** A relayed message waiting for acknowledgements. */
    private static final class Pending {
        final Connection sender;
        final String id;
        final String relayId;
        final List<Connection> waiting;
        final int sentTo;
        int receivedBy;
        ScheduledFuture<?> timer;

        Pending(Connection sender, String id, String relayId, List<Connection> waiting) {
            this.sender = sender;
            this.id = id;
            this.relayId = relayId;
            this.waiting = waiting;
            this.sentTo = waiting.size();
        }
    }

    private final EventLoop loop;
    private final Outbox outbox;
    private final Events events;
    private final long timeoutMillis;
    /** Pending messages by relayed id; a sender may reuse an id, hence a list. */
    private final Map<String, List<Pending>> pending = new HashMap<>();

    SystemMessages(EventLoop loop, Outbox outbox, Events events, Duration timeout) {
        this.loop = loop;
        this.outbox = outbox;
        this.events = events;
        this.timeoutMillis = timeout.toMillis();
    }

    /** A {@code sysmsg} from {@code sender}; {@code connections} are all live connections by id. */
    void send(Connection sender, Inbound.Sysmsg s, Map<String, Connection> connections) {
        String id = s.id() == null ? null : s.id().asText();
        if (id == null) {
            outbox.frame(sender).beginObject().name("to").value("sysmsg").name("error").value("System message needs an id comrade")
                    .name("command").value("answer").endObject().endFrame();
            return;
        }
        List<Connection> recipients = new ArrayList<>();
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
        if (local) {
            events.sysmsg(new SystemMessage(sender.id, id, s.content() == null ? RawJson.NULL : s.content()));
        }
        String relayId = sender.id + "/" + id;
        for (Connection r : recipients) {
            JsonWriter out = outbox.frame(r).beginObject().name("id").value(relayId).name("from").value(sender.id);
            if (s.content() != null) {
                out.name("content").raw(s.content());
            }
            out.name("command").value("sysmsg").endObject().endFrame();
        }
        Pending p = new Pending(sender, id, relayId, recipients);
        if (recipients.isEmpty()) {
            complete(p, false);
            return;
        }
        pending.computeIfAbsent(relayId, k -> new ArrayList<>(1)).add(p);
        p.timer = loop.schedule(() -> complete(p, true), timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /** A recipient's acknowledgement of the relayed message {@code relayId}; repeated acks count once. */
    void ack(Connection recipient, String relayId) {
        List<Pending> list = relayId == null ? null : pending.get(relayId);
        if (list == null) {
            return;
        }
        for (Pending p : list) {
            if (p.waiting.remove(recipient)) {
                p.receivedBy++;
                if (p.waiting.isEmpty()) {
                    complete(p, false);
                }
                return;
            }
        }
    }

    /** A connection left: it stops counting as a recipient, and its own pending messages are dropped. */
    void disconnected(Connection c) {
        if (pending.isEmpty()) {
            return;
        }
        for (List<Pending> list : new ArrayList<>(pending.values())) {
            for (Pending p : new ArrayList<>(list)) {
                if (p.sender == c) {
                    forget(p);
                } else if (p.waiting.remove(c) && p.waiting.isEmpty()) {
                    complete(p, false);
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
        JsonWriter out = outbox.frame(p.sender).beginObject().name("to").value("sysmsg").name("id").value(p.id)
                .name("done").value(true).name("sentTo").value(p.sentTo).name("receivedBy").value(p.receivedBy);
        if (expired) {
            out.name("expired").value(true);
        }
        out.name("command").value("answer").endObject().endFrame();
    }

    /** Removes a pending message; false when it was no longer pending. */
    private boolean forget(Pending p) {
        List<Pending> list = pending.get(p.relayId);
        if (list == null || !list.remove(p)) {
            return false;
        }
        if (list.isEmpty()) {
            pending.remove(p.relayId);
        }
        if (p.timer != null) {
            p.timer.cancel(false);
        }
        return true;
    }
}
