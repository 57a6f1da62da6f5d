package io.proletariat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.proletariat.manager.Manager;
import io.proletariat.testing.Participants;
import io.proletariat.worker.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A work keeps its identity across managers: a worker that lost its manager finishes what it ran and
 * hands the results to the next one, which answers the client's resent works with them, so nothing
 * runs twice (docs/cluster.md, session resumption).
 */
class ResumptionTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final Participants p = new Participants();

    @AfterEach
    void closeAll() {
        p.close();
    }

    @Test
    void resultsFinishedWhileTheManagerWasDownReachTheirClientsWithoutRunningAgain() throws Exception {
        Manager first = p.startManager();
        int port = first.port();
        int n = 6;
        CountDownLatch started = new CountDownLatch(n);
        CountDownLatch release = new CountDownLatch(1);
        Map<Object, AtomicInteger> runs = new ConcurrentHashMap<>();
        Worker worker = p.worker(p.workerOptions().slots(n).build(), (work, done) -> {
            Object v = work.args(Map.class).get("v");
            runs.computeIfAbsent(v, k -> new AtomicInteger()).incrementAndGet();
            started.countDown();
            release.await();
            done.success(Map.of("v", v));
        });
        Client client = p.client();
        List<CompletableFuture<WorkResult>> results = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            results.add(client.submitOne(Map.of("v", i)));
        }
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();

        first.close(); // the manager dies with every work running
        await().atMost(WAIT).until(() -> !worker.isReady() && !client.isConnected());
        release.countDown(); // the works finish while there is no manager
        Manager second = p.restartManager(port);

        for (int i = 0; i < n; i++) {
            assertThat(results.get(i).get(30, TimeUnit.SECONDS).get(Map.class)).isEqualTo(Map.of("v", i));
        }
        assertThat(runs.values()).hasSize(n).allMatch(c -> c.get() == 1);
        assertThat(second.stats().counters().resumed()).isEqualTo(n);
        assertThat(second.stats().counters().rerun()).isZero();
        assertThat(second.stats().counters().assigned()).isZero();
    }

    @Test
    void aResentWorkWaitsForTheReturningWorkerThatStillRunsIt() throws Exception {
        Manager first = p.startManager();
        int port = first.port();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        Worker worker = p.worker(p.workerOptions().slots(2).build(), (work, done) -> {
            runs.incrementAndGet();
            started.countDown();
            release.await();
            done.success("once");
        });
        Client client = p.client();
        CompletableFuture<WorkResult> result = client.submitOne("w");
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();

        first.close();
        await().atMost(WAIT).until(() -> !worker.isReady() && !client.isConnected());
        Manager second = p.restartManager(port);
        // Both come back while the work still runs: the resent work is parked, not run again.
        await().atMost(WAIT).until(() -> worker.isReady() && second.counts().liveWorks() == 1);
        assertThat(second.counts().runningWorks()).isZero();
        assertThat(second.counts().queuedWorks()).isZero();
        release.countDown();

        assertThat(result.get(30, TimeUnit.SECONDS).get(String.class)).isEqualTo("once");
        assertThat(runs.get()).isEqualTo(1);
        assertThat(second.stats().counters().resumed()).isEqualTo(1);
        assertThat(second.stats().counters().rerun()).isZero();
    }

    @Test
    void aWorkWhoseWorkerDiedRunsAgainAndIsCountedAsARerun() throws Exception {
        p.startManager();
        CountDownLatch started = new CountDownLatch(1);
        Worker doomed = p.worker(1, (work, done) -> {
            started.countDown();
            new CountDownLatch(1).await(); // never finishes: its worker is stopped
        });
        Client client = p.client();
        CompletableFuture<WorkResult> result = client.submitOne("w");
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        doomed.stop();
        p.worker(1, (work, done) -> done.success("second run"));

        assertThat(result.get(30, TimeUnit.SECONDS).get(String.class)).isEqualTo("second run");
        assertThat(p.manager().stats().counters().rerun()).isEqualTo(1);
    }
}
