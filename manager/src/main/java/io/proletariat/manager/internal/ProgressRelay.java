package io.proletariat.manager.internal;

import io.proletariat.protocol.JsonWriter;
import io.proletariat.protocol.WireError;

/**
 * Relays a worker's progress reports to the client of the work (our extension, docs/protocol.md,
 * "progress"). The value is copied verbatim, never parsed into a tree. Only the worker that holds
 * the work may report on it; only a client that asked ({@code "progress":true} on its push) is sent
 * anything, so original clients see exactly the traffic they always saw. Nothing is kept: a report
 * is written into the client's output at once, or dropped and counted when more than
 * {@link #MAX_CLIENT_BACKLOG} bytes already wait for that client (a slow reader loses progress
 * reports, never memory). Core thread only.
 */
final class ProgressRelay {
    /** The largest progress value relayed, in bytes of JSON; beyond, the worker is answered {@code ELARGEPROGRESS}. */
    static final int MAX_PROGRESS_BYTES = 64 * 1024;
    /** Bytes waiting for a client (in its output buffer and its channel) beyond which its progress reports are dropped. */
    static final long MAX_CLIENT_BACKLOG = 1 << 20;

    private final Outbox outbox;
    /** Reports written to clients. */
    long relayed;
    /** Reports ignored: no id, no value, or a work the sender does not hold (another worker's, ended, unknown). */
    long ignored;
    /** Reports dropped because their client was slow to read. */
    long dropped;
    /** Reports refused for their size ({@code ELARGEPROGRESS}). */
    long refused;

    ProgressRelay(Outbox outbox) {
        this.outbox = outbox;
    }

    void progress(Connection worker, Inbound.Progress p) {
        if (p.progress() != null && p.progress().byteLength() > MAX_PROGRESS_BYTES) {
            refused++;
            JsonWriter out = outbox.frame(worker).beginObject();
            WireError.ELARGEPROGRESS.writeMember(out);
            if (p.id() != null) {
                out.name("id").value(p.id());
            }
            out.name("to").value("progress").name("command").value("answer").endObject().endFrame();
            return;
        }
        Work w = p.id() == null || p.progress() == null || !worker.offered ? null : worker.works.get(p.id());
        if (w == null || w.worker != worker) {
            ignored++; // only the worker that holds a work reports on it
            return;
        }
        Request r = w.request;
        Connection client = r.client;
        if (!r.progress || !client.open) {
            return; // it did not ask: an original client never sees a progress frame
        }
        long backlog = (client.out == null ? 0 : client.out.readableBytes()) + Outbox.pendingBytes(client.channel);
        if (backlog > MAX_CLIENT_BACKLOG) {
            dropped++;
            return;
        }
        relayed++;
        outbox.frame(client).beginObject().name("id").raw(w.idJson).name("rid").value(r.key).name("progress").raw(p.progress())
                .name("command").value("progress").endObject().endFrame();
    }
}
