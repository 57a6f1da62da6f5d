package io.proletariat.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.proletariat.client.Client;
import io.proletariat.client.WorkOptions;
import io.proletariat.client.WorkResult;
import io.proletariat.manager.ManagerStats;
import io.proletariat.testing.Participants;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Our worker's prefetch against a real manager on loopback (docs/protocol.md, Prefetch). */
class PrefetchTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final Participants p = new Participants();
    /** The args of each work a handler ran, in the order they started. */
    private final List<String> ran = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void startManager() {
        p.startManager();
    }

    @AfterEach
    void closeAll() {
        release.countDown();
        p.close();
    }

    /** Records the work, then holds its slot until {@link #release}. */
    private void blocking(Work work, WorkCompletion done) throws InterruptedException {
        String arg = work.args(String.class);
        ran.add(arg);
        release.await();
        done.success(arg);
    }

    private Worker worker(int slots, int prefetch) {
        return p.worker(p.workerOptions().slots(slots).prefetch(prefetch).build(), this::blocking);
    }

    private ManagerStats.WorkerStats stats(Worker w) {
        return p.manager().stats().workers().stream().filter(s -> s.id().equals(w.id())).findFirst().orElseThrow();
    }

    private List<CompletableFuture<WorkResult>> submit(Client client, WorkOptions options, String... args) {
        List<CompletableFuture<WorkResult>> results = new ArrayList<>();
        for (String a : args) {
            results.add(client.submitOne(a, options));
        }
        return results;
    }

    @Test
    void theWorkerHoldsWorksBeyondItsSlotsUpToItsPrefetchAndRunsEachOnce() throws Exception {
        Worker worker = worker(2, 3);
        Client client = p.client();
        List<CompletableFuture<WorkResult>> results = submit(client, WorkOptions.DEFAULT, "0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        await().atMost(WAIT).until(() -> stats(worker).prefetched() == 3 && ran.size() == 2);
        ManagerStats s = p.manager().stats();
        assertThat(s.running()).isEqualTo(2);
        assertThat(s.queued().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(5);
        assertThat(worker.busySlots()).isEqualTo(2);
        release.countDown();
        for (CompletableFuture<WorkResult> r : results) {
            r.get(30, TimeUnit.SECONDS);
        }
        assertThat(ran).hasSize(10).doesNotHaveDuplicates();
        await().atMost(WAIT).until(() -> stats(worker).prefetched() == 0 && p.manager().stats().running() == 0);
        assertThat(p.manager().stats().counters().rerun()).isZero();
    }

    @Test
    void aPrefetchedWorkWhoseAssignTimeoutFiresGetsEatoAndNeverRuns() throws Exception {
        worker(1, 1);
        Client client = p.client();
        CompletableFuture<WorkResult> first = client.submitOne("first", WorkOptions.DEFAULT);
        await().atMost(WAIT).until(() -> ran.size() == 1);
        CompletableFuture<WorkResult> late = client.submitOne("late", WorkOptions.builder().assignTimeout(300).build());
        WorkResult r = late.get(30, TimeUnit.SECONDS);
        assertThat(r.error().toString()).contains("EATO");
        release.countDown();
        first.get(30, TimeUnit.SECONDS);
        client.submitOne("after", WorkOptions.DEFAULT).get(30, TimeUnit.SECONDS); // the worker had its chance to run it
        assertThat(ran).containsExactly("first", "after");
    }

    @Test
    void aHigherPriorityWorkOvertakesLowerPrefetchedOnes() throws Exception {
        Worker worker = worker(1, 2);
        Client client = p.client();
        List<CompletableFuture<WorkResult>> results = new ArrayList<>(submit(client, WorkOptions.DEFAULT, "first"));
        await().atMost(WAIT).until(() -> ran.size() == 1);
        results.addAll(submit(client, WorkOptions.DEFAULT, "low1", "low2", "low3"));
        await().atMost(WAIT).until(() -> stats(worker).prefetched() == 2);
        results.addAll(submit(client, WorkOptions.builder().priority(5).build(), "high"));
        // low2 is recalled and given back; high waits on the worker in its place, ahead of low1.
        await().atMost(WAIT).until(() -> p.manager().stats().queued().getOrDefault(0, 0L) == 2);
        release.countDown();
        for (CompletableFuture<WorkResult> r : results) {
            r.get(30, TimeUnit.SECONDS);
        }
        assertThat(ran).containsExactly("first", "high", "low1", "low2", "low3");
        assertThat(p.manager().stats().counters().rerun()).isZero();
    }

    @Test
    void aDeadWorkersPrefetchedWorksRunElsewhereWithoutARerun() throws Exception {
        Worker dying = worker(1, 2);
        Client client = p.client();
        List<CompletableFuture<WorkResult>> results = submit(client, WorkOptions.DEFAULT, "a", "b", "c");
        await().atMost(WAIT).until(() -> stats(dying).prefetched() == 2);
        dying.stop();
        List<String> second = Collections.synchronizedList(new ArrayList<>());
        p.worker(p.workerOptions().slots(3).prefetch(0).build(), (work, done) -> {
            second.add(work.args(String.class));
            done.success("again");
        });
        for (CompletableFuture<WorkResult> r : results) {
            assertThat(r.get(30, TimeUnit.SECONDS).get(String.class)).isEqualTo("again");
        }
        assertThat(second).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(ran).containsExactly("a");
        assertThat(p.manager().stats().counters().rerun()).isEqualTo(1); // "a" ran on the dying worker; b and c never started
    }

    @Test
    void aClientCancellingAPrefetchedWorkTakesItOffTheWorker() throws Exception {
        Worker worker = worker(1, 1);
        Client client = p.client();
        CompletableFuture<WorkResult> first = client.submitOne("first", WorkOptions.DEFAULT);
        await().atMost(WAIT).until(() -> ran.size() == 1);
        CompletableFuture<WorkResult> cancelled = client.submitOne("cancelled", WorkOptions.builder().overallTimeout(300).build());
        await().atMost(WAIT).until(cancelled::isDone); // ECSTO, and an abort to the manager
        await().atMost(WAIT).until(() -> stats(worker).prefetched() == 0 && p.manager().counts().liveWorks() == 1);
        release.countDown();
        first.get(30, TimeUnit.SECONDS);
        client.submitOne("after", WorkOptions.DEFAULT).get(30, TimeUnit.SECONDS);
        assertThat(ran).containsExactly("first", "after");
    }

    @Test
    void aLeavingWorkerGivesItsPrefetchedWorksBack() throws Exception {
        Worker leaving = worker(1, 2);
        Client client = p.client();
        List<CompletableFuture<WorkResult>> results = submit(client, WorkOptions.DEFAULT, "a", "b", "c");
        await().atMost(WAIT).until(() -> stats(leaving).prefetched() == 2);
        CompletableFuture<Void> closed = CompletableFuture.runAsync(leaving::close);
        await().atMost(WAIT).until(() -> p.manager().stats().queued().getOrDefault(0, 0L) == 2);
        release.countDown();
        closed.get(30, TimeUnit.SECONDS);
        p.worker(p.workerOptions().slots(2).build(), (work, done) -> done.success("elsewhere"));
        assertThat(results.get(0).get(30, TimeUnit.SECONDS).get(String.class)).isEqualTo("a");
        assertThat(results.get(1).get(30, TimeUnit.SECONDS).get(String.class)).isEqualTo("elsewhere");
        assertThat(results.get(2).get(30, TimeUnit.SECONDS).get(String.class)).isEqualTo("elsewhere");
        assertThat(ran).containsExactly("a");
    }
}
