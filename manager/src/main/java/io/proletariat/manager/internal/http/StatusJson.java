package io.proletariat.manager.internal.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.proletariat.manager.ManagerStats;
import io.proletariat.protocol.JsonWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The body of {@code GET /api/status}: the protocol's {@code status} answer (same member names
 * where it has them) plus rates, counters, latency histograms, per-worker figures, clients and
 * recent errors. Field by field in {@code docs/dashboard.md}. Times are epoch milliseconds.
 */
final class StatusJson {
    private StatusJson() {
    }

    static ByteBuf write(ManagerStats s, HttpServer.ManagerInfo info) {
        ByteBuf buf = Unpooled.buffer(4096);
        JsonWriter out = JsonWriter.to(buf);
        ManagerStats.Counters c = s.counters();
        out.beginObject()
                .name("bootTime").value(s.bootTime())
                .name("bootTimeIso").value(Instant.ofEpochMilli(s.bootTime()).toString())
                .name("takenAt").value(s.takenAt())
                .name("uptimeSeconds").value((s.takenAt() - s.bootTime()) / 1000)
                .name("manager").beginObject()
                .name("port").value(info.protocolAddress().getPort())
                .name("address").value(hostPort(info.protocolAddress()))
                .name("transport").value(info.transport())
                .name("sacredGuarantees").value(info.options().sacredGuarantees())
                .name("holdSimilarWork").value(info.options().holdSimilarWork())
                .endObject()
                // The protocol status's members.
                .name("canCleanup").value(c.finished() > 0)
                .name("pendingWorks").value(sum(s.queued()))
                .name("globalAvailableSlots").value(s.slotsFree())
                .name("globalRunningWorks").value(s.running())
                .name("globalWorksOnHold").value(s.onHold())
                .name("finishCount").value(c.finished())
                .name("sacredRanges").value(info.options().sacredGuarantees());
        writeMergedRanges(out, s.workers());
        out.name("queues").beginObject();
        s.queued().forEach((priority, n) -> out.name(Integer.toString(priority)).value(n));
        out.endObject();

        out.name("slots").beginObject()
                .name("total").value(s.slotsTotal())
                .name("free").value(s.slotsFree())
                .name("used").value(s.slotsTotal() - s.slotsFree())
                .endObject();

        out.name("counters").beginObject()
                .name("pushed").value(c.pushed())
                .name("assigned").value(c.assigned())
                .name("finished").value(c.finished())
                .name("succeeded").value(c.finished() - c.failed())
                .name("failed").value(c.failed())
                .name("failedByCode").beginObject();
        new TreeMap<>(c.failedByCode()).forEach((code, n) -> out.name(code).value(n));
        out.endObject()
                .name("assignTimeouts").value(c.assignTimeouts())
                .name("runTimeouts").value(c.failedByCode().getOrDefault("ETO", 0L))
                .name("requeued").value(c.requeued())
                .name("rejected").value(c.rejected())
                .name("aborted").value(c.aborted())
                .name("givenUp").value(c.givenUp())
                .name("connectionsAccepted").value(c.connectionsAccepted())
                .name("framesIn").value(c.framesIn())
                .name("badFrames").value(c.badFrames())
                .name("sysmsgsRefused").value(c.sysmsgsRefused())
                .name("eventsDropped").value(c.eventsDropped())
                .endObject();

        ManagerStats.Memory mem = s.memory();
        out.name("memory").beginObject()
                .name("queuedBytes").value(mem.queuedBytes())
                .name("maxQueuedBytes").value(mem.maxQueuedBytes())
                .name("bufferBytes").value(mem.bufferBytes())
                .name("maxBufferBytes").value(mem.maxBufferBytes())
                .name("pushesRefused").value(mem.pushesRefused())
                .name("connectionsShed").value(mem.connectionsShed())
                .name("closedForBacklog").value(mem.closedForBacklog())
                .endObject();

        ManagerStats.Rates r = s.rates();
        out.name("rates").beginObject()
                .name("pushedPerSecond").value(r.pushedPerSecond())
                .name("finishedPerSecond").value(r.finishedPerSecond())
                .name("failedPerSecond").value(r.failedPerSecond())
                .name("pushedPerSecondMinute").value(r.pushedPerSecondMinute())
                .name("finishedPerSecondMinute").value(r.finishedPerSecondMinute())
                .name("failedPerSecondMinute").value(r.failedPerSecondMinute())
                .endObject();

        out.name("latency").beginObject();
        histogram(out, "timeInQueue", s.timeInQueue());
        histogram(out, "runTime", s.runTime());
        histogram(out, "endToEnd", s.endToEnd());
        out.endObject();

        long workers = s.workers().size();
        long clients = s.clients().stream().filter(cl -> "client".equals(cl.type())).count();
        out.name("connections").beginObject()
                .name("worker").value(workers)
                .name("client").value(clients)
                .name("unknown").value(s.clients().size() - clients)
                .endObject();

        out.name("workers").beginArray();
        for (ManagerStats.WorkerStats w : s.workers()) {
            out.beginObject()
                    .name("id").value(w.id())
                    .name("address").value(address(w.address()))
                    .name("connectedSince").value(w.connectedSince())
                    .name("slots").value(w.slots())
                    .name("busy").value(w.busy())
                    .name("finished").value(w.finished())
                    .name("ranges").beginArray();
            for (ManagerStats.RangeStats range : w.ranges()) {
                out.beginObject().name("from").value(range.from()).name("limit").value(range.limit())
                        .name("used").value(range.used()).endObject();
            }
            out.endArray().endObject();
        }
        out.endArray();

        out.name("clients").beginArray();
        for (ManagerStats.ClientStats cl : s.clients()) {
            out.beginObject()
                    .name("id").value(cl.id())
                    .name("address").value(address(cl.address()))
                    .name("connectedSince").value(cl.connectedSince())
                    .name("type").value(cl.type())
                    .name("pendingWorks").value(cl.pendingWorks())
                    .endObject();
        }
        out.endArray();

        boolean showErrors = info.options().httpShowErrors();
        out.name("recentErrors").beginArray();
        for (ManagerStats.RecentError e : s.recentErrors()) {
            out.beginObject()
                    .name("at").value(e.at())
                    .name("workId").value(e.workId())
                    .name("clientId").value(e.clientId())
                    .name("workerId").value(e.workerId())
                    .name("code").value(e.code());
            if (showErrors) {
                out.name("error").value(e.error());
            }
            out.endObject();
        }
        out.endArray();
        out.endObject();
        return buf;
    }

    /** The protocol status's {@code ranges}: every worker's ranges merged by their start, highest first. */
    private static void writeMergedRanges(JsonWriter out, List<ManagerStats.WorkerStats> workers) {
        TreeMap<Integer, long[]> merged = new TreeMap<>();
        Map<Integer, List<String>> contributors = new TreeMap<>();
        for (ManagerStats.WorkerStats w : workers) {
            for (ManagerStats.RangeStats r : w.ranges()) {
                long[] sum = merged.computeIfAbsent(r.from(), k -> new long[2]);
                sum[0] += r.limit();
                sum[1] += r.used();
                contributors.computeIfAbsent(r.from(), k -> new ArrayList<>()).add(w.id());
            }
        }
        out.name("ranges").beginArray();
        merged.descendingMap().forEach((from, sum) -> {
            out.beginObject().name("from").value(from).name("limit").value(sum[0]).name("used").value(sum[1])
                    .name("workers").beginArray();
            contributors.get(from).forEach(out::value);
            out.endArray().endObject();
        });
        out.endArray();
    }

    private static void histogram(JsonWriter out, String name, ManagerStats.Histogram h) {
        long count = h.count();
        out.name(name).beginObject()
                .name("count").value(count)
                .name("sumSeconds").value(h.sumSeconds())
                .name("meanSeconds").value(count == 0 ? Double.NaN : h.sumSeconds() / count)
                .name("p50Seconds").value(h.quantile(0.5))
                .name("p90Seconds").value(h.quantile(0.9))
                .name("p99Seconds").value(h.quantile(0.99))
                .name("bucketBounds").beginArray();
        for (double b : h.bucketBounds()) {
            out.value(b);
        }
        out.endArray().name("cumulativeCounts").beginArray();
        for (long n : h.cumulativeCounts()) {
            out.value(n);
        }
        out.endArray().endObject();
    }

    private static long sum(Map<Integer, Long> queued) {
        long n = 0;
        for (long v : queued.values()) {
            n += v;
        }
        return n;
    }

    /** "host:port" without the "/" or "name/" that {@code InetSocketAddress.toString()} puts first. */
    private static String address(String address) {
        if (address == null) {
            return null;
        }
        int slash = address.indexOf('/');
        return slash >= 0 ? address.substring(slash + 1) : address;
    }

    private static String hostPort(java.net.InetSocketAddress a) {
        String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
