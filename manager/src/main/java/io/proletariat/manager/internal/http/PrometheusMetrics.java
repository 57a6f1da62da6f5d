package io.proletariat.manager.internal.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import io.proletariat.manager.ClusterRole;
import io.proletariat.manager.ManagerStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code GET /metrics}: Prometheus metric snapshots built from one {@link ManagerStats} at scrape
 * time, written by the official client's text format writer, followed by the JVM's own figures
 * (memory, GC, threads, classes, process) from the client's JVM instrumentation. The dispatch core
 * keeps its plain counters; nothing here runs on it. The names, types and labels are listed in
 * {@code docs/dashboard.md}.
 */
final class PrometheusMetrics {
    private static final PrometheusTextFormatWriter WRITER = PrometheusTextFormatWriter.create();
    static final String CONTENT_TYPE = WRITER.getContentType();

    private PrometheusMetrics() {
    }

    /** The metrics of one snapshot, and {@code httpAuthFailures}: HTTP requests answered 401. */
    static ByteBuf write(ManagerStats s, long httpAuthFailures) {
        ByteBuf buf = Unpooled.buffer(8192);
        try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
            WRITER.write(out, snapshots(s, httpAuthFailures));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buf;
    }

    /** Every metric of one snapshot, and the HTTP listener's own count (the writer sorts them by name). */
    static MetricSnapshots snapshots(ManagerStats s, long httpAuthFailures) {
        ManagerStats.Counters c = s.counters();
        List<MetricSnapshot> m = new ArrayList<>();
        m.add(counter("proletariat_works_pushed", "Works accepted from clients.", c.pushed()));
        m.add(counter("proletariat_works_assigned", "Works sent to workers; a requeued work counts again.", c.assigned()));
        m.add(counter("proletariat_works_finished", "Results relayed to clients, successes and failures.", c.finished()));
        CounterSnapshot.Builder failed = CounterSnapshot.builder().name("proletariat_works_failed")
                .help("Results with an error, by the error's code (ERROR when it has none; ETO is a run timeout, EATO an assign timeout).");
        // The manager's own codes are always present, so rate() and alerts see them from the start.
        Map<String, Long> byCode = new TreeMap<>(Map.of("ETO", 0L, "EATO", 0L));
        byCode.putAll(c.failedByCode());
        byCode.forEach((code, n) -> failed.dataPoint(
                CounterDataPointSnapshot.builder().labels(Labels.of("code", code)).value(n).build()));
        m.add(failed.build());
        m.add(CounterSnapshot.builder().name("proletariat_works_timeouts")
                .help("Works timed out by kind: assign (answered EATO) and run (answered ETO); also counted in proletariat_works_failed_total.")
                .dataPoint(CounterDataPointSnapshot.builder().labels(Labels.of("kind", "assign")).value(c.assignTimeouts()).build())
                .dataPoint(CounterDataPointSnapshot.builder().labels(Labels.of("kind", "run"))
                        .value(c.failedByCode().getOrDefault("ETO", 0L)).build())
                .build());
        m.add(counter("proletariat_works_requeued", "Works taken back from a worker (rejected, or the worker left).", c.requeued()));
        m.add(counter("proletariat_works_rejected", "Works a worker rejected.", c.rejected()));
        m.add(counter("proletariat_works_aborted", "Works the client aborted.", c.aborted()));
        m.add(counter("proletariat_works_given_up", "Works dropped because their client left.", c.givenUp()));
        m.add(counter("proletariat_connections_accepted", "Connections accepted on the protocol port.", c.connectionsAccepted()));
        m.add(counter("proletariat_frames_received", "Protocol frames received.", c.framesIn()));
        m.add(counter("proletariat_frames_bad", "Frames that were not valid JSON or too large.", c.badFrames()));
        m.add(counter("proletariat_sysmsgs_refused", "System messages answered ETOOMANYSYSMSG.", c.sysmsgsRefused()));
        m.add(counter("proletariat_events_dropped", "Listener events dropped because the listeners fell behind.", c.eventsDropped()));
        m.add(counter("proletariat_works_resumed", "Works answered with a result a worker finished while it had no manager (after a failover).",
                c.resumed()));
        m.add(counter("proletariat_works_rerun", "Works run again after a run whose result was lost (its worker left), as far as this manager knows.",
                c.rerun()));
        ManagerStats.Waiting waiting = s.waiting();
        m.add(counter("proletariat_works_retried", "Failed attempts given another one after their backoff (a push's retries, or --retries).",
                waiting.retried()));
        m.add(counter("proletariat_works_retries_exhausted", "Works whose last allowed attempt failed too, answered with that failure.",
                waiting.retriesExhausted()));
        m.add(gauge("proletariat_works_retry_waiting", "Works waiting for a retry's backoff to end.", waiting.retryWaiting()));
        m.add(gauge("proletariat_works_delayed", "Works waiting for their push's delay or notBefore.", waiting.delayed()));
        ManagerStats.Operator op = s.operator();
        m.add(counter("proletariat_progress_relayed", "Workers' progress reports relayed to the clients that asked.", op.progressRelayed()));
        m.add(counter("proletariat_progress_ignored", "Progress reports without an id or a value, or for a work the sender does not hold.",
                op.progressIgnored()));
        m.add(counter("proletariat_progress_dropped", "Progress reports dropped because their client's output was over its bound.",
                op.progressDropped()));
        m.add(counter("proletariat_progress_refused", "Progress reports refused as too large (ELARGEPROGRESS).", op.progressRefused()));
        m.add(counter("proletariat_works_cancelled", "Works cancelled by operators (ECANCELED).", op.cancelled()));
        ManagerStats.Memory mem = s.memory();
        m.add(gauge("proletariat_memory_queued_bytes", "Bytes of args of every live work.", mem.queuedBytes()));
        m.add(gauge("proletariat_memory_queued_bytes_max", "Budget of the args of live works (--max-queued-bytes).", mem.maxQueuedBytes()));
        m.add(gauge("proletariat_memory_buffer_bytes", "Bytes of frames arriving and output waiting for peers.", mem.bufferBytes()));
        m.add(gauge("proletariat_memory_buffer_bytes_max", "Budget of the buffers (--max-buffer-bytes).", mem.maxBufferBytes()));
        m.add(counter("proletariat_pushes_refused_memory", "Pushes answered ENOMEM.", mem.pushesRefused()));
        ManagerStats.Security sec = s.security();
        m.add(counter("proletariat_connections_refused_protected", "Peers refused in protected mode (EPROTECTED): not loopback, not trusted.",
                sec.refusedUntrusted()));
        m.add(counter("proletariat_auth_failures", "Connections refused with EAUTH: a wrong, missing or oversized token.", sec.authFailures()));
        m.add(counter("proletariat_http_auth_failures",
                "HTTP requests answered 401: no bearer token, or a wrong one (--http-token-file).", httpAuthFailures));
        m.add(counter("proletariat_commands_denied", "Commands answered EPERM: outside the principal's roles.", sec.denied()));
        m.add(counter("proletariat_connections_shed", "Connections closed with ENOMEM to get back within the buffer budget.", mem.connectionsShed()));
        m.add(counter("proletariat_connections_closed_backlog", "Connections closed because more than --max-outbound bytes waited for them.", mem.closedForBacklog()));

        GaugeSnapshot.Builder queue = GaugeSnapshot.builder().name("proletariat_queue_length")
                .help("Works waiting in the queue, by priority.");
        s.queued().forEach((priority, n) -> queue.dataPoint(
                GaugeDataPointSnapshot.builder().labels(Labels.of("priority", Integer.toString(priority))).value(n).build()));
        m.add(queue.build());
        m.add(gauge("proletariat_works_queued", "Works waiting in the queues, every priority and work type.",
                s.queued().values().stream().mapToLong(Long::longValue).sum()
                        + s.types().stream().mapToLong(ManagerStats.TypeStats::queuedTotal).sum()));
        if (!s.types().isEmpty()) { // work types (our extension): absent while every work is untyped
            GaugeSnapshot.Builder typeQueue = GaugeSnapshot.builder().name("proletariat_type_queue_length")
                    .help("Works of a work type waiting in its queue, by priority.");
            GaugeSnapshot.Builder typeRunning = GaugeSnapshot.builder().name("proletariat_type_running")
                    .help("Works of a work type assigned to or running on workers.");
            GaugeSnapshot.Builder typeLimit = GaugeSnapshot.builder().name("proletariat_type_limit")
                    .help("The most works of a work type that may run at once (--limit, proletariat limit); absent for no limit.");
            GaugeSnapshot.Builder typeWorkers = GaugeSnapshot.builder().name("proletariat_type_workers")
                    .help("Workers that offered a work type; 0 while its works wait for one.");
            for (ManagerStats.TypeStats t : s.types()) {
                t.queued().forEach((priority, n) -> typeQueue.dataPoint(gaugePoint(
                        Labels.of("type", t.type(), "priority", Integer.toString(priority)), n)));
                typeRunning.dataPoint(gaugePoint(Labels.of("type", t.type()), t.running()));
                if (t.limit() >= 0) {
                    typeLimit.dataPoint(gaugePoint(Labels.of("type", t.type()), t.limit()));
                }
                typeWorkers.dataPoint(gaugePoint(Labels.of("type", t.type()), t.workers()));
            }
            m.add(typeQueue.build());
            m.add(typeRunning.build());
            m.add(typeLimit.build());
            m.add(typeWorkers.build());
        }
        m.add(gauge("proletariat_works_on_hold", "Works held behind a similar work (HOLDSIMILARWORK).", s.onHold()));
        m.add(gauge("proletariat_works_running", "Works assigned to or running on workers.", s.running()));
        m.add(gauge("proletariat_works_prefetched", "Works sent to workers beyond their slots (prefetch), not started yet.",
                s.workers().stream().mapToLong(ManagerStats.WorkerStats::prefetched).sum()));
        m.add(gauge("proletariat_slots_offered", "Slots offered by every connected worker.", s.slotsTotal()));
        m.add(gauge("proletariat_slots_free", "Offered slots not in use.", s.slotsFree()));
        long clients = s.clients().stream().filter(cl -> "client".equals(cl.type())).count();
        m.add(GaugeSnapshot.builder().name("proletariat_connections")
                .help("Open protocol connections by type: worker, client (once it pushed), unknown (admin tools, idle sockets).")
                .dataPoint(gaugePoint(Labels.of("type", "worker"), s.workers().size()))
                .dataPoint(gaugePoint(Labels.of("type", "client"), clients))
                .dataPoint(gaugePoint(Labels.of("type", "unknown"), s.clients().size() - clients))
                .build());
        m.add(GaugeSnapshot.builder().name("proletariat_start_time_seconds").unit(Unit.SECONDS)
                .help("Start time of the manager, seconds since the epoch.")
                .dataPoint(gaugePoint(Labels.EMPTY, s.bootTime() / 1000.0)).build());

        ClusterRole role = s.cluster() == null ? ClusterRole.ALONE : s.cluster();
        GaugeSnapshot.Builder roles = GaugeSnapshot.builder().name("proletariat_cluster_role")
                .help("This manager's place in its cluster: 1 for its role (alone without a cluster, leader, standby), 0 for the others.");
        for (ClusterRole.Kind kind : ClusterRole.Kind.values()) {
            roles.dataPoint(gaugePoint(Labels.of("role", kind.label()), kind == role.kind() ? 1 : 0));
        }
        m.add(roles.build());
        m.add(gauge("proletariat_cluster_epoch", "The cluster leader's epoch as this manager knows it, rising with every new leader; 0 alone.",
                role.epoch()));
        m.add(counter("proletariat_cluster_failovers", "Leaders elected in the cluster after its first, as far as this manager has seen.",
                role.failovers()));

        m.add(histogram("proletariat_work_queue_seconds", "Time from push to assignment.", s.timeInQueue()));
        m.add(histogram("proletariat_work_run_seconds", "Time from assignment to result.", s.runTime()));
        m.add(histogram("proletariat_work_end_to_end_seconds", "Time from push to result relayed.", s.endToEnd()));
        Jvm.REGISTRY.scrape().forEach(m::add);
        return new MetricSnapshots(m);
    }

    /**
     * The JVM's figures, read from its MXBeans at scrape time. One registry for the whole JVM,
     * shared by every manager in it (tests run several): the figures describe the JVM, not a
     * manager, and the library refuses to register its collectors twice into one registry. It is
     * not the global default registry, which an application embedding the manager may use itself.
     * Set up on the first scrape.
     */
    private static final class Jvm {
        static final PrometheusRegistry REGISTRY = new PrometheusRegistry();

        static {
            JvmMetrics.builder().register(REGISTRY);
        }
    }

    private static CounterSnapshot counter(String name, String help, long value) {
        return CounterSnapshot.builder().name(name).help(help)
                .dataPoint(CounterDataPointSnapshot.builder().value(value).build()).build();
    }

    private static GaugeSnapshot gauge(String name, String help, double value) {
        return GaugeSnapshot.builder().name(name).help(help).dataPoint(gaugePoint(Labels.EMPTY, value)).build();
    }

    private static GaugeDataPointSnapshot gaugePoint(Labels labels, double value) {
        return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    /** Our buckets are cumulative; the client's take one count per bucket, +Inf last. */
    private static HistogramSnapshot histogram(String name, String help, ManagerStats.Histogram h) {
        double[] bounds = Arrays.copyOf(h.bucketBounds(), h.bucketBounds().length + 1);
        bounds[bounds.length - 1] = Double.POSITIVE_INFINITY;
        long[] cumulative = h.cumulativeCounts();
        long[] counts = new long[cumulative.length];
        for (int i = 0; i < cumulative.length; i++) {
            counts[i] = cumulative[i] - (i == 0 ? 0 : cumulative[i - 1]);
        }
        return HistogramSnapshot.builder().name(name).help(help).unit(Unit.SECONDS)
                .dataPoint(HistogramDataPointSnapshot.builder()
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts))
                        .sum(h.sumSeconds())
                        .build())
                .build();
    }
}
