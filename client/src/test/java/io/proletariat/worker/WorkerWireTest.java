package io.proletariat.worker;

import static io.proletariat.testing.Wire.get;
import static io.proletariat.testing.Wire.strings;
import static io.proletariat.testing.Wire.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.proletariat.protocol.RawJson;
import io.proletariat.protocol.SystemMessage;
import io.proletariat.testing.FakeManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the worker puts on the wire, checked against a scripted manager. */
class WorkerWireTest {
    private FakeManager fake;
    private Worker worker;

    @BeforeEach
    void startFake() throws Exception {
        fake = new FakeManager();
    }

    @AfterEach
    void stop() throws Exception {
        if (worker != null) {
            worker.stop();
        }
        fake.close();
    }

    private WorkerOptions.Builder options() {
        return WorkerOptions.builder().port(fake.port()).retryDelay(Duration.ofMillis(100));
    }

    private FakeManager.Conn startAndAcceptOffer(WorkerOptions options, WorkHandler handler) throws Exception {
        worker = new Worker(options).onWork(handler).start();
        FakeManager.Conn conn = fake.accept();
        RawJson offer = conn.next();
        assertThat(text(offer, "command")).isEqualTo("offer");
        conn.send("{\"description\":\"You are very nice comrade\",\"you\":\"C1.5\",\"to\":\"offer\",\"command\":\"answer\"}");
        await().atMost(Duration.ofSeconds(20)).until(() -> "C1.5".equals(worker.id()));
        return conn;
    }

    @Test
    void resultsTheLostManagerDidNotAnswerGoToTheNextOneInAResumeBeforeTheOffer() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        FakeManager.Conn conn = startAndAcceptOffer(options().slots(3).build(), (w, d) -> {
            if (w.args(String.class).equals("slow")) {
                release.await(); // still running when the manager goes
            }
            d.success(w.args(String.class).toUpperCase());
        });
        conn.send("{\"work\":[{\"id\":\"W1\",\"args\":\"fast\",\"uid\":\"s/r/0\"},{\"id\":\"W2\",\"args\":\"slow\",\"uid\":\"s/r/1\"},"
                + "{\"id\":\"W3\",\"args\":\"plain\"}],\"command\":\"push\"}");
        conn.next("answer");
        RawJson done = conn.next("done"); // W1's result, never answered: the manager dies with it
        assertThat(done.toString()).contains("W1");
        conn.close();

        FakeManager.Conn again = fake.accept();
        RawJson resume = again.next();
        assertThat(text(resume, "command")).isEqualTo("resume");
        assertThat(resume.fields().get("results").toString()).isEqualTo("[{\"uid\":\"s/r/0\",\"result\":{\"err\":null,\"data\":\"FAST\"}}]");
        assertThat(resume.fields().get("running").toString()).isEqualTo("[\"s/r/1\"]"); // W3 had no identity: cancelled
        assertThat(text(again.next(), "command")).isEqualTo("offer");
        again.send("{\"answered\":1,\"stored\":0,\"to\":\"resume\",\"command\":\"answer\"}");
        again.send("{\"you\":\"C2.1\",\"to\":\"offer\",\"command\":\"answer\"}");
        await().atMost(Duration.ofSeconds(20)).until(() -> "C2.1".equals(worker.id())); // the resume's answer came first

        release.countDown(); // the orphan finishes: its result goes as a resume, not a done
        RawJson late = again.next("resume");
        assertThat(late.fields().get("results").toString()).isEqualTo("[{\"uid\":\"s/r/1\",\"result\":{\"err\":null,\"data\":\"SLOW\"}}]");
        assertThat(late.fields().get("running").toString()).isEqualTo("[]");
    }

    @Test
    void offersTheNumberOfSlots() throws Exception {
        worker = new Worker(options().slots(2).build()).onWork((w, d) -> d.success(null)).start();
        assertThat(fake.accept().next().toString()).isEqualTo("{\"slots\":2,\"prefetch\":1,\"command\":\"offer\"}"); // a tenth, at least 1
    }

    @Test
    void offersNoPrefetchWhenTurnedOffOrWithPrioritySlots() throws Exception {
        worker = new Worker(options().slots(30).prefetch(0).build()).onWork((w, d) -> d.success(null)).start();
        assertThat(fake.accept().next().toString()).isEqualTo("{\"slots\":30,\"command\":\"offer\"}");
        worker.stop();
        worker = new Worker(options().slots(30).prefetch(5).prioritySlots(java.util.Map.of(1, 10)).build()).onWork((w, d) -> d.success(null)).start();
        assertThat(fake.accept().next().toString()).isEqualTo("{\"slots\":{\"0\":20,\"1\":10},\"command\":\"offer\"}");
    }

    @Test
    void waitingPrefetchedWorksStartAsResultsFreeSlotsAndARecallGivesBackTheOthers() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> ran = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        FakeManager.Conn conn = startAndAcceptOffer(options().slots(1).prefetch(3).build(), (w, d) -> {
            ran.add(w.id());
            if (w.id().equals("W1")) {
                release.await();
            }
            d.success("ok");
        });
        conn.send("{\"work\":[{\"id\":\"W1\",\"args\":1},{\"id\":\"W2\",\"args\":2,\"prefetch\":true,\"priority\":0},"
                + "{\"id\":\"W3\",\"args\":3,\"prefetch\":true,\"priority\":7},{\"id\":\"W4\",\"args\":4,\"prefetch\":true,\"priority\":0},"
                + "{\"id\":\"W5\",\"args\":5,\"prefetch\":true,\"priority\":0}],\"command\":\"push\"}");
        RawJson answer = conn.next("answer");
        assertThat(answer.fields().get("accepted").toString()).isEqualTo("[\"W1\",\"W2\",\"W3\",\"W4\"]");
        assertThat(answer.fields().get("rejected").toString()).isEqualTo("[\"W5\"]"); // beyond the prefetch
        conn.send("{\"work\":[\"W4\"],\"command\":\"recall\"}");
        assertThat(conn.next("done").toString()).isEqualTo("{\"work\":[],\"recalled\":[\"W4\"],\"command\":\"done\"}");
        release.countDown();
        // W1's result frees the slot: the highest priority waiting (W3) starts, said in the same frame.
        RawJson done = conn.next("done");
        assertThat(done.toString()).contains("\"id\":\"W1\"").contains("\"started\":[\"W3\"]");
        assertThat(conn.next("done").toString()).contains("\"id\":\"W3\"").contains("\"started\":[\"W2\"]");
        assertThat(conn.next("done").toString()).contains("\"id\":\"W2\"").doesNotContain("started");
        assertThat(ran).containsExactly("W1", "W3", "W2");
    }

    @Test
    void offersPrioritySlotsWithTheRestUnderZero() throws Exception {
        worker = new Worker(options().slots(100).prioritySlots(Map.of(1, 30, 2, 20)).build()).onWork((w, d) -> d.success(null)).start();
        assertThat(fake.accept().next().toString()).isEqualTo("{\"slots\":{\"0\":50,\"1\":30,\"2\":20},\"command\":\"offer\"}");
    }

    @Test
    void offersAgainWhenTheOfferIsRefused() throws Exception {
        worker = new Worker(options().slots(2).offerRetryTime(Duration.ofMillis(50)).build()).onWork((w, d) -> d.success(null)).start();
        FakeManager.Conn conn = fake.accept();
        conn.next("offer");
        conn.send("{\"error\":{\"code\":\"EINVSLOTNR\",\"description\":\"Invalid\"},\"to\":\"offer\",\"command\":\"answer\"}");
        assertThat(text(conn.next("offer"), "command")).isEqualTo("offer");
        assertThat(worker.isReady()).isFalse();
    }

    @Test
    void answersEveryDispatchOnceAcceptingAndRejectingByTheRules() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        List<String> ran = new CopyOnWriteArrayList<>();
        FakeManager.Conn conn = startAndAcceptOffer(options().slots(2).build(), (w, d) -> {
            ran.add(w.id() + "=" + w.argsJson());
            hold.await();
            d.success(null);
        });
        conn.send("{\"work\":[{\"id\":\"A\",\"args\":1},{\"id\":\"B\",\"args\":null},{\"id\":\"C\"},{\"noid\":1},42,"
                + "{\"id\":\"D\",\"args\":{\"x\":2}},{\"id\":\"E\",\"args\":3}],\"command\":\"push\"}");
        RawJson answer = conn.next();
        assertThat(text(answer, "to")).isEqualTo("push");
        assertThat(text(answer, "command")).isEqualTo("answer");
        assertThat(strings(get(answer, "accepted"))).containsExactly("A", "D");
        assertThat(strings(get(answer, "rejected"))).containsExactly("B", "C", "E");
        assertThat(get(answer, "allocation").toString()).isEqualTo("{\"was\":2,\"is\":0,\"rejected\":3,\"got\":7}");
        assertThat(text(answer, "description")).isEqualTo("some works were rejected");
        await().atMost(Duration.ofSeconds(20)).until(() -> ran.size() == 2);
        assertThat(ran).containsExactlyInAnyOrder("A=1", "D={\"x\":2}");
        assertThat(worker.busySlots()).isEqualTo(2);

        conn.send("{\"work\":{\"not\":\"an array\"},\"command\":\"push\"}");
        assertThat(conn.next().toString()).isEqualTo(
                "{\"to\":\"push\",\"error\":{\"code\":\"EINVWORK\",\"description\":\"Invalid work ?array?\"},\"command\":\"answer\"}");
        hold.countDown();
        List<String> results = new ArrayList<>(); // one done per result (ANSWER_THRESHOLD 1), or one for both
        while (results.size() < 2) {
            for (RawJson item : get(conn.next("done"), "work").elements()) {
                results.add(text(item, "id") + "=" + get(item, "result"));
            }
        }
        assertThat(results).containsExactlyInAnyOrder("A={\"err\":null,\"data\":null}", "D={\"err\":null,\"data\":null}");
    }

    @Test
    void resultsGoOutAsErrDataAndTheRunTimeoutAsEto() throws Exception {
        FakeManager.Conn conn = startAndAcceptOffer(options().slots(3).build(), (w, d) -> {
            switch (w.args(String.class)) {
                case "ok": d.done(null, Map.of("v", "hello")); break;
                case "err": throw new RuntimeException("boom");
                default: Thread.sleep(20_000);
            }
        });
        conn.send("{\"work\":[{\"id\":\"W1\",\"args\":\"ok\"}],\"command\":\"push\"}");
        conn.next("answer");
        assertThat(conn.next("done").toString()).isEqualTo(
                "{\"work\":[{\"id\":\"W1\",\"result\":{\"err\":null,\"data\":{\"v\":\"hello\"}}}],\"command\":\"done\"}");
        conn.send("{\"work\":[{\"id\":\"W2\",\"args\":\"err\"}],\"command\":\"push\"}");
        assertThat(conn.next("done").toString()).isEqualTo(
                "{\"work\":[{\"id\":\"W2\",\"result\":{\"err\":{\"message\":\"boom\"},\"data\":null}}],\"command\":\"done\"}");
        conn.send("{\"work\":[{\"id\":\"W3\",\"args\":\"slow\",\"timeout\":\"150\"}],\"command\":\"push\"}");
        assertThat(conn.next("done").toString()).isEqualTo(
                "{\"work\":[{\"id\":\"W3\",\"result\":{\"err\":{\"code\":\"ETO\",\"message\":\"Timeout\"},\"data\":null}}],\"command\":\"done\"}");
    }

    @Test
    void answerThresholdBatchesResultsAndFlushesTheRestWhenIdle() throws Exception {
        CountDownLatch firstThree = new CountDownLatch(1);
        CountDownLatch last = new CountDownLatch(1);
        FakeManager.Conn conn = startAndAcceptOffer(options().slots(4).answerThreshold(3).answerFlushInterval(Duration.ofSeconds(30)).build(), (w, d) -> {
            (w.args(Integer.class) < 4 ? firstThree : last).await();
            d.success(w.args(Integer.class));
        });
        conn.send("{\"work\":[{\"id\":\"W1\",\"args\":1},{\"id\":\"W2\",\"args\":2},{\"id\":\"W3\",\"args\":3},{\"id\":\"W4\",\"args\":4}],\"command\":\"push\"}");
        conn.next("answer");
        firstThree.countDown();
        RawJson batch = conn.next("done");
        assertThat(get(batch, "work").elements()).hasSize(3);
        last.countDown();
        RawJson rest = conn.next("done");
        assertThat(rest.toString()).isEqualTo("{\"work\":[{\"id\":\"W4\",\"result\":{\"err\":null,\"data\":4}}],\"command\":\"done\"}");
    }

    @Test
    void answerThresholdNeverHoldsAResultLongerThanTheFlushInterval() throws Exception {
        CountDownLatch slow = new CountDownLatch(1);
        FakeManager.Conn conn = startAndAcceptOffer(options().slots(2).answerThreshold(5).answerFlushInterval(Duration.ofMillis(100)).build(), (w, d) -> {
            if (w.args(Integer.class) == 2) {
                slow.await();
            }
            d.success(w.args(Integer.class));
        });
        conn.send("{\"work\":[{\"id\":\"W1\",\"args\":1},{\"id\":\"W2\",\"args\":2}],\"command\":\"push\"}");
        conn.next("answer");
        assertThat(conn.next("done").toString()).contains("\"W1\"").doesNotContain("W2");
        slow.countDown();
        assertThat(conn.next("done").toString()).contains("\"W2\"");
    }

    @Test
    void abortReachesTheHandlerAndSendsNoResult() throws Exception {
        AtomicBoolean abortListener = new AtomicBoolean();
        AtomicBoolean interrupted = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        FakeManager.Conn conn = startAndAcceptOffer(options().slots(1).build(), (w, d) -> {
            if (w.id().equals("W1")) {
                w.onAbort(() -> abortListener.set(true));
                started.countDown();
                try {
                    Thread.sleep(20_000);
                } catch (InterruptedException e) {
                    interrupted.set(w.isCancelled());
                }
                d.success("late"); // dropped
                return;
            }
            d.success("second");
        });
        conn.send("{\"work\":[{\"id\":\"W1\",\"args\":1}],\"command\":\"push\"}");
        conn.next("answer");
        assertThat(started.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        conn.send("{\"work\":[\"W1\"],\"command\":\"abort\"}");
        await().atMost(Duration.ofSeconds(20)).untilTrue(abortListener);
        await().atMost(Duration.ofSeconds(20)).untilTrue(interrupted);
        await().atMost(Duration.ofSeconds(20)).until(() -> worker.busySlots() == 0);
        conn.send("{\"work\":[{\"id\":\"W2\",\"args\":2}],\"command\":\"push\"}");
        assertThat(strings(get(conn.next("answer"), "accepted"))).containsExactly("W2");
        assertThat(conn.next("done").toString()).isEqualTo("{\"work\":[{\"id\":\"W2\",\"result\":{\"err\":null,\"data\":\"second\"}}],\"command\":\"done\"}");
    }

    @Test
    void answersPingsAndAcksSystemMessages() throws Exception {
        List<SystemMessage> got = new CopyOnWriteArrayList<>();
        FakeManager.Conn conn = startAndAcceptOffer(options().slots(1).build(), (w, d) -> d.success(null));
        worker.onSystemMessage(got::add);
        conn.send("{\"command\":\"ping\"}");
        RawJson pong = conn.next();
        assertThat(text(pong, "to")).isEqualTo("ping");
        assertThat(text(pong, "command")).isEqualTo("answer");
        assertThat(text(pong, "current")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        conn.send("{\"id\":\"C9.1/M123.4\",\"from\":\"C9.1\",\"content\":{\"hello\":\"everybody\"},\"command\":\"sysmsg\"}");
        RawJson ack = conn.next();
        assertThat(text(ack, "to")).isEqualTo("sysmsg");
        assertThat(text(ack, "id")).isEqualTo("C9.1/M123.4");
        assertThat(get(ack, "received").isNumber()).isTrue();
        assertThat(text(ack, "command")).isEqualTo("answer");
        await().atMost(Duration.ofSeconds(20)).until(() -> got.size() == 1);
        assertThat(got.get(0).from()).isEqualTo("C9.1");
        assertThat(got.get(0).content().toString()).isEqualTo("{\"hello\":\"everybody\"}");
    }

    @Test
    void sendsSystemMessagesWithTheOriginalIdFormat() throws Exception {
        FakeManager.Conn conn = startAndAcceptOffer(options().slots(1).build(), (w, d) -> d.success(null));
        var f = worker.systemMessage(Map.of("do", "something"), "MANAGER");
        RawJson msg = conn.next("sysmsg");
        assertThat(text(msg, "id")).matches("M\\d{1,6}\\.\\d+");
        assertThat(text(msg, "to")).isEqualTo("MANAGER");
        assertThat(get(msg, "content").toString()).isEqualTo("{\"do\":\"something\"}");
        conn.send("{\"to\":\"sysmsg\",\"id\":\"" + text(msg, "id") + "\",\"done\":true,\"sentTo\":0,\"receivedBy\":0,\"command\":\"answer\"}");
        assertThat(f.get(20, java.util.concurrent.TimeUnit.SECONDS).sentTo()).isZero();
    }

    @Test
    void reconnectsAfterConRetryTimeAndOffersAgainDroppingUnsentState() throws Exception {
        AtomicBoolean cancelled = new AtomicBoolean();
        CountDownLatch running = new CountDownLatch(1);
        FakeManager.Conn conn = startAndAcceptOffer(options().slots(1).build(), (w, d) -> {
            w.onAbort(() -> cancelled.set(true));
            running.countDown();
            Thread.sleep(20_000);
        });
        conn.send("{\"work\":[{\"id\":\"W1\",\"args\":1}],\"command\":\"push\"}");
        conn.next("answer");
        assertThat(running.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        conn.close();
        await().atMost(Duration.ofSeconds(20)).untilTrue(cancelled);
        FakeManager.Conn again = fake.accept();
        assertThat(again.next().toString()).isEqualTo("{\"slots\":1,\"prefetch\":1,\"command\":\"offer\"}");
    }
}
