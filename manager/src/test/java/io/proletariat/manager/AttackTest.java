package io.proletariat.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.proletariat.protocol.SystemMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile peers against the dispatch core (issue 12, "Reliability under attack"): each attack is
 * answered sanely, costs the core work proportional to its own size, and leaves exact state.
 * "Stalls" are measured by a ping that must be answered within a generous bound afterwards.
 */
class AttackTest {
    private static final Duration PROMPT = Duration.ofSeconds(5);

    private Manager manager;
    private final List<RawPeer> peers = new ArrayList<>();

    private Manager start(ManagerOptions.Builder options) {
        manager = new Manager(options.port(0).bindAddress("127.0.0.1").build()).start();
        return manager;
    }

    private RawPeer connect() {
        RawPeer p = new RawPeer(manager);
        peers.add(p);
        return p;
    }

    @AfterEach
    void stop() {
        peers.forEach(RawPeer::close);
        if (manager != null) {
            manager.close();
        }
    }

    /** A fresh connection's ping is answered within {@link #PROMPT}: the core is not stalled. */
    private void assertAnswersPingPromptly() {
        RawPeer probe = connect();
        CompletableFuture<JsonNode> pong = CompletableFuture.supplyAsync(() -> {
            probe.send("{'command':'ping'}");
            return probe.answer("ping");
        });
        await().atMost(PROMPT).until(pong::isDone);
        assertThat(pong.join().path("to").asText()).isEqualTo("ping");
    }

    // ------------------------------------------------------------------ item 9: rejected ids repeated

    @Test
    void aRejectionListingOneIdThriceRequeuesTheWorkOnce() {
        start(ManagerOptions.builder());
        RawPeer client = connect();
        RawPeer admin = connect();
        RawPeer worker = connect();
        worker.offer("1");
        String id = client.push("r", "[1]", "").get(0);
        assertThat(RawPeer.ids(worker.command("push"))).containsExactly(id);
        worker.send("{'command':'answer','to':'push','rejected':['" + id + "','" + id + "','" + id + "']}");
        await().until(() -> manager.stats().counters().rejected() == 1);
        // After its backoff the worker is sent the work again; it leaves holding it.
        assertThat(RawPeer.ids(worker.command("push"))).containsExactly(id);
        worker.close();
        await().until(() -> manager.connections() == 2);

        JsonNode status = admin.status();
        assertThat(status.path("pendingWorks").asLong()).isEqualTo(1);
        assertThat(status.path("queues")).isEqualTo(RawPeer.json("{'0':1}"));
        assertThat(manager.stats().counters().requeued()).isEqualTo(2); // the rejection, then the worker leaving

        client.close();
        await().until(() -> manager.connections() == 1);
        status = admin.status();
        assertThat(status.path("pendingWorks").asLong()).isZero();
        assertThat(status.path("queues")).isEqualTo(RawPeer.json("{}"));
        assertThat(manager.liveWorks()).isZero();
    }

    // ------------------------------------------------------------------ item 14: fractional slots

    @Test
    void fractionalSlotsRoundUpAsTheOriginalRunsThem() {
        start(ManagerOptions.builder());
        RawPeer client = connect();
        RawPeer twoAndAHalf = connect();
        twoAndAHalf.offer("2.5");
        client.push("a", "[1,2,3,4,5]", "");
        await().until(() -> manager.runningWorks() == 3);
        assertThat(manager.queuedWorks()).isEqualTo(2);
        twoAndAHalf.close();
        await().until(() -> manager.runningWorks() == 0);

        RawPeer half = connect();
        half.offer("0.5");
        await().until(() -> manager.runningWorks() == 1);
        JsonNode worker = half.status().path("workers").get(0);
        assertThat(worker.path("slots").asLong()).isEqualTo(1);
        assertThat(worker.path("offer")).isEqualTo(RawPeer.json("{'0':1}"));
    }

    @Test
    void fractionalSlotsInAnObjectOfferAreTruncatedAsTheOriginalsParseInt() {
        start(ManagerOptions.builder());
        RawPeer worker = connect();
        worker.offer("{'0':0.5,'1':2.5}");
        JsonNode me = worker.status().path("workers").get(0);
        assertThat(me.path("offer")).isEqualTo(RawPeer.json("{'0':0,'1':2}"));
        assertThat(me.path("slots").asLong()).isEqualTo(2);
    }

    // ------------------------------------------------------------------ item 4: aborting held works

    @Test
    void abortingTwoHundredThousandHeldWorksNewestFirstIsLinear() {
        start(ManagerOptions.builder().holdSimilarWork(true));
        RawPeer client = connect();
        StringBuilder works = new StringBuilder("[");
        for (int i = 0; i < 100_000; i++) {
            works.append(i == 0 ? "" : ",").append("{'_key':'k'}");
        }
        works.append(']');
        List<String> ids = new ArrayList<>(client.push("a", works.toString(), ""));
        ids.addAll(client.push("b", works.toString(), ""));
        await().until(() -> manager.stats().onHold() == 199_999);

        StringBuilder abort = new StringBuilder("{\"command\":\"abort\",\"work\":[");
        for (int i = ids.size() - 1; i >= 1; i--) { // newest first, every held one; the owner stays
            abort.append('"').append(ids.get(i)).append('"').append(i == 1 ? "" : ",");
        }
        client.sendBytes(abort.append("]}").toString().getBytes(StandardCharsets.UTF_8));
        client.send("{'command':'ping'}"); // answered only after the abort: measures it
        CompletableFuture<JsonNode> answered = CompletableFuture.supplyAsync(() -> {
            JsonNode a = client.answer("abort");
            client.answer("ping");
            return a;
        });
        await().atMost(PROMPT).until(answered::isDone);
        assertThat(answered.join().path("work")).hasSize(199_999);

        ManagerStats s = manager.stats();
        assertThat(s.onHold()).isZero();
        assertThat(manager.queuedWorks()).isEqualTo(1);
        assertThat(manager.liveWorks()).isEqualTo(1);
        assertThat(s.counters().aborted()).isEqualTo(199_999);
        RawPeer worker = connect();
        worker.offer("1");
        List<String> run = RawPeer.ids(worker.takeDispatch());
        assertThat(run).containsExactly(ids.get(0));
        worker.finish(run, "7");
        JsonNode done = client.command("done");
        assertThat(done.path("work")).hasSize(1);
        await().until(() -> manager.liveWorks() == 0);
    }

    // ------------------------------------------------------------------ item 6: error codes from workers

    @Test
    void errorCodesBeyondTheFirstHundredOrOddOnesCountAsOther() throws Exception {
        start(ManagerOptions.builder().httpPort(0).httpBindAddress("127.0.0.1"));
        RawPeer client = connect();
        RawPeer worker = connect();
        worker.offer("200");
        client.push("a", works(160), "");
        List<String> ids = RawPeer.ids(worker.takeDispatch());
        assertThat(ids).hasSize(160);
        StringBuilder done = new StringBuilder("{\"command\":\"done\",\"work\":[");
        for (int i = 0; i < 160; i++) {
            String code = i < 150 ? "E" + i : i < 155 ? "L".repeat(100) : "bad code \\n" + i;
            done.append(i == 0 ? "" : ",").append("{\"id\":\"").append(ids.get(i))
                    .append("\",\"result\":{\"err\":{\"code\":\"").append(code).append("\"},\"data\":null}}");
        }
        worker.sendBytes(done.append("]}").toString().getBytes(StandardCharsets.UTF_8));
        worker.answer("done");

        java.util.Map<String, Long> byCode = manager.stats().counters().failedByCode();
        assertThat(byCode).hasSize(101).containsEntry("OTHER", 60L).containsEntry("E0", 1L).containsEntry("E99", 1L)
                .doesNotContainKey("E100");
        java.net.http.HttpResponse<String> metrics = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + manager.httpAddress().getPort() + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        long series = metrics.body().lines().filter(l -> l.startsWith("proletariat_works_failed_total{")).count();
        assertThat(series).isEqualTo(103); // 100 codes, OTHER, and ETO, EATO always present
        assertThat(metrics.body()).contains("proletariat_works_failed_total{code=\"OTHER\"} 60");
    }

    // ------------------------------------------------------------------ items 2, 3: system messages

    /** One frame per id: {@code {"command":"sysmsg","id":..,"content":1[,"to":..]}}, concatenated. */
    private static byte[] sysmsgFrames(int n, java.util.function.IntFunction<String> id, String to) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            byte[] payload = ("{\"command\":\"sysmsg\",\"id\":\"" + id.apply(i) + "\",\"content\":1"
                    + (to == null ? "" : ",\"to\":\"" + to + "\"") + "}").getBytes(StandardCharsets.UTF_8);
            out.write(payload.length >>> 24);
            out.write(payload.length >>> 16);
            out.write(payload.length >>> 8);
            out.write(payload.length);
            out.writeBytes(payload);
        }
        return out.toByteArray();
    }

    private static String idOf(RawPeer peer) {
        peer.send("{'command':'mystatus'}");
        return peer.answer("mystatus").path("id").asText();
    }

    @Test
    void sixtyThousandSystemMessagesReusingOneIdCostLinearTime() {
        start(ManagerOptions.builder().maxSysmsgRate(Integer.MAX_VALUE)); // the cost per message, not the rate, is under test
        RawPeer sender = connect();
        RawPeer acking = connect();
        RawPeer silent = connect(); // never acknowledges: every message stays pending on it
        await().until(() -> manager.connections() == 3);
        int n = 60_000;
        java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();
        CompletableFuture<Void> drain = CompletableFuture.runAsync(() -> {
            while (answered.get() < n - 1) {
                JsonNode a = sender.answer("sysmsg");
                assertThat(a.path("id").asText()).isEqualTo("same");
                answered.incrementAndGet();
            }
        });
        CompletableFuture<Void> acks = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < n; i++) {
                String relayed = acking.command("sysmsg").path("id").asText();
                acking.send("{'to':'sysmsg','id':'" + relayed + "','command':'answer'}");
            }
        });
        sender.sendRaw(sysmsgFrames(n, i -> "same", null));
        // Each message replaced by the next with the same id is answered at once: n - 1 answers.
        await().atMost(Duration.ofSeconds(60)).until(() -> drain.isDone() && acks.isDone());
        drain.join();
        acks.join();
        assertAnswersPingPromptly();
        silent.close();
        JsonNode last = sender.answer("sysmsg");
        assertThat(last.path("id").asText()).isEqualTo("same");
        assertThat(last.path("sentTo").asInt()).isEqualTo(2);
    }

    @Test
    void aSenderRelayingFasterThanTheRateIsRefusedAndTheOthersAreSpared() {
        start(ManagerOptions.builder().maxSysmsgRate(50));
        RawPeer sender = connect();
        RawPeer other = connect();
        await().until(() -> manager.connections() == 2);
        java.util.concurrent.atomic.AtomicInteger received = new java.util.concurrent.atomic.AtomicInteger();
        Thread acking = new Thread(() -> {
            try {
                while (true) {
                    String relayedId = other.command("sysmsg").path("id").asText();
                    received.incrementAndGet();
                    other.send("{'to':'sysmsg','id':'" + relayedId + "','command':'answer'}");
                }
            } catch (RuntimeException | AssertionError closed) {
                // the test is over
            }
        }, "acking-peer");
        acking.setDaemon(true);
        acking.start();
        int n = 500;
        sender.sendRaw(sysmsgFrames(n, i -> "m" + i, null));
        int relayed = 0;
        int refused = 0;
        while (relayed + refused < n) { // each message is either refused, or relayed, acknowledged and answered
            JsonNode a = sender.answer("sysmsg");
            if (a.path("error").path("code").asText().equals("ETOOMANYSYSMSG")) {
                refused++;
            } else {
                relayed++;
            }
        }
        assertThat(received.get()).isEqualTo(relayed);
        // The burst of 50 and what the rate gave back meanwhile; the rest never reached the other peer.
        assertThat(relayed).isBetween(50, n - 1);
        assertThat(refused).isPositive();
        assertThat(manager.stats().counters().sysmsgsRefused()).isEqualTo(refused);
        assertAnswersPingPromptly();
    }

    @Test
    void reusingAPendingIdForABroadcastCannotPassTheCapInAll() {
        start(ManagerOptions.builder().maxPendingSysmsgs(1_000, 10));
        RawPeer sender = connect();
        List<RawPeer> silent = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            silent.add(connect()); // never acknowledge
        }
        await().until(() -> manager.connections() == 21);
        sender.send("{'command':'sysmsg','id':'a','content':1,'to':'" + idOf(silent.get(0)) + "'}"); // awaits 1
        sender.send("{'command':'sysmsg','id':'a','content':2}"); // the same id, to all 20: 20 > 10
        JsonNode refused = sender.answer("sysmsg");
        assertThat(refused.path("error").path("code").asText()).isEqualTo("ETOOMANYSYSMSG");
        assertThat(refused.path("id").asText()).isEqualTo("a");
        assertThat(manager.stats().counters().sysmsgsRefused()).isEqualTo(1);
    }

    @Test
    void pendingSystemMessagesAreCappedPerConnectionAndInAll() {
        start(ManagerOptions.builder().maxPendingSysmsgs(5, 8));
        RawPeer a = connect();
        RawPeer b = connect();
        RawPeer silent = connect();
        String target = idOf(silent);
        for (int i = 0; i < 6; i++) {
            a.send("{'command':'sysmsg','id':'a" + i + "','to':'" + target + "','content':" + i + "}");
        }
        JsonNode refused = a.answer("sysmsg");
        assertThat(refused).isEqualTo(RawPeer.json("{'error':{'code':'ETOOMANYSYSMSG','description':"
                + "'Too many system messages waiting for acknowledgements: wait for answers before sending more'},"
                + "'to':'sysmsg','id':'a5','command':'answer'}"));
        for (int i = 0; i < 4; i++) {
            b.send("{'command':'sysmsg','id':'b" + i + "','to':'" + target + "','content':" + i + "}");
        }
        assertThat(b.answer("sysmsg").path("error").path("code").asText()).isEqualTo("ETOOMANYSYSMSG"); // 8 acks awaited
        b.send("{'command':'sysmsg','id':'all','content':1}"); // 2 recipients: 2 more acks
        assertThat(b.answer("sysmsg").path("error").path("code").asText()).isEqualTo("ETOOMANYSYSMSG");
        b.send("{'command':'sysmsg','id':'m','to':'MANAGER','content':1}"); // never pending: always served
        assertThat(b.answer("sysmsg").path("sentTo").asInt()).isZero();
        assertThat(manager.stats().counters().sysmsgsRefused()).isEqualTo(3);

        String relayed = silent.command("sysmsg").path("id").asText();
        silent.send("{'to':'sysmsg','id':'" + relayed + "','command':'answer'}");
        JsonNode done = a.answer("sysmsg");
        assertThat(done.path("id").asText()).isEqualTo("a0");
        assertThat(done.path("receivedBy").asInt()).isEqualTo(1);
        a.send("{'command':'sysmsg','id':'a5','to':'" + target + "','content':5}"); // room again
        silent.close();
        List<String> answeredA = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            JsonNode x = a.answer("sysmsg");
            assertThat(x.has("error")).as("%s", x).isFalse();
            answeredA.add(x.path("id").asText());
        }
        assertThat(answeredA).containsExactlyInAnyOrder("a1", "a2", "a3", "a4", "a5");
        for (int i = 0; i < 3; i++) {
            assertThat(b.answer("sysmsg").path("receivedBy").asInt()).isZero();
        }
    }

    @Test
    void aDisconnectCostsOnlyItsOwnPendingSystemMessages() {
        start(ManagerOptions.builder().maxPendingSysmsgs(100_000, 100_000).maxSysmsgRate(Integer.MAX_VALUE));
        RawPeer sender = connect();
        RawPeer silent = connect();
        String target = idOf(silent);
        sender.sendRaw(sysmsgFrames(100_000, i -> "m" + i, target));
        sender.send("{'command':'ping'}");
        sender.answer("ping"); // every message above is pending now
        int before = manager.connections();
        for (int i = 0; i < 400; i++) {
            new RawPeer(manager).close();
        }
        await().atMost(PROMPT).until(() -> manager.connections() == before);
        assertAnswersPingPromptly();
    }

    // ------------------------------------------------------------------ item 7: listener queue

    @Test
    void eventsBeyondTheListenerQueueAreDroppedAndCounted() throws Exception {
        start(ManagerOptions.builder());
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger delivered = new java.util.concurrent.atomic.AtomicInteger();
        manager.addListener(new ManagerListener() {
            @Override
            public void sysmsg(SystemMessage message) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                delivered.incrementAndGet();
            }
        });
        RawPeer peer = connect();
        String mebibyte = "x".repeat(1024 * 1024);
        for (int i = 0; i < 80; i++) {
            peer.sendBytes(("{\"command\":\"sysmsg\",\"to\":\"MANAGER\",\"id\":\"" + i + "\",\"content\":\"" + mebibyte + "\"}")
                    .getBytes(StandardCharsets.UTF_8));
            peer.answer("sysmsg");
        }
        long dropped = manager.stats().counters().eventsDropped();
        assertThat(dropped).isBetween(1L, 20L); // 64 MiB of 1 MiB messages fit the queue
        release.countDown();
        await().until(() -> delivered.get() + dropped == 80);
        assertAnswersPingPromptly();
    }

    // ------------------------------------------------------------------ item 13: a worker rejecting everything

    @Test
    void aWorkerRejectingEverythingIsPassedOverNotRedispatchedInALoop() {
        start(ManagerOptions.builder());
        RawPeer client = connect();
        RawPeer rejecter = connect();
        rejecter.offer("10");
        CompletableFuture.runAsync(() -> {
            try {
                while (true) {
                    JsonNode push = rejecter.command("push");
                    com.fasterxml.jackson.databind.node.ObjectNode answer = RawPeer.JSON.createObjectNode().put("to", "push").put("command", "answer");
                    push.get("work").forEach(w -> answer.withArray("rejected").add(w.get("id").asText()));
                    rejecter.send(answer);
                }
            } catch (RuntimeException | AssertionError closed) {
                // the test ended
            }
        });
        String id = client.push("a", "[1]", "").get(0);
        await().until(() -> manager.stats().counters().rejected() >= 1);
        RawPeer pinger = connect();
        for (int i = 0; i < 500; i++) { // core work during which a hot loop would re-dispatch hundreds of times
            pinger.send("{'command':'ping'}");
            pinger.answer("ping");
        }
        RawPeer taker = connect();
        taker.offer("10");
        assertThat(RawPeer.ids(taker.takeDispatch())).containsExactly(id);
        ManagerStats.Counters c = manager.stats().counters();
        assertThat(c.rejected()).as("rejections before another worker took the work").isLessThan(10);
        assertThat(c.assigned()).isEqualTo(c.rejected() + 1);
    }

    private static String works(int n) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append(i);
        }
        return sb.append(']').toString();
    }
}
