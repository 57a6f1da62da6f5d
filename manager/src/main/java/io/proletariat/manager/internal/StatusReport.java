package io.proletariat.manager.internal;

import io.proletariat.manager.ClusterRole;

import io.proletariat.manager.ManagerStats;
import io.proletariat.protocol.JsonWriter;
import io.proletariat.protocol.Wire;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the manager tells about itself: the protocol's {@code status} and {@code mystatus} answers,
 * and the {@link ManagerStats} snapshot behind {@code Manager.stats()}, the HTTP status and the
 * metrics. Reads the core's state on the core thread; changes nothing.
 */
final class StatusReport {
    private final DispatchCore core;
    private final Scheduler scheduler;
    private final Outbox outbox;
    private final Stats stats;
    private final long bootTime = System.currentTimeMillis();
    /** The work types' part of status; set by the core. */
    WorkTypeCommands workTypes;

    StatusReport(DispatchCore core, Scheduler scheduler, Outbox outbox, Stats stats) {
        this.core = core;
        this.scheduler = scheduler;
        this.outbox = outbox;
        this.stats = stats;
    }

    /** The answer to {@code mystatus}: the asking connection alone. */
    void myStatus(Connection c) {
        JsonWriter out = outbox.frame(c).beginObject().name("to").value("mystatus").name("id").value(c.id)
                .name("type").value(c.type()).name("connected").value(Wire.date(c.connectedAt)).name("current").value(Wire.now())
                .name("status").value(c.status()).name("ranges");
        writeRanges(out, c);
        out.name("command").value("answer").endObject().endFrame();
    }

    /** The answer to {@code status}: the whole manager, the asker marked {@code you}. */
    void status(Connection c) {
        List<Connection> workers = scheduler.workers;
        long total = scheduler.totalSlots();
        long busy = scheduler.busySlots();
        JsonWriter out = outbox.frame(c).beginObject().name("to").value("status")
                .name("bootTime").value(bootTime)
                .name("canCleanup").value(core.finishCount > 0)
                .name("isClean").value(core.isClean)
                .name("pendingWorks").value(scheduler.queuedWorks())
                .name("globalAvailableSlots").value(total - busy)
                .name("globalRunningWorks").value(busy)
                .name("globalWorksOnHold").value(core.works.holds.heldCount())
                .name("finishCount").value(core.finishCount)
                .name("sacredRanges").value(core.options.sacredGuarantees());
        if (core.works.delayed() > 0 || core.works.retrying() > 0) { // our extension, absent while none: the original's answer
            out.name("globalWorksDelayed").value(core.works.delayed()).name("globalWorksWaitingRetry").value(core.works.retrying());
        }
        if (core.role.kind() != ClusterRole.Kind.ALONE) {
            writeCluster(out, core.role);
        }
        out.name("ranges").beginArray();
        for (MergedRanges.Merged r : MergedRanges.of(workerStats())) {
            out.beginObject().name("from").value(r.from()).name("limit").value(r.limit()).name("used").value(r.used())
                    .name("workers").beginArray();
            r.workers().forEach(out::value);
            out.endArray().endObject();
        }
        out.endArray();
        out.name("queues").beginObject();
        scheduler.queues.lengths().descendingMap().forEach((p, n) -> out.name(Integer.toString(p)).value(n));
        out.endObject();
        workTypes.writeStatus(out);
        out.name("workers").beginArray();
        for (Connection w : workers) {
            out.beginObject().name("id").value(w.id).name("status").value(w.status()).name("ranges");
            writeRanges(out, w);
            out.name("offer").beginObject();
            w.offer.forEach((k, v) -> out.name(Integer.toString(k)).value(v));
            out.endObject().name("slots").value(w.totalSlots).name("busy").value(w.busy);
            WorkTypeCommands.writeWorker(out, w);
            if (w.prefetch > 0) { // our extension: only for workers that asked for a prefetch
                out.name("prefetch").value(w.prefetch).name("prefetched").value(w.works.size() - w.busy);
            }
            writePrincipal(out, w);
            if (w == c) {
                out.name("you").value(true);
            }
            out.endObject();
        }
        out.endArray().name("clients").beginArray();
        for (Connection other : core.connections.values()) {
            if (other.offered) {
                continue;
            }
            out.beginObject().name("id").value(other.id).name("status").value(other.status()).name("type").value(other.type())
                    .name("requests").value(other.requests.size());
            writePrincipal(out, other);
            if (other == c) {
                out.name("you").value(true);
            }
            out.endObject();
        }
        out.endArray().name("command").value("answer").endObject().endFrame();
    }

    /** The name the connection authenticated as (never its token), or null. */
    private static String principal(Connection c) {
        return c.principal == null ? null : c.principal.name();
    }

    /** Only for a connection that authenticated: without authentication the answer stays the original's. */
    private static void writePrincipal(JsonWriter out, Connection c) {
        if (c.principal != null) {
            out.name("principal").value(c.principal.name());
        }
    }

    private static void writeRanges(JsonWriter out, Connection c) {
        out.beginArray();
        if (c.ranges != null) {
            for (Range r : c.ranges) {
                out.beginObject().name("from").value(r.from).name("limit").value(r.limit).name("used").value(r.used).endObject();
            }
        }
        out.endArray();
    }

    private List<ManagerStats.WorkerStats> workerStats() {
        List<ManagerStats.WorkerStats> workerStats = new ArrayList<>(scheduler.workers.size());
        for (Connection w : scheduler.workers) {
            List<ManagerStats.RangeStats> ranges = new ArrayList<>(w.ranges.length);
            for (Range r : w.ranges) {
                ranges.add(new ManagerStats.RangeStats(r.from, r.limit, r.used));
            }
            List<String> types = new ArrayList<>(w.workTypes.length);
            for (WorkType t : w.workTypes) {
                types.add(t.name);
            }
            workerStats.add(new ManagerStats.WorkerStats(w.id, w.address, w.connectedAt, w.totalSlots, w.busy, ranges, w.finished,
                    principal(w), types, w.takesUntyped, w.works.size() - w.busy));
        }
        return workerStats;
    }

    /** The cluster member ({@code status} of a cluster's manager; our extension, ignored by the original's tools). */
    static void writeCluster(JsonWriter out, ClusterRole role) {
        out.name("cluster").beginObject().name("name").value(role.cluster()).name("role").value(role.kind().label())
                .name("epoch").value(role.epoch()).name("leader").value(role.leader())
                .name("failovers").value(role.failovers()).endObject();
    }

    /** A consistent snapshot for {@code Manager.stats()}, the HTTP status and metrics. */
    ManagerStats snapshot() {
        Map<Integer, Long> queued = new LinkedHashMap<>();
        scheduler.queues.lengths().descendingMap().forEach((p, n) -> queued.put(p, (long) n));
        List<ManagerStats.ClientStats> clientStats = new ArrayList<>();
        for (Connection c : core.connections.values()) {
            if (!c.offered) {
                long pending = 0;
                for (Request r : c.requests.values()) {
                    pending += r.open;
                }
                clientStats.add(new ManagerStats.ClientStats(c.id, c.address, c.connectedAt, c.type(), pending, principal(c)));
            }
        }
        long total = scheduler.totalSlots();
        long busy = scheduler.busySlots();
        MemoryBudget memory = core.memory;
        return new ManagerStats(bootTime, System.currentTimeMillis(), stats.counters(core.events.dropped()), queued,
                core.works.holds.heldCount(), busy, total, total - busy, stats.rates.snapshot(), stats.timeInQueue.snapshot(),
                stats.runTime.snapshot(), stats.endToEnd.snapshot(), workerStats(), clientStats, stats.recentErrors(),
                new ManagerStats.Memory(memory.queuedBytes, memory.maxQueuedBytes, memory.bufferBytes(), memory.maxBufferBytes,
                        memory.refusedPushes, memory.shedConnections, outbox.closedForBacklog),
                core.role,
                new ManagerStats.Security(core.auth != null, core.refusedUntrusted, core.authFailures, core.denied), typeStats(),
                new ManagerStats.Waiting(core.works.delayed(), core.works.retrying(), stats.retried, stats.retriesExhausted),
                new ManagerStats.Operator(core.progress.relayed, core.progress.ignored, core.progress.dropped, core.progress.refused,
                        core.operator.cancelled));
    }

    private List<ManagerStats.TypeStats> typeStats() {
        List<ManagerStats.TypeStats> types = new ArrayList<>(scheduler.types.size());
        for (WorkType t : scheduler.types.all()) {
            Map<Integer, Long> queued = new LinkedHashMap<>();
            t.queues.lengths().descendingMap().forEach((p, n) -> queued.put(p, (long) n));
            types.add(new ManagerStats.TypeStats(t.name, queued, t.running, t.limit, t.workers.size()));
        }
        return types;
    }
}
