package io.proletariat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.proletariat.client.Client;
import io.proletariat.client.ClientOptions;
import io.proletariat.client.ConnectionListener;
import io.proletariat.client.WorkResult;
import io.proletariat.worker.Worker;
import io.proletariat.worker.WorkerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A worker (8 slots, answering {@code {"v":v,"twice":2v}} for {@code {"v":v}}) and a client
 * pushing works at a steady pace, about 1000 a second, both from the libraries in the test JVM,
 * given every manager of a cluster. Records when each work was answered and how often each ran, to
 * check afterwards that every work was answered once, rightly, and how long the answers stopped.
 */
final class SteadyLoad implements AutoCloseable {
    /** Works pushed per tick of the pacer. */
    private static final int PER_TICK = 4;
    /** Milliseconds between ticks: with {@link #PER_TICK}, about 1000 works a second. */
    private static final long TICK_MILLIS = 4;

    /** The most works pushed: the pushing stops there, or at {@link #stopPushing()}. */
    final int max;
    /** Works pushed so far. */
    private final AtomicInteger pushed = new AtomicInteger();
    final Worker worker;
    final Client client;
    /** Runs of the handler per work. */
    final Map<Integer, AtomicInteger> runs = new ConcurrentHashMap<>();
    /** When each work was answered ({@link System#nanoTime()}), 0 until then. */
    final AtomicLongArray answeredAt;
    final AtomicInteger answered = new AtomicInteger();
    /** The client's reconnections, as its connection listener hears them. */
    final AtomicInteger clientReconnects = new AtomicInteger();
    private final List<CompletableFuture<WorkResult>> results = new ArrayList<>();
    private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "steady-load-pacer");
        t.setDaemon(true);
        return t;
    });

    SteadyLoad(String managers, int max, Duration managerSilence) {
        this.max = max;
        this.answeredAt = new AtomicLongArray(max);
        worker = new Worker(WorkerOptions.builder().managers(managers).slots(8).retryDelay(Duration.ofMillis(100))
                .managerSilence(managerSilence).build())
                .onWork((work, done) -> {
                    int v = ((Number) work.args(Map.class).get("v")).intValue();
                    runs.computeIfAbsent(v, k -> new AtomicInteger()).incrementAndGet();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // a little work
                    done.success(Map.of("v", v, "twice", v * 2));
                });
        worker.start();
        client = new Client(ClientOptions.builder().managers(managers).retryDelay(Duration.ofMillis(100)).maxRetries(100_000)
                .managerSilence(managerSilence).build());
        client.addConnectionListener(new ConnectionListener() {
            @Override
            public void onReconnected() {
                clientReconnects.incrementAndGet();
            }
        });
    }

    /** Starts pushing, {@value #PER_TICK} works every {@value #TICK_MILLIS} ms, until {@link #max} are pushed. */
    SteadyLoad start() {
        pacer.scheduleAtFixedRate(() -> {
            for (int k = 0; k < PER_TICK; k++) {
                int i = pushed.get();
                if (i >= max) {
                    pacer.shutdown();
                    return;
                }
                CompletableFuture<WorkResult> f = client.submitOne(Map.of("v", i));
                synchronized (results) {
                    results.add(f);
                }
                pushed.incrementAndGet();
                f.whenComplete((r, e) -> {
                    answeredAt.set(i, System.nanoTime());
                    answered.incrementAndGet();
                });
            }
        }, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Stops pushing; returns the works pushed. */
    int stopPushing() throws InterruptedException {
        pacer.shutdown();
        if (!pacer.awaitTermination(10, TimeUnit.SECONDS)) {
            throw new AssertionError("the pacer did not stop");
        }
        return pushed.get();
    }

    /** Works pushed so far. */
    int pushed() {
        return pushed.get();
    }

    /** Every work was pushed (or those pushed until {@link #stopPushing()}) and answered, each with its own result, each once. */
    void assertEveryWorkAnsweredOnceRightly(Duration atMost) throws Exception {
        org.awaitility.Awaitility.await().atMost(atMost).until(() -> pacer.isTerminated() && answered.get() >= pushed.get());
        int n = pushed.get();
        List<CompletableFuture<WorkResult>> all;
        synchronized (results) {
            all = new ArrayList<>(results);
        }
        assertThat(all).hasSize(n);
        for (int i = 0; i < n; i++) {
            Map<?, ?> data = all.get(i).get(1, TimeUnit.SECONDS).get(Map.class);
            assertThat(data).as("work %d", i).isEqualTo(Map.of("v", i, "twice", i * 2));
        }
        assertThat(answered.get()).as("answers").isEqualTo(n);
        assertThat(runs).as("works that ran").hasSize(n);
    }

    /** Handler runs beyond one per work. */
    long extraRuns() {
        return runs.values().stream().mapToInt(AtomicInteger::get).sum() - runs.size();
    }

    /**
     * The longest stretch without an answer, in ms, and where it lay relative to {@code eventNanos}:
     * {@code [gap, startOffset, endOffset]}.
     */
    long[] longestSilence(long eventNanos) {
        int n = pushed.get();
        long[] times = new long[n];
        for (int i = 0; i < n; i++) {
            times[i] = answeredAt.get(i);
        }
        java.util.Arrays.sort(times);
        long gap = 0;
        long from = 0;
        long to = 0;
        for (int i = 1; i < n; i++) {
            if (times[i - 1] != 0 && times[i] - times[i - 1] > gap) {
                gap = times[i] - times[i - 1];
                from = times[i - 1];
                to = times[i];
            }
        }
        return new long[] {TimeUnit.NANOSECONDS.toMillis(gap), TimeUnit.NANOSECONDS.toMillis(from - eventNanos),
                TimeUnit.NANOSECONDS.toMillis(to - eventNanos)};
    }

    @Override
    public void close() {
        pacer.shutdownNow();
        client.close();
        worker.close();
    }
}
