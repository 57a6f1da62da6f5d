package io.proletariat.manager.internal;

import io.proletariat.protocol.JsNumbers;
import io.proletariat.protocol.JsonWriter;
import io.proletariat.protocol.RawJson;
import io.proletariat.protocol.WireError;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * An operator's hand on the queue (our extension, docs/protocol.md, "Operator commands"): the
 * {@code works} listing and the {@code cancel} command, both for the {@code admin} role when
 * authentication is on, and the same two for the HTTP API ({@code /api/works}). Reads the core's
 * state and cancels through {@link Works#cancel}, the one place a cancel takes a work from wherever
 * it waits; writes its own answers, as {@link StatusReport} does. Core thread only.
 */
final class OperatorCommands {
    /** Works one {@code works} answer lists by default, and at most. */
    static final int DEFAULT_LIMIT = 1_000;
    static final int MAX_LIMIT = 10_000;
    /** Ids one {@code cancel} may name. */
    static final int MAX_CANCEL_IDS = 1_000;
    /** The longest id, filter or request id read: ours are a few dozen characters. */
    static final int MAX_ID_LENGTH = 256;

    private final DispatchCore core;
    private final Works works;
    private final Replies replies;
    private final Outbox outbox;
    /** Works cancelled by operators since the start. */
    long cancelled;

    OperatorCommands(DispatchCore core, Works works, Replies replies, Outbox outbox) {
        this.core = core;
        this.works = works;
        this.replies = replies;
        this.outbox = outbox;
    }

    // ---------------------------------------------------------------- decoding (I/O thread)

    /** A {@code works} frame's filters; a member of the wrong type or size makes it {@code invalid}. */
    static Inbound.ListWorks listWorks(RawJson client, RawJson worker, RawJson type, RawJson running, RawJson limit) {
        String invalid = null;
        String c = text(client);
        String w = text(worker);
        String t = text(type);
        if (c == BAD) {
            invalid = "client";
        } else if (w == BAD) {
            invalid = "worker";
        } else if (t == BAD) {
            invalid = "type";
        }
        int n = DEFAULT_LIMIT;
        if (limit != null && !limit.isNull()) {
            long v = limit.isNumber() ? JsNumbers.parseInt(limit) : JsNumbers.NAN;
            if (v == JsNumbers.NAN || v < 1 || v > MAX_LIMIT) {
                invalid = invalid == null ? "limit" : invalid;
            } else {
                n = (int) v;
            }
        }
        return new Inbound.ListWorks(invalid == null ? c : null, invalid == null ? w : null, invalid == null ? t : null,
                running != null && running.isTruthy(), n, invalid);
    }

    /** A {@code cancel} frame: {@code ids} an array of 1 to {@value #MAX_CANCEL_IDS} short strings, else null. */
    static Inbound.Cancel cancel(RawJson ids, RawJson client) {
        String c = text(client);
        if (ids == null || !ids.isArray() || c == BAD) {
            return new Inbound.Cancel(null, null);
        }
        List<RawJson> elements = ids.elements();
        if (elements.isEmpty() || elements.size() > MAX_CANCEL_IDS) {
            return new Inbound.Cancel(null, null);
        }
        List<String> list = new ArrayList<>(elements.size());
        for (RawJson e : elements) {
            String id = text(e);
            if (id == null || id == BAD) {
                return new Inbound.Cancel(null, null);
            }
            list.add(id);
        }
        return new Inbound.Cancel(List.copyOf(list), c);
    }

    /** Marks a member that is present but not a short string. */
    private static final String BAD = new String("bad");

    /** A string member's text; null when absent or JSON null; {@link #BAD} when not a string of 1 to {@value #MAX_ID_LENGTH} characters. */
    private static String text(RawJson v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isString() || v.byteLength() > 2 + 6 * MAX_ID_LENGTH) {
            return BAD;
        }
        String s = v.asText();
        return s.isEmpty() || s.length() > MAX_ID_LENGTH ? BAD : s;
    }

    // ---------------------------------------------------------------- works

    /** One row of the listing: what both the protocol's answer and the HTTP API show. */
    record Row(String id, String requestId, String client, String worker, String type, int priority, String state, long ageMillis) {
    }

    /** The rows a query matches, oldest first, at most {@code limit}, and how many matched in all. */
    record Listing(List<Row> rows, long matched) {
    }

    /** The work's type, for the listing and its filter: null for an untyped work. */
    static String typeOf(Work w) {
        WorkType type = w.request.type;
        return type == null ? null : type.name;
    }

    /** The live works matching the filters, the {@code limit} oldest in order; O(live works · log limit). */
    Listing list(String client, String worker, String type, boolean running, int limit) {
        // A max-heap on age keeps the limit oldest: the youngest kept is the first to go.
        PriorityQueue<Work> oldest = new PriorityQueue<>(Math.min(limit, 1024) + 1,
                Comparator.comparingLong((Work w) -> w.pushedNanos).reversed());
        long matched = 0;
        for (Work w : works.all()) {
            Work.State s = w.state();
            if (running && s != Work.State.ASSIGNED && s != Work.State.RUNNING) {
                continue;
            }
            if (client != null && !client.equals(w.request.client.id)) {
                continue;
            }
            if (worker != null && (w.worker == null || !worker.equals(w.worker.id))) {
                continue;
            }
            if (type != null && !type.equals(typeOf(w))) {
                continue;
            }
            matched++;
            oldest.add(w);
            if (oldest.size() > limit) {
                oldest.poll();
            }
        }
        List<Work> kept = new ArrayList<>(oldest);
        kept.sort(Comparator.comparingLong((Work w) -> w.pushedNanos).thenComparing(w -> w.id));
        long now = System.nanoTime();
        List<Row> rows = new ArrayList<>(kept.size());
        for (Work w : kept) {
            rows.add(new Row(w.id, w.request.key, w.request.client.id, w.worker == null ? null : w.worker.id, typeOf(w),
                    w.request.priority, stateName(w.state()), Math.max(0, (now - w.pushedNanos) / 1_000_000)));
        }
        return new Listing(rows, matched);
    }

    /** A state as the listing names it: {@code queued}, {@code held}, {@code parked}, {@code assigned}, {@code running}. */
    static String stateName(Work.State s) {
        return s.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The answer to {@code works}. */
    void works(Connection c, Inbound.ListWorks q) {
        if (q.invalid() != null) {
            invalid(c, "works", "'" + q.invalid() + "' must be " + (q.invalid().equals("limit")
                    ? "an integer from 1 to " + MAX_LIMIT : "a string of 1 to " + MAX_ID_LENGTH + " characters"));
            return;
        }
        JsonWriter out = outbox.frame(c).beginObject();
        writeListing(out, list(q.client(), q.worker(), q.type(), q.running(), q.limit()));
        out.name("to").value("works").name("command").value("answer").endObject().endFrame();
    }

    /** The listing's members: {@code works} (the rows), {@code total} (matched in all) and {@code more} (matched, not listed). */
    private static void writeListing(JsonWriter out, Listing l) {
        out.name("works").beginArray();
        for (Row r : l.rows()) {
            out.beginObject().name("id").value(r.id()).name("rid").value(r.requestId()).name("client").value(r.client());
            if (r.worker() != null) {
                out.name("worker").value(r.worker());
            }
            if (r.type() != null) {
                out.name("type").value(r.type());
            }
            out.name("priority").value(r.priority()).name("state").value(r.state()).name("age").value(r.ageMillis()).endObject();
        }
        out.endArray().name("total").value(l.matched()).name("more").value(l.matched() - l.rows().size());
    }

    /** The HTTP API's {@code GET /api/works}: the listing as one JSON object (filters checked by the caller). */
    byte[] worksJson(String client, String worker, String type, boolean running, int limit) {
        JsonWriter out = JsonWriter.toBytes().beginObject();
        writeListing(out, list(client, worker, type, running, limit));
        return out.endObject().toRawJson().toBytes();
    }

    /** The HTTP API's {@code POST /api/works/ID/cancel}: what the cancel of one id did, as one JSON object. */
    byte[] cancelJson(String id) {
        List<Outcome> outcomes = cancel(List.of(id), null);
        JsonWriter out = JsonWriter.toBytes().beginObject();
        writeOutcomes(out, outcomes);
        return out.endObject().toRawJson().toBytes();
    }

    // ---------------------------------------------------------------- cancel

    /** What a cancel did to one id. */
    record Outcome(String id, String kind, int cancelled, String client, String reason) {
    }

    /**
     * Cancels each id: a live work, or every live work of the pending requests with that id (of
     * {@code client} only, when given; request ids are the clients' own, so two clients may share
     * one). Workers get their aborts and clients their {@code ECANCELED} results before this returns.
     */
    List<Outcome> cancel(List<String> ids, String client) {
        Map<Connection, List<String>> aborts = new LinkedHashMap<>();
        List<Connection> results = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>(ids.size());
        try {
            for (String id : ids) {
                Work w = works.get(id);
                if (w != null && (client == null || client.equals(w.request.client.id))) {
                    boolean done = works.cancel(w, aborts, results);
                    cancelled += done ? 1 : 0;
                    outcomes.add(new Outcome(id, "work", done ? 1 : 0, w.request.client.id, done ? null : "not live"));
                    continue;
                }
                boolean found = false;
                for (Connection c : core.connections.values()) {
                    if (client != null && !client.equals(c.id)) {
                        continue;
                    }
                    Request r = c.requests.get(id);
                    if (r == null) {
                        continue;
                    }
                    found = true;
                    int n = 0;
                    for (Work rw : r.works) {
                        if (rw.live() && works.cancel(rw, aborts, results)) {
                            n++;
                        }
                    }
                    cancelled += n;
                    outcomes.add(new Outcome(id, "request", n, c.id, null));
                }
                if (!found) {
                    outcomes.add(new Outcome(id, null, 0, null, works.issued(id) ? "ended: finished, aborted or cancelled before"
                            : "unknown: no live work or pending request has this id"));
                }
            }
            for (Connection c : results) {
                replies.results(c, c.results);
            }
        } finally {
            for (Connection c : results) {
                c.results.clear();
            }
        }
        aborts.forEach(replies::aborts);
        return outcomes;
    }

    /** The answer to {@code cancel}: one item per id, in order. */
    void cancel(Connection c, Inbound.Cancel q) {
        if (q.ids() == null) {
            invalid(c, "cancel", "'ids' must be an array of 1 to " + MAX_CANCEL_IDS + " strings (work or request ids), "
                    + "'client' a connection id");
            return;
        }
        List<Outcome> outcomes = cancel(q.ids(), q.client()); // first: it writes frames through the outbox's one writer
        JsonWriter out = outbox.frame(c).beginObject();
        writeOutcomes(out, outcomes);
        out.name("to").value("cancel").name("command").value("answer").endObject().endFrame();
    }

    /** {@code ids}, one item per id in order, and {@code cancelled}, the works cancelled in all. */
    private static void writeOutcomes(JsonWriter out, List<Outcome> outcomes) {
        out.name("ids").beginArray();
        long total = 0;
        for (Outcome o : outcomes) {
            total += o.cancelled();
            out.beginObject().name("id").value(o.id());
            if (o.kind() != null) {
                out.name("kind").value(o.kind());
            }
            if (o.client() != null) {
                out.name("client").value(o.client());
            }
            out.name("cancelled").value(o.cancelled());
            if (o.reason() != null) {
                out.name("reason").value(o.reason());
            }
            out.endObject();
        }
        out.endArray().name("cancelled").value(total);
    }

    /** {@code EINVQUERY}, with what was wrong. */
    private void invalid(Connection c, String to, String why) {
        outbox.frame(c).beginObject().name("error").beginObject().name("code").value(WireError.EINVQUERY.code())
                .name("description").value(WireError.EINVQUERY.description() + ": " + why).endObject()
                .name("to").value(to).name("command").value("answer").endObject().endFrame();
    }
}
