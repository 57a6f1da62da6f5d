package io.proletariat.cli;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.proletariat.client.Client;
import io.proletariat.client.ClientOptions;
import io.proletariat.client.ConnectionListener;
import io.proletariat.client.ConnectionOptions;
import io.proletariat.client.WorkOptions;
import io.proletariat.client.WorkResult;
import io.proletariat.manager.Manager;
import io.proletariat.manager.ManagerOptions;
import io.proletariat.protocol.JsonWriter;
import io.proletariat.protocol.RawJson;
import io.proletariat.worker.Worker;
import io.proletariat.worker.WorkerOptions;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code proletariat bench}: measures a manager with in-process workers and clients, like
 * {@code nats bench} or {@code redis-benchmark}.
 *
 * <p>W workers (each its own connection) offer S slots and echo each work's args, after
 * {@code --work-ms} if given. K submitters keep one group of G works each in flight on one client
 * connection (or {@code --clients} of them). Latency is measured per work into an HdrHistogram: from
 * the push to the work's own result for single works, to its group's last result for groups.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measure throughput and latency of a manager (running, or --embedded).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the run completed", "1:some works failed", "2:bad usage", "3:the manager is unreachable"})
final class BenchCommand implements Callable<Integer> {
    @Mixin
    ManagerAddress manager = new ManagerAddress();

    @Option(names = "--manager-silence", paramLabel = "MS", description = ManagerAddress.SILENCE_DESCRIPTION)
    long managerSilence = ConnectionOptions.DEFAULT_MANAGER_SILENCE.toMillis();

    @Option(names = "--embedded", description = "Start a manager in this JVM on a free loopback port and report its CPU time.")
    boolean embedded;

    @Option(names = "--works", paramLabel = "N", description = "Works to measure (default: ${DEFAULT-VALUE}; ignored with --duration).")
    long works = 100_000;

    @Option(names = "--duration", paramLabel = "S", description = "Measure for S seconds instead of a number of works.")
    double duration;

    @Option(names = "--group", paramLabel = "G", description = "Works per push (default: ${DEFAULT-VALUE}).")
    int group = 1;

    @Option(names = "--concurrency", paramLabel = "K", description = "Groups in flight at once (default: ${DEFAULT-VALUE}).")
    int concurrency = 100;

    @Option(names = "--clients", paramLabel = "C", description = "Client connections the submitters share (default: ${DEFAULT-VALUE}).")
    int clients = 1;

    @Option(names = "--workers", paramLabel = "W", description = "Worker connections (default: ${DEFAULT-VALUE}).")
    int workers = 1;

    @Option(names = "--slots", paramLabel = "S", description = "Slots per worker (default: ${DEFAULT-VALUE}).")
    int slots = 100;

    @Option(names = "--work-ms", paramLabel = "MS", description = "Time each work takes on its worker (default: ${DEFAULT-VALUE}: echo at once).")
    long workMs;

    @Option(names = "--payload", paramLabel = "BYTES", description = "Size of each work's JSON args (default: ${DEFAULT-VALUE}).")
    int payload = 30;

    @Option(names = "--priorities", paramLabel = "P,P,...", split = ",", description = "Priorities to cycle through, e.g. 0,0,0,2 (default: 0).")
    List<Integer> priorities = List.of(0);

    @Option(names = "--type", paramLabel = "TYPE", description = "Push the works with this work type, to workers that offer only it (default: untyped).")
    String type;

    @Option(names = "--warmup", paramLabel = "S", description = "Seconds of unmeasured load first (default: ${DEFAULT-VALUE}).")
    double warmup = 3;

    @Option(names = "--answer-threshold", paramLabel = "N", description = "Results each worker batches into one done (default: ${DEFAULT-VALUE}).")
    int answerThreshold = 1;

    @Option(names = "--prefetch", paramLabel = "N",
            description = "Works each worker takes ahead beyond its slots (default: the worker's, a tenth of the slots; 0: none).")
    Integer prefetch;

    @Option(names = "--preload", paramLabel = "N", description = "Queue N works (in groups of --group) before any worker connects, then measure how fast the workers drain them.")
    long preload;

    @Option(names = "--preload-hold", paramLabel = "S", description = "With --preload: seconds to wait, works queued, before the workers connect (time to inspect the manager).")
    double preloadHold;

    @Option(names = "--json", description = "Print one JSON line with the figures instead of a report.")
    boolean json;

    /** Whether stderr shows the refreshed progress line; otherwise it gets a plain line per phase. */
    private final boolean stderrIsTerminal = PushCommand.stderrIsTerminal();

    /** How long the --work-ms works really took on the workers (timers fire late on a busy machine). */
    private final Histogram workTime = new ConcurrentHistogram(TimeUnit.MINUTES.toNanos(5), 3);

    @Override
    public Integer call() throws Exception {
        if (prefetch != null && (prefetch < 0 || prefetch > WorkerOptions.MAX_PREFETCH)) {
            System.err.println("proletariat bench: --prefetch must be in 0.." + WorkerOptions.MAX_PREFETCH);
            return Main.EXIT_USAGE;
        }
        if (group < 1 || concurrency < 1 || workers < 1 || slots < 1 || clients < 1 || payload < 10 || works < 1 || workMs < 0) {
            System.err.println("proletariat bench: --group, --concurrency, --workers, --slots, --clients, --works must be >= 1, --payload >= 10, --work-ms >= 0");
            return Main.EXIT_USAGE;
        }
        String bad = manager.validate();
        if (bad == null) {
            bad = ManagerAddress.checkSilence(managerSilence);
        }
        if (bad == null && type != null && !io.proletariat.protocol.WorkTypeNames.isValid(type)) {
            bad = "invalid work type '" + type + "': 1 to 64 characters of A-Z a-z 0-9 _ . : -";
        }
        if (bad != null) {
            System.err.println("proletariat bench: " + bad);
            return Main.EXIT_USAGE;
        }
        Manager embeddedManager = null;
        List<Worker> workerList = new ArrayList<>();
        List<Client> clientList = new ArrayList<>();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("bench-timer", true));
        try {
            if (embedded) {
                embeddedManager = new Manager(ManagerOptions.builder().port(0).bindAddress("127.0.0.1").build()).start();
                manager.managers = null;
                manager.host = "127.0.0.1";
                manager.port = embeddedManager.port();
            }
            List<CompletableFuture<Void>> connected = new ArrayList<>(); // one per participant: a worker's when its offer is accepted
            for (int i = 0; i < clients; i++) {
                // Callbacks run on the client's I/O thread: they only count and push the next group.
                CompletableFuture<Void> up = new CompletableFuture<>();
                connected.add(up);
                clientList.add(new Client(manager.applyTo(ClientOptions.builder()).maxRetries(3)
                        .managerSilence(Duration.ofMillis(managerSilence))
                        .connectionListener(onConnected(up)).callbackExecutor(Runnable::run).build()));
            }
            Run drain = preload > 0 ? preload(clientList.get(0), payload(payload)) : null;
            if (preload > 0 && drain == null) {
                return Main.EXIT_UNAVAILABLE;
            }
            for (int i = 0; i < workers; i++) {
                WorkerOptions.Builder wb = manager.applyTo(WorkerOptions.builder()).slots(slots)
                        .managerSilence(Duration.ofMillis(managerSilence))
                        .answerThreshold(answerThreshold).executor(Runnable::run);
                if (prefetch != null) {
                    wb.prefetch(prefetch);
                }
                if (type != null) {
                    wb.types(type);
                }
                Worker w = new Worker(wb.build());
                w.onWork((work, done) -> {
                    RawJson args = work.args();
                    if (workMs == 0) {
                        done.success(args);
                    } else {
                        long start = System.nanoTime();
                        timer.schedule(() -> {
                            workTime.recordValue(System.nanoTime() - start);
                            done.success(args);
                        }, workMs, TimeUnit.MILLISECONDS);
                    }
                });
                CompletableFuture<Void> up = new CompletableFuture<>();
                connected.add(up);
                workerList.add(w.addConnectionListener(onConnected(up)).start());
            }
            try {
                CompletableFuture.allOf(connected.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                System.err.println("proletariat bench: cannot reach a manager at " + manager + " (start one, or use --embedded)");
                return Main.EXIT_UNAVAILABLE;
            }
            if (drain != null) {
                // The workers are connecting now: measure until every preloaded work is answered.
                drain.finished.await();
                drain.endNanos = System.nanoTime();
                reportDrain(drain);
                return drain.errors.get() > 0 ? 1 : 0;
            }
            RawJson args = payload(payload);
            if (warmup > 0) {
                phase("warming up for " + plain(warmup) + " s");
                run(clientList, args, Long.MAX_VALUE, (long) (warmup * 1e9), null);
            }
            phase(duration > 0 ? "measuring for " + plain(duration) + " s" : String.format(Locale.ROOT, "measuring %,d works", works));
            long[] cpuBefore = cpuNanos();
            workTime.reset();
            Histogram latency = new ConcurrentHistogram(TimeUnit.MINUTES.toNanos(5), 3);
            long limit = duration > 0 ? Long.MAX_VALUE : works;
            long timeLimit = duration > 0 ? (long) (duration * 1e9) : Long.MAX_VALUE;
            Run run = run(clientList, args, limit, timeLimit, latency);
            long[] cpuAfter = cpuNanos();
            long[] cpu = new long[cpuAfter.length];
            for (int i = 0; i < cpu.length; i++) {
                cpu[i] = cpuAfter[i] - cpuBefore[i];
            }
            report(run, latency, cpu);
            return run.errors.get() > 0 ? 1 : 0;
        } finally {
            for (Client c : clientList) {
                c.close();
            }
            for (Worker w : workerList) {
                w.stop();
            }
            timer.shutdownNow();
            if (embeddedManager != null) {
                embeddedManager.close();
            }
        }
    }

    /** A listener completing {@code up} when its participant connects. */
    private static ConnectionListener onConnected(CompletableFuture<Void> up) {
        return new ConnectionListener() {
            @Override
            public void onConnected() {
                up.complete(null);
            }
        };
    }

    /**
     * Pushes {@code preload} works with no worker connected and waits until the manager holds them
     * all in its queues; the returned run completes when they are all answered.
     */
    private Run preload(Client client, RawJson args) throws Exception {
        Run run = new Run();
        long groups = (preload + group - 1) / group;
        run.finished = new CountDownLatch((int) groups);
        long start = System.nanoTime();
        for (long g = 0; g < groups; g++) {
            int size = (int) Math.min(group, preload - g * group);
            client.work(Collections.nCopies(size, args), type == null ? WorkOptions.DEFAULT : WorkOptions.builder().type(type).build(),
                    (error, results) -> {
                if (error != null) {
                    run.errors.addAndGet(size);
                } else {
                    results.forEach(r -> {
                        run.done.incrementAndGet();
                        if (r.isFailure()) {
                            run.errors.incrementAndGet();
                        }
                    });
                }
                run.finished.countDown();
            });
        }
        long queued = 0;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (queued < preload) {
            if (System.nanoTime() > deadline) {
                System.err.println("proletariat bench: the manager queued only " + queued + " of " + preload + " works");
                return null;
            }
            Thread.sleep(100); // polling the manager's queue length: nothing to wait on
            queued = Json.MAPPER.readTree(StatusCommand.ask(manager, 10_000)).path("pendingWorks").asLong();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.err.printf(Locale.ROOT, "queued %,d works in %.2f s (%,.0f works/s)%s%n", preload, seconds, preload / seconds,
                embedded ? String.format(Locale.ROOT, "; heap in use after a full GC: %,d MB", heapAfterGcMb()) : "");
        if (!embedded) {
            System.err.println("(measure the manager's heap now, e.g. jcmd <manager pid> GC.heap_info)");
        }
        if (preloadHold > 0) {
            System.err.printf(Locale.ROOT, "holding %.0f s before the workers connect%n", preloadHold);
            Thread.sleep((long) (preloadHold * 1000)); // a pause the user asked for
        }
        run.startNanos = System.nanoTime();
        return run;
    }

    private static long heapAfterGcMb() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
    }

    private void reportDrain(Run run) {
        double seconds = run.seconds();
        if (json) {
            System.out.println(JsonWriter.toBytes().beginObject().name("preloaded").value(preload).name("drainSeconds").value(round(seconds, 3))
                    .name("worksPerSecond").value(Math.round(run.done.get() / seconds)).name("errors").value(run.errors.get())
                    .name("workers").value(workers).name("slots").value(slots).name("group").value(group).endObject().toRawJson());
            return;
        }
        System.out.printf(Locale.ROOT, "drained %,d queued works in %.2f s: %,.0f works/s (%d worker(s) x %d slots)%nerrors: %d%n",
                run.done.get(), seconds, run.done.get() / seconds, workers, slots, run.errors.get());
    }

    /** Counts of one run. */
    private static final class Run {
        CountDownLatch finished;
        final AtomicLong issued = new AtomicLong();
        final AtomicLong done = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        volatile String firstError;
        long startNanos;
        long endNanos;

        double seconds() {
            return (endNanos - startNanos) / 1e9;
        }
    }

    /** Keeps {@code concurrency} groups in flight until {@code limit} works were issued or the time is up. */
    private Run run(List<Client> clientList, RawJson args, long limit, long timeLimitNanos, Histogram latency) throws InterruptedException {
        Run run = new Run();
        CountDownLatch finished = new CountDownLatch(concurrency);
        List<RawJson> groupArgs = Collections.nCopies(group, args);
        run.startNanos = System.nanoTime();
        long stopAt = timeLimitNanos == Long.MAX_VALUE ? Long.MAX_VALUE : run.startNanos + timeLimitNanos;
        // A line redrawn with \r is for a terminal; in a log or a pipe it would be one long garbled line.
        Thread progress = latency == null || json || !stderrIsTerminal ? null : progress(run, limit);
        for (int k = 0; k < concurrency; k++) {
            Client client = clientList.get(k % clientList.size());
            new Submitter(client, groupArgs, run, limit, stopAt, latency, finished, k).next();
        }
        finished.await();
        run.endNanos = System.nanoTime();
        if (progress != null) {
            progress.interrupt();
            progress.join();
        }
        return run;
    }

    /** One of the K submitters: pushes its next group when the last one is answered. */
    private final class Submitter {
        private final Client client;
        private final List<RawJson> groupArgs;
        private final Run run;
        private final long limit;
        private final long stopAt;
        private final Histogram latency;
        private final CountDownLatch finished;
        private int round;

        Submitter(Client client, List<RawJson> groupArgs, Run run, long limit, long stopAt, Histogram latency, CountDownLatch finished, int k) {
            this.client = client;
            this.groupArgs = groupArgs;
            this.run = run;
            this.limit = limit;
            this.stopAt = stopAt;
            this.latency = latency;
            this.finished = finished;
            this.round = k;
        }

        void next() {
            if (System.nanoTime() >= stopAt || run.issued.addAndGet(group) > limit) {
                finished.countDown();
                return;
            }
            int priority = priorities.get(round++ % priorities.size());
            WorkOptions options = WorkOptions.builder().priority(priority).type(type).build();
            long start = System.nanoTime();
            if (group == 1) {
                // Per-work callbacks: each work's own latency.
                client.workIndividual(groupArgs, options, (error, data, result) -> {
                    if (latency != null) {
                        latency.recordValue(Math.max(0, System.nanoTime() - start));
                    }
                    count(result);
                }, (error, results) -> groupDone(error));
            } else {
                // One callback per group: its works arrive in batches, so each work's latency is its group's.
                client.work(groupArgs, options, (error, results) -> {
                    if (latency != null) {
                        latency.recordValueWithCount(Math.max(0, System.nanoTime() - start), group);
                    }
                    if (results != null) {
                        results.forEach(this::count);
                    }
                    groupDone(error);
                });
            }
        }

        private void groupDone(Exception error) {
            if (error != null) {
                run.errors.addAndGet(group);
                if (run.firstError == null) {
                    run.firstError = error.getMessage();
                }
            }
            next();
        }

        private void count(WorkResult result) {
            run.done.incrementAndGet();
            if (result != null && result.isFailure()) {
                run.errors.incrementAndGet();
                if (run.firstError == null) {
                    run.firstError = String.valueOf(result.error());
                }
            }
        }
    }

    /** One plain line on stderr per phase when stderr is no terminal (a log, a pipe): where the run is. */
    private void phase(String what) {
        if (!stderrIsTerminal) {
            System.err.println("bench: " + what);
        }
    }

    /** 0.5 as "0.5", 3.0 as "3". */
    private static String plain(double seconds) {
        return java.math.BigDecimal.valueOf(seconds).stripTrailingZeros().toPlainString();
    }

    /** A progress line on stderr, refreshed each second; only on a terminal. */
    private Thread progress(Run run, long limit) {
        Thread t = new Thread(() -> {
            long last = 0;
            try {
                while (true) {
                    Thread.sleep(1000); // a display refresh interval, not a wait on a condition
                    long done = run.done.get();
                    System.err.printf(Locale.ROOT, "\r%,d%s works done, %,d works/s   ", done,
                            limit == Long.MAX_VALUE ? "" : "/" + String.format(Locale.ROOT, "%,d", limit), done - last);
                    last = done;
                }
            } catch (InterruptedException e) {
                System.err.print("\r" + " ".repeat(60) + "\r");
            }
        }, "bench-progress");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** CPU nanoseconds of the embedded manager (-1 when not embedded), the workers and the clients. */
    private void report(Run run, Histogram h, long[] cpu) {
        long managerCpuNanos = embedded ? cpu[0] : -1;
        double seconds = run.seconds();
        long done = run.done.get();
        double rate = done / seconds;
        if (json) {
            JsonWriter w = JsonWriter.toBytes().beginObject()
                    .name("works").value(done).name("seconds").value(round(seconds, 3)).name("worksPerSecond").value(Math.round(rate))
                    .name("errors").value(run.errors.get())
                    .name("group").value(group).name("concurrency").value(concurrency).name("clients").value(clients)
                    .name("workers").value(workers).name("slots").value(slots).name("workMs").value(workMs).name("payload").value(payload)
                    .name("latencyMicros").beginObject()
                    .name("p50").value(micros(h.getValueAtPercentile(50))).name("p90").value(micros(h.getValueAtPercentile(90)))
                    .name("p99").value(micros(h.getValueAtPercentile(99))).name("p999").value(micros(h.getValueAtPercentile(99.9)))
                    .name("max").value(micros(h.getMaxValue())).name("mean").value(round(h.getMean() / 1000, 1)).endObject();
            if (managerCpuNanos >= 0) {
                w.name("managerCpuSeconds").value(round(managerCpuNanos / 1e9, 3))
                        .name("managerCpuMicrosPerWork").value(round(managerCpuNanos / 1e3 / Math.max(1, done), 3));
            }
            if (workMs > 0) {
                w.name("workMicros").beginObject().name("p50").value(micros(workTime.getValueAtPercentile(50)))
                        .name("p99").value(micros(workTime.getValueAtPercentile(99))).name("mean").value(round(workTime.getMean() / 1000, 1)).endObject()
                        .name("slotUtilization").value(round(slotUtilization(rate), 3));
            }
            w.name("workersCpuMicrosPerWork").value(round(cpu[1] / 1e3 / Math.max(1, done), 3))
                    .name("clientsCpuMicrosPerWork").value(round(cpu[2] / 1e3 / Math.max(1, done), 3));
            System.out.println(w.endObject().toRawJson());
            return;
        }
        System.out.printf(Locale.ROOT, "%,d works in %.2f s: %,.0f works/s (group %d, concurrency %d, %d worker(s) x %d slots%s, payload %d B)%n",
                done, seconds, rate, group, concurrency, workers, slots, workMs > 0 ? ", " + workMs + " ms per work" : "", payload);
        System.out.printf(Locale.ROOT, "latency per work: p50 %s  p90 %s  p99 %s  p99.9 %s  max %s%n",
                human(h.getValueAtPercentile(50)), human(h.getValueAtPercentile(90)), human(h.getValueAtPercentile(99)),
                human(h.getValueAtPercentile(99.9)), human(h.getMaxValue()));
        if (workMs > 0) {
            System.out.printf(Locale.ROOT, "work time on the workers: p50 %s  p99 %s (asked: %d ms); slots busy %.1f%% of the time%n",
                    human(workTime.getValueAtPercentile(50)), human(workTime.getValueAtPercentile(99)), workMs, 100 * slotUtilization(rate));
        }
        System.out.printf(Locale.ROOT, "errors: %d%s%n", run.errors.get(), run.firstError == null ? "" : " (first: " + run.firstError + ")");
        if (managerCpuNanos >= 0) {
            System.out.printf(Locale.ROOT, "manager CPU: %.2f s (%.2f us per work)%n", managerCpuNanos / 1e9, managerCpuNanos / 1e3 / Math.max(1, done));
        }
        System.out.printf(Locale.ROOT, "load generator CPU per work: workers %.2f us, clients %.2f us%n",
                cpu[1] / 1e3 / Math.max(1, done), cpu[2] / 1e3 / Math.max(1, done));
    }

    /** Share of the slots' time spent running works: throughput times the mean real work time, over the slots. */
    private double slotUtilization(double worksPerSecond) {
        return worksPerSecond * workTime.getMean() / 1e9 / ((double) workers * slots);
    }

    /** CPU time of this JVM's threads: [manager I/O and core, workers, clients]. */
    private static long[] cpuNanos() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long[] total = new long[3];
        for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            String name = info.getThreadName();
            int bucket = name.startsWith("proletariat-io-") || name.startsWith("proletariat-core-") ? 0
                    : name.startsWith("proletariat-worker") ? 1
                    : name.startsWith("proletariat-client") ? 2 : -1;
            long t = bucket < 0 ? -1 : mx.getThreadCpuTime(info.getThreadId());
            if (t > 0) {
                total[bucket] += t;
            }
        }
        return total;
    }

    /** {@code {"p":"xxxx..."}} of exactly {@code bytes} bytes. */
    static RawJson payload(int bytes) {
        return RawJson.of("{\"p\":\"" + "x".repeat(Math.max(0, bytes - 8)) + "\"}");
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    private static double micros(long nanos) {
        return round(nanos / 1000.0, 1);
    }

    private static String human(long nanos) {
        if (nanos < 1_000_000) {
            return String.format(Locale.ROOT, "%.0f us", nanos / 1000.0);
        }
        return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
    }
}
