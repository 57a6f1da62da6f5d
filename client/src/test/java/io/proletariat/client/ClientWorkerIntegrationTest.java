package io.proletariat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.proletariat.protocol.ProletariatException;
import io.proletariat.protocol.RawJson;
import io.proletariat.protocol.SystemMessage;
import io.proletariat.testing.Participants;
import io.proletariat.worker.Work;
import io.proletariat.worker.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real manager, real workers and clients on loopback. */
@SuppressWarnings({"unchecked", "rawtypes"})
class ClientWorkerIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final Participants p = new Participants();

    @BeforeEach
    void startManager() {
        p.startManager();
    }

    @AfterEach
    void closeAll() {
        p.close();
    }

    /** Echo handler: {"v": args.v, "by": worker}. */
    static void echo(Work work, io.proletariat.worker.WorkCompletion done) {
        Map<?, ?> args = work.args(Map.class);
        done.success(Map.of("v", args.get("v")));
    }

    @Test
    void aSecondCloseWaitsForTheSameDrainInsteadOfCuttingItShort() throws Exception {
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        io.proletariat.worker.Worker worker = p.worker(2, (work, done) -> {
            started.countDown();
            release.await();
            done.success("finished");
        });
        Client client = p.client();
        CompletableFuture<WorkResult> result = client.submitOne("w", WorkOptions.DEFAULT);
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();

        // A shutdown hook and try-with-resources may both close the worker: neither cancels the running work.
        CompletableFuture<Void> first = CompletableFuture.runAsync(worker::close);
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> p.manager().stats().slotsTotal() == 1); // draining
        CompletableFuture<Void> second = CompletableFuture.runAsync(worker::close);
        assertThat(second).isNotDone();
        release.countDown();

        assertThat(result.get(30, TimeUnit.SECONDS).get(String.class)).isEqualTo("finished");
        first.get(30, TimeUnit.SECONDS);
        second.get(30, TimeUnit.SECONDS);
        assertThat(worker.awaitTermination(Duration.ofSeconds(30))).isTrue();
    }

    @Test
    void singleWorkGivesErrAndData() throws Exception {
        p.worker(2, ClientWorkerIntegrationTest::echo);
        Client client = p.client();
        CompletableFuture<Object[]> got = new CompletableFuture<>();
        client.work(Map.of("v", "hello"), WorkOptions.DEFAULT, (err, data, result) -> got.complete(new Object[] {err, data, result, Thread.currentThread().getName()}));
        Object[] r = got.get(30, TimeUnit.SECONDS);
        assertThat(r[0]).isNull();
        assertThat(r[1].toString()).isEqualTo("{\"v\":\"hello\"}");
        assertThat(((WorkResult) r[2]).workId()).startsWith("W");
        assertThat((String) r[3]).contains("callbacks").doesNotContain("-io-");
    }

    @Test
    void workGroupAnswersInInputOrderWithErrorShapes() throws Exception {
        p.worker(2, (work, done) -> {
            String op = work.args(Map.class).get("op").toString();
            switch (op) {
                case "slow": Thread.sleep(200); done.success("slow"); break;
                case "fail": throw new IllegalStateException("boom");
                case "coded": done.fail(new ProletariatException("EMINE", "mine")); break;
                case "obj": done.fail(Map.of("code", "EOBJ", "detail", 7)); break;
                default: done.success(op);
            }
        });
        Client client = p.client();
        List<Map<String, String>> works = List.of(Map.of("op", "slow"), Map.of("op", "fail"), Map.of("op", "coded"), Map.of("op", "obj"), Map.of("op", "fast"));
        AtomicReference<List<WorkResult>> got = new AtomicReference<>();
        client.work(works, WorkOptions.DEFAULT, (err, results) -> got.set(results));
        await().atMost(WAIT).until(() -> got.get() != null);
        List<WorkResult> r = got.get();
        assertThat(r).extracting(WorkResult::index).containsExactly(0, 1, 2, 3, 4);
        assertThat(r.get(0).get(String.class)).isEqualTo("slow");
        assertThat(r.get(1).error().toString()).isEqualTo("{\"message\":\"boom\"}");
        assertThat(r.get(2).error().toString()).isEqualTo("{\"message\":\"mine\",\"code\":\"EMINE\"}");
        assertThat(r.get(2).exception().code()).isEqualTo("EMINE");
        assertThat(r.get(3).errorCode()).isEqualTo("EOBJ");
        assertThat(r.get(3).error(Map.class)).containsEntry("detail", 7);
        assertThat(r.get(4).data(String.class)).isEqualTo("fast");
    }

    @Test
    void workIndividualCallsEachWorkThenTheGroup() throws Exception {
        // The works finish in the order the test releases them, 2, 1, 0: each callback releases the next.
        List<CountDownLatch> release = List.of(new CountDownLatch(1), new CountDownLatch(1), new CountDownLatch(1));
        p.worker(3, (work, done) -> {
            int k = work.args(Integer.class);
            release.get(k).await();
            done.success(k);
        });
        Client client = p.client();
        List<Integer> each = new CopyOnWriteArrayList<>();
        CompletableFuture<List<Integer>> eachBeforeGroup = new CompletableFuture<>();
        CompletableFuture<List<WorkResult>> group = new CompletableFuture<>();
        client.workIndividual(List.of(0, 1, 2), WorkOptions.DEFAULT,
                (err, data, result) -> {
                    int k = result.data(Integer.class);
                    each.add(k);
                    if (k > 0) {
                        release.get(k - 1).countDown();
                    }
                },
                (err, results) -> {
                    eachBeforeGroup.complete(List.copyOf(each));
                    group.complete(results);
                });
        release.get(2).countDown();
        List<WorkResult> results = group.get(30, TimeUnit.SECONDS);
        assertThat(results).extracting(r -> r.data(Integer.class)).containsExactly(0, 1, 2); // submission order
        assertThat(eachBeforeGroup.get()).containsExactly(2, 1, 0); // each as it finished, all before the group
    }

    @Test
    void futuresForGroupsSingleWorksAndIndividualWorks() throws Exception {
        p.worker(4, ClientWorkerIntegrationTest::echo);
        Client client = p.client();
        List<WorkResult> group = client.submit(List.of(Map.of("v", 1), Map.of("v", 2))).get(30, TimeUnit.SECONDS);
        assertThat(group).extracting(r -> r.data(Map.class).get("v")).containsExactly(1, 2);
        WorkResult one = client.submitOne(Map.of("v", "x")).get(30, TimeUnit.SECONDS);
        assertThat(one.data(Map.class)).containsEntry("v", "x");
        WorkSubmission s = client.submitIndividual(List.of(Map.of("v", "a"), Map.of("v", "b")), WorkOptions.DEFAULT);
        assertThat(s.requestId()).matches("R\\d{1,6}r\\d+");
        assertThat(s.works()).hasSize(2);
        assertThat(s.works().get(1).get(30, TimeUnit.SECONDS).data(Map.class)).containsEntry("v", "b");
        assertThat(s.all().get(30, TimeUnit.SECONDS)).hasSize(2);
    }

    @Test
    void runTimeoutGivesEtoInterruptsTheHandlerAndKeepsTheSlotUntilItReturns() throws Exception {
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicBoolean abortHeard = new AtomicBoolean();
        CountDownLatch release = new CountDownLatch(1);
        Worker worker = p.worker(1, (work, done) -> {
            work.onAbort(() -> abortHeard.set(true));
            try {
                Thread.sleep(20_000);
            } catch (InterruptedException e) {
                interrupted.set(work.isCancelled());
                release.await(); // keeps the slot busy after the interrupt
            }
            done.success("too late");
        });
        Client client = p.client();
        WorkResult r = client.submitOne("x", WorkOptions.builder().runTimeout(200).build()).get(30, TimeUnit.SECONDS);
        assertThat(r.errorCode()).isEqualTo("ETO");
        assertThat(r.error().toString()).isEqualTo("{\"code\":\"ETO\",\"message\":\"Timeout\"}");
        assertThat(r.data()).isEqualTo(RawJson.NULL);
        await().atMost(WAIT).untilTrue(interrupted);
        await().atMost(WAIT).untilTrue(abortHeard);
        assertThat(worker.busySlots()).isEqualTo(1);
        release.countDown();
        await().atMost(WAIT).until(() -> worker.busySlots() == 0);
    }

    @Test
    void assignTimeoutGivesEatoWhenNoWorkerTakesIt() throws Exception {
        Client client = p.client();
        List<WorkResult> r = client.submit(List.of("a", "b"), WorkOptions.builder().assignTimeout(200).build()).get(30, TimeUnit.SECONDS);
        assertThat(r).extracting(WorkResult::errorCode).containsExactly("EATO", "EATO");
        assertThat(r.get(0).exception()).isInstanceOf(WorkFailedException.class);
    }

    @Test
    void clientTimeoutGivesEcstoAndAbortsTheWorkOnTheWorker() throws Exception {
        AtomicBoolean aborted = new AtomicBoolean();
        AtomicBoolean cancelledSeen = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        Worker worker = p.worker(2, (work, done) -> {
            if (work.args(String.class).equals("fast")) {
                done.success("fast");
                return;
            }
            work.onAbort(() -> aborted.set(true));
            started.countDown();
            try {
                Thread.sleep(20_000);
            } catch (InterruptedException e) {
                cancelledSeen.set(work.isCancelled());
            }
        });
        Client client = p.client();
        CompletableFuture<List<WorkResult>> f = client.submit(List.of("fast", "slow"), WorkOptions.builder().overallTimeout(1_000).build());
        List<WorkResult> r = f.get(30, TimeUnit.SECONDS);
        assertThat(r.get(0).data(String.class)).isEqualTo("fast");
        assertThat(r.get(1).errorCode()).isEqualTo("ECSTO");
        assertThat(started.getCount()).isZero();
        await().atMost(WAIT).untilTrue(aborted);
        await().atMost(WAIT).untilTrue(cancelledSeen);
        await().atMost(WAIT).until(() -> worker.busySlots() == 0);
    }

    @Test
    void highPriorityWorkOvertakesQueuedLowPriority() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        // No prefetch: the works wait at the manager (the prefetch path: worker/PrefetchTest).
        p.worker(p.workerOptions().slots(1).prefetch(0).build(), (work, done) -> {
            String v = work.args(String.class);
            if (v.equals("blocker")) {
                gate.await();
            }
            order.add(v);
            done.success(v);
        });
        Client client = p.client();
        CompletableFuture<WorkResult> blocker = client.submitOne("blocker");
        await().atMost(WAIT).until(() -> p.manager().runningWorks() == 1);
        CompletableFuture<List<WorkResult>> low = client.submit(List.of("low1", "low2"), WorkOptions.builder().priority(0).build());
        await().atMost(WAIT).until(() -> p.manager().queuedWorks() == 2);
        CompletableFuture<WorkResult> high = client.submitOne("high", WorkOptions.builder().priority(5).build());
        await().atMost(WAIT).until(() -> p.manager().queuedWorks() == 3);
        gate.countDown();
        CompletableFuture.allOf(blocker, low, high).get(30, TimeUnit.SECONDS);
        assertThat(order).containsExactly("blocker", "high", "low1", "low2");
    }

    @Test
    void unserialisableResultBecomesAnErrorResult() throws Exception {
        p.worker(1, (work, done) -> done.success(new Object())); // Jackson: no properties -> fails
        Client client = p.client();
        WorkResult r = client.submitOne("x").get(30, TimeUnit.SECONDS);
        assertThat(r.errorCode()).isEqualTo("ESERIAL");
        assertThat(r.errorMessage()).contains("could not be serialised");
    }

    @Test
    void systemMessagesRoundTrip() throws Exception {
        List<SystemMessage> atWorker = new CopyOnWriteArrayList<>();
        List<SystemMessage> atClient = new CopyOnWriteArrayList<>();
        List<String> atManager = new CopyOnWriteArrayList<>();
        p.manager().addListener(new io.proletariat.manager.ManagerListener() {
            @Override
            public void sysmsg(SystemMessage message) {
                atManager.add(message.content().toString());
            }
        });
        Worker worker = p.worker(1, ClientWorkerIntegrationTest::echo);
        worker.onSystemMessage(atWorker::add);
        Client client = p.client();
        client.onSystemMessage(atClient::add);
        await().atMost(WAIT).until(client::isConnected);

        SystemMessageReceipt all = client.systemMessage(Map.of("hello", "everybody")).get(30, TimeUnit.SECONDS);
        assertThat(all.sentTo()).isEqualTo(1);
        assertThat(all.receivedBy()).isEqualTo(1);
        assertThat(all.id()).matches("M\\d{1,6}\\.\\d+");
        await().atMost(WAIT).until(() -> atWorker.size() == 1);
        assertThat(atWorker.get(0).content(Map.class)).containsEntry("hello", "everybody");
        assertThat(atWorker.get(0).from()).startsWith("C");
        assertThat(atWorker.get(0).id()).endsWith("/" + all.id());
        await().atMost(WAIT).until(() -> atManager.contains("{\"hello\":\"everybody\"}"));

        SystemMessageReceipt toManager = worker.systemMessage("manager only", SystemMessage.MANAGER).get(30, TimeUnit.SECONDS);
        assertThat(toManager.sentTo()).isZero();
        await().atMost(WAIT).until(() -> atManager.contains("\"manager only\""));

        CompletableFuture<SystemMessageReceipt> viaCallback = new CompletableFuture<>();
        client.systemMessage(Map.of("hello", "worker"), worker.id(), (err, receipt) -> viaCallback.complete(receipt));
        assertThat(viaCallback.get(30, TimeUnit.SECONDS).receivedBy()).isEqualTo(1);
        await().atMost(WAIT).until(() -> atWorker.size() == 2);

        worker.systemMessage(Map.of("from", "worker")).get(30, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> atClient.size() == 1);
        assertThat(atClient.get(0).from()).isEqualTo(worker.id());
    }

    @Test
    void clientResendsUnansweredWorksAfterManagerRestartAndTheWorkRunsOnce() throws Exception {
        int port = p.manager().port();
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch firstRunStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        p.worker(2, (work, done) -> {
            runs.incrementAndGet();
            firstRunStarted.countDown();
            release.await(); // not interrupted when the manager goes: its result goes to the next one
            done.success(work.args(String.class) + "!");
        });
        Client client = p.client();
        CompletableFuture<List<WorkResult>> f = client.submit(List.of("a"));
        assertThat(firstRunStarted.await(30, TimeUnit.SECONDS)).isTrue();
        p.manager().close();
        await().atMost(WAIT).until(() -> !client.isConnected());
        p.restartManager(port);
        release.countDown();
        List<WorkResult> r = f.get(30, TimeUnit.SECONDS);
        assertThat(r.get(0).data(String.class)).isEqualTo("a!");
        assertThat(runs.get()).isEqualTo(1);
    }

    @Test
    void worksOfADeadWorkerAreRequeuedAndAnsweredByAnother() throws Exception {
        CountDownLatch onFirst = new CountDownLatch(1);
        Worker first = p.worker(1, (work, done) -> {
            onFirst.countDown();
            Thread.sleep(20_000);
            done.success("first");
        });
        Client client = p.client();
        CompletableFuture<WorkResult> f = client.submitOne("job");
        assertThat(onFirst.await(30, TimeUnit.SECONDS)).isTrue();
        p.worker(1, (work, done) -> done.success("second"));
        first.stop();
        assertThat(f.get(30, TimeUnit.SECONDS).data(String.class)).isEqualTo("second");
    }

    @Test
    void managerDownAtStartFailsWithConnectionRefusedAfterTheRetryLimit() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Client client = p.client(ClientOptions.builder().host("127.0.0.1").port(port).maxRetries(2).retryDelay(Duration.ofMillis(50)).build());
        CompletableFuture<List<WorkResult>> f = client.submit(List.of("x"));
        assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(ConnectionException.class)
                .cause().extracting(e -> ((ProletariatException) e).code()).isEqualTo("ECONNREFUSED");
    }

    @Test
    void prioritySlotsKeepGuaranteedSlotsForHigherPriorities() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        p.worker(p.workerOptions().slots(2).prioritySlots(Map.of(1, 1)).build(), (work, done) -> {
            if (work.args(String.class).startsWith("low")) {
                gate.await();
            }
            done.success(work.args(String.class));
        });
        Client client = p.client();
        CompletableFuture<List<WorkResult>> low = client.submit(List.of("low1", "low2"));
        await().atMost(WAIT).until(() -> p.manager().runningWorks() == 1 && p.manager().queuedWorks() == 1);
        WorkResult high = client.submitOne("high", WorkOptions.builder().priority(1).build()).get(30, TimeUnit.SECONDS);
        assertThat(high.data(String.class)).isEqualTo("high");
        assertThat(low).isNotDone();
        gate.countDown();
        assertThat(low.get(30, TimeUnit.SECONDS)).extracting(r -> r.data(String.class)).containsExactly("low1", "low2");
    }
}
