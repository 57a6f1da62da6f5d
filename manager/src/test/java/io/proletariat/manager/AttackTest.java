package io.proletariat.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
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

    private static String works(int n) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append(i);
        }
        return sb.append(']').toString();
    }
}
