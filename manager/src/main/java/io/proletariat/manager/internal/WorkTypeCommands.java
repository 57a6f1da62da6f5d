package io.proletariat.manager.internal;

import io.proletariat.protocol.JsonWriter;
import io.proletariat.protocol.WireError;
import java.util.List;

/**
 * What the wire says about work types and their limits (docs/protocol.md, "Work types and limits"):
 * a push's {@code type} and an offer's {@code types} checked and resolved to their {@link WorkType},
 * the admin command {@code limit}, and the types' part of {@code status}. The queues and the pass are
 * the {@link Scheduler}'s; this class only reads the wire's fields and answers. Core thread only.
 */
final class WorkTypeCommands {
    private final Scheduler scheduler;
    private final Outbox outbox;
    private final Replies replies;
    private final LimitLog limits;
    /** Asks the core for a pass at the end of the current batch. */
    private final Runnable requestPass;

    WorkTypeCommands(Scheduler scheduler, Outbox outbox, Replies replies, LimitLog limits, Runnable requestPass) {
        this.scheduler = scheduler;
        this.outbox = outbox;
        this.replies = replies;
        this.limits = limits;
        this.requestPass = requestPass;
    }

    /** Why a push's type is refused (EINVTYPE, ETOOMANYTYPES); null when it has none or it is known now. */
    WireError pushRefusal(Connection c, Inbound.Push p) {
        String name = p.type();
        if (name == null) {
            return null;
        }
        if (name == Inbound.INVALID_TYPE) {
            return WireError.EINVTYPE;
        }
        if (scheduler.types.obtain(name) == null) {
            tooMany(c, "a push of type " + name);
            return WireError.ETOOMANYTYPES;
        }
        return null;
    }

    /** The push's type, known since {@link #pushRefusal}; null for untyped works. */
    WorkType typeOf(Inbound.Push p) {
        return p.type() == null ? null : scheduler.types.get(p.type());
    }

    /** An offer's types, made known; null after answering the offer with its error (nothing changed). */
    WorkType[] offerTypes(Connection c, Inbound.Offer o) {
        if (o.typesInvalid()) {
            replies.error(c, "offer", WireError.EINVTYPE);
            return null;
        }
        List<String> names = o.types();
        if (names.isEmpty()) {
            return WorkTypes.NONE;
        }
        WorkType[] types = new WorkType[names.size()];
        for (int i = 0; i < types.length; i++) {
            types[i] = scheduler.types.obtain(names.get(i));
            if (types[i] == null) {
                for (int j = 0; j < i; j++) {
                    scheduler.types.release(types[j]); // those it made only for this offer
                }
                tooMany(c, "an offer of type " + names.get(i));
                replies.error(c, "offer", WireError.ETOOMANYTYPES);
                return null;
            }
        }
        return types;
    }

    private void tooMany(Connection c, String what) {
        limits.hit(LimitLog.Limit.MAX_WORK_TYPES, "refusing " + what + " from " + c.id + " with ETOOMANYTYPES: "
                + scheduler.types.size() + " work types are known");
    }

    /**
     * Sets ({@code max} ≥ 0) or removes ({@code max} -1) a type's limit from the Java API, as the
     * {@code limit} command does; false when the manager keeps as many types as it may.
     */
    boolean setLimit(String type, long max) {
        if (!scheduler.types.limit(type, max)) {
            return false;
        }
        requestPass.run(); // a raised limit releases waiting works
        return true;
    }

    /** The admin command {@code limit}: sets or removes a type's limit (a raised one releases waiting works), then lists the limits. */
    void limit(Connection c, Inbound.Limit l) {
        if (l.type() == Inbound.INVALID_TYPE) {
            replies.error(c, "limit", WireError.EINVTYPE);
            return;
        }
        if (l.max() == -2) {
            replies.error(c, "limit", WireError.EINVLIMIT);
            return;
        }
        if (l.type() != null) {
            if (!scheduler.types.limit(l.type(), l.max())) {
                tooMany(c, "a limit of type " + l.type());
                replies.error(c, "limit", WireError.ETOOMANYTYPES);
                return;
            }
            requestPass.run();
        }
        JsonWriter out = outbox.frame(c).beginObject().name("limits").beginObject();
        for (WorkType t : scheduler.types.all()) {
            if (t.limit >= 0) {
                out.name(t.name).beginObject().name("max").value(t.limit).name("running").value(t.running).endObject();
            }
        }
        out.endObject().name("to").value("limit").name("command").value("answer").endObject().endFrame();
    }

    /**
     * The types' members of {@code status}, written only once a type exists (so a manager of
     * untyped works answers exactly as before): {@code types}, each with its queues per priority,
     * running works, limit and workers, and {@code typesWithoutWorkers}, the types whose works wait
     * with no worker to take them.
     */
    void writeStatus(JsonWriter out) {
        if (scheduler.types.size() == 0) {
            return;
        }
        out.name("types").beginArray();
        for (WorkType t : scheduler.types.all()) {
            out.beginObject().name("type").value(t.name).name("queued").value(t.queues.size()).name("queues").beginObject();
            t.queues.lengths().descendingMap().forEach((p, n) -> out.name(Integer.toString(p)).value(n));
            out.endObject().name("running").value(t.running).name("limit");
            if (t.limit < 0) {
                out.nullValue();
            } else {
                out.value(t.limit);
            }
            out.name("workers").value(t.workers.size()).endObject();
        }
        out.endArray().name("typesWithoutWorkers").beginArray();
        for (WorkType t : scheduler.types.all()) {
            if (t.workers.isEmpty() && t.live > 0) {
                out.value(t.name);
            }
        }
        out.endArray();
    }

    /** A worker's types in {@code status}, when it named any. */
    static void writeWorker(JsonWriter out, Connection w) {
        if (w.workTypes.length > 0) {
            out.name("types").beginArray();
            for (WorkType t : w.workTypes) {
                out.value(t.name);
            }
            out.endArray().name("untyped").value(w.takesUntyped);
        }
    }
}
