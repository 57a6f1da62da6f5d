package io.proletariat.manager.internal.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.netty.buffer.ByteBuf;
import io.proletariat.manager.ClusterRole;
import io.proletariat.manager.ManagerStats;
import io.proletariat.manager.internal.MergedRanges;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The body of {@code GET /api/status}: the protocol's {@code status} answer (same member names
 * where it has them) plus rates, counters, latency histograms, per-worker figures, clients and
 * recent errors. Field by field in {@code docs/dashboard.md}. Times are epoch milliseconds.
 *
 * <p>The records below are the document's shape; Jackson writes them, members in declaration
 * order (see {@link HttpJson}). A figure that does not exist (a quantile with no observation) is {@code null}.
 */
final class StatusJson {
    private StatusJson() {
    }

    static ByteBuf write(ManagerStats s, HttpServer.ManagerInfo info, double[] lastSecond) {
        return HttpJson.write(status(s, info, lastSecond));
    }

    private static Status status(ManagerStats s, HttpServer.ManagerInfo info, double[] lastSecond) {
        ManagerStats.Counters c = s.counters();
        boolean sacred = info.options().sacredGuarantees();
        long clients = s.clients().stream().filter(cl -> "client".equals(cl.type())).count();
        Map<String, Latency> latency = new LinkedHashMap<>();
        latency.put("timeInQueue", Latency.of(s.timeInQueue()));
        latency.put("runTime", Latency.of(s.runTime()));
        latency.put("endToEnd", Latency.of(s.endToEnd()));
        Map<String, Long> queues = new LinkedHashMap<>();
        s.queued().forEach((priority, n) -> queues.put(Integer.toString(priority), n));
        return new Status(s.bootTime(), Instant.ofEpochMilli(s.bootTime()).toString(), s.takenAt(),
                (s.takenAt() - s.bootTime()) / 1000,
                new Manager(info.protocolAddress().getPort(), hostPort(info.protocolAddress()), info.transport(),
                        sacred, info.options().holdSimilarWork()),
                c.finished() > 0, s.queued().values().stream().mapToLong(Long::longValue).sum()
                        + s.types().stream().mapToLong(ManagerStats.TypeStats::queuedTotal).sum(), s.slotsFree(),
                s.running(), s.onHold(), c.finished(), sacred, Cluster.of(s.cluster()), mergedRanges(s.workers()), queues,
                new Slots(s.slotsTotal(), s.slotsFree(), s.slotsTotal() - s.slotsFree()),
                Counters.of(c), s.memory(), s.waiting(), s.rates(), latency, LastSecond.of(lastSecond),
                new Connections(s.workers().size(), clients, s.clients().size() - clients),
                s.workers().stream().map(Worker::of).toList(),
                s.clients().stream().map(Client::of).toList(),
                s.recentErrors().stream().map(e -> RecentError.of(e, info.options().httpShowErrors())).toList(),
                s.types().stream().map(WorkType::of).toList(),
                s.types().stream().filter(t -> t.workers() == 0 && (t.queuedTotal() > 0 || t.running() > 0)).map(ManagerStats.TypeStats::type).toList());
    }

    record Status(long bootTime, String bootTimeIso, long takenAt, long uptimeSeconds, Manager manager,
                  // The protocol status's members.
                  boolean canCleanup, long pendingWorks, long globalAvailableSlots, long globalRunningWorks,
                  long globalWorksOnHold, long finishCount, boolean sacredRanges,
                  @JsonInclude(JsonInclude.Include.NON_NULL) Cluster cluster, List<MergedRanges.Merged> ranges,
                  // Ours.
                  Map<String, Long> queues, Slots slots, Counters counters, ManagerStats.Memory memory, ManagerStats.Waiting waiting,
                  ManagerStats.Rates rates, Map<String, Latency> latency, LastSecond lastSecond,
                  Connections connections, List<Worker> workers, List<Client> clients,
                  List<RecentError> recentErrors,
                  // Work types, as the protocol status shows them; left out while every work is untyped.
                  @JsonInclude(JsonInclude.Include.NON_EMPTY) List<WorkType> types,
                  @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> typesWithoutWorkers) {
    }

    /** One work type, the protocol status's names: queued works per priority, running works, limit (null for none), workers. */
    record WorkType(String type, long queued, Map<String, Long> queues, long running,
                    @JsonInclude(JsonInclude.Include.ALWAYS) Long limit, int workers) {
        static WorkType of(ManagerStats.TypeStats t) {
            Map<String, Long> queues = new LinkedHashMap<>();
            t.queued().forEach((p, n) -> queues.put(Integer.toString(p), n));
            return new WorkType(t.type(), t.queuedTotal(), queues, t.running(), t.limit() < 0 ? null : t.limit(), t.workers());
        }
    }

    record Manager(int port, String address, String transport, boolean sacredGuarantees, boolean holdSimilarWork) {
    }

    record Slots(long total, long free, long used) {
    }

    /** The protocol status's {@code cluster} member, same names; left out of the document for a manager alone. */
    record Cluster(String name, String role, long epoch, String leader, long failovers) {
        static Cluster of(ClusterRole r) {
            return r == null || r.kind() == ClusterRole.Kind.ALONE ? null
                    : new Cluster(r.cluster(), r.kind().label(), r.epoch(), r.leader(), r.failovers());
        }
    }

    record Counters(long pushed, long assigned, long finished, long succeeded, long failed,
                    Map<String, Long> failedByCode, long assignTimeouts, long runTimeouts, long requeued,
                    long rejected, long aborted, long givenUp, long connectionsAccepted, long framesIn,
                    long badFrames, long sysmsgsRefused, long eventsDropped, long resumed, long rerun) {
        static Counters of(ManagerStats.Counters c) {
            return new Counters(c.pushed(), c.assigned(), c.finished(), c.finished() - c.failed(), c.failed(),
                    new TreeMap<>(c.failedByCode()), c.assignTimeouts(), c.failedByCode().getOrDefault("ETO", 0L),
                    c.requeued(), c.rejected(), c.aborted(), c.givenUp(), c.connectionsAccepted(), c.framesIn(),
                    c.badFrames(), c.sysmsgsRefused(), c.eventsDropped(), c.resumed(), c.rerun());
        }
    }

    record Latency(long count, double sumSeconds, Double meanSeconds, Double p50Seconds, Double p90Seconds,
                   Double p99Seconds, double[] bucketBounds, long[] cumulativeCounts) {
        static Latency of(ManagerStats.Histogram h) {
            long count = h.count();
            return new Latency(count, h.sumSeconds(), count == 0 ? null : h.sumSeconds() / count,
                    HttpJson.figure(h.quantile(0.5)), HttpJson.figure(h.quantile(0.9)), HttpJson.figure(h.quantile(0.99)),
                    h.bucketBounds(), h.cumulativeCounts());
        }
    }

    /** The dashboard's latest chart point: quantiles, in seconds, of the works finished in the last second. */
    record LastSecond(long t, Double p50, Double p99, Double q50) {
        static LastSecond of(double[] point) {
            return point == null ? null
                    : new LastSecond((long) point[0], HttpJson.figure(point[4]), HttpJson.figure(point[5]), HttpJson.figure(point[6]));
        }
    }

    record Connections(long worker, long client, long unknown) {
    }

    /** {@code types} and {@code untyped} only for a worker that offered types, as in the protocol's status. */
    record Worker(String id, String address, long connectedSince, long slots, long busy, long finished,
                  List<ManagerStats.RangeStats> ranges, String principal,
                  @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> types, @JsonInclude(JsonInclude.Include.NON_NULL) Boolean untyped,
                  long prefetched) {
        static Worker of(ManagerStats.WorkerStats w) {
            return new Worker(w.id(), hostPort(w.address()), w.connectedSince(), w.slots(), w.busy(), w.finished(),
                    w.ranges(), w.principal(), w.types(), w.types().isEmpty() ? null : w.untyped(), w.prefetched());
        }
    }

    record Client(String id, String address, long connectedSince, String type, long pendingWorks, String principal) {
        static Client of(ManagerStats.ClientStats c) {
            return new Client(c.id(), hostPort(c.address()), c.connectedSince(), c.type(), c.pendingWorks(), c.principal());
        }
    }

    /** {@code error} is left out unless {@code --http-show-errors}: payloads may hold what the page must not show. */
    record RecentError(long at, String workId, String clientId, String workerId, String code,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String error) {
        static RecentError of(ManagerStats.RecentError e, boolean showError) {
            return new RecentError(e.at(), e.workId(), e.clientId(), e.workerId(), e.code(), showError ? e.error() : null);
        }
    }

    /** The protocol status's {@code ranges}: every worker's ranges merged by their start, highest first. */
    private static List<MergedRanges.Merged> mergedRanges(List<ManagerStats.WorkerStats> workers) {
        List<MergedRanges.Merged> ranges = new ArrayList<>(MergedRanges.of(workers));
        Collections.reverse(ranges);
        return ranges;
    }

    /** "host:port" without the "/" or "name/" that {@code InetSocketAddress.toString()} puts first. */
    private static String hostPort(String address) {
        if (address == null) {
            return null;
        }
        int slash = address.indexOf('/');
        return slash >= 0 ? address.substring(slash + 1) : address;
    }

    private static String hostPort(InetSocketAddress a) {
        String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
