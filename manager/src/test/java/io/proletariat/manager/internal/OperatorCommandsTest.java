package io.proletariat.manager.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.proletariat.manager.ManagerOptions;
import io.proletariat.manager.RawPeer;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An operator's {@code works} and {@code cancel} (issue 16, point 6), on a real manager with raw peers. */
class OperatorCommandsTest {
    private ManagerServer server;
    private final List<RawPeer> peers = new ArrayList<>();

    @BeforeEach
    void start() throws InterruptedException {
        server = ManagerServer.start(ManagerOptions.builder().port(0).bindAddress("127.0.0.1").holdSimilarWork(true).build());
    }

    @AfterEach
    void stop() {
        peers.forEach(RawPeer::close);
        server.stop();
    }

    private RawPeer peer() {
        RawPeer p = new RawPeer(new InetSocketAddress("127.0.0.1", server.localAddress().getPort()));
        peers.add(p);
        return p;
    }

    private static List<String> ids(JsonNode listing) {
        List<String> ids = new ArrayList<>();
        listing.path("works").forEach(w -> ids.add(w.path("id").asText()));
        return ids;
    }

    @Test
    void worksListsLiveWorksOldestFirstWithItsFilters() {
        RawPeer worker = peer();
        String workerId = worker.offer("1");
        RawPeer a = peer();
        List<String> first = a.push("ra", "[1]", "'priority':3");
        String running = RawPeer.ids(worker.takeDispatch()).get(0);
        assertThat(running).isEqualTo(first.get(0));
        List<String> more = a.push("rb", "[2,3]", "");
        RawPeer b = peer();
        List<String> others = b.push("rc", "[4]", "'priority':1");
        String clientA = a.send("{'command':'mystatus'}").answer("mystatus").path("id").asText();
        String clientB = b.send("{'command':'mystatus'}").answer("mystatus").path("id").asText();
        RawPeer admin = peer();

        admin.send("{'command':'works'}");
        JsonNode all = admin.answer("works");
        assertThat(ids(all)).containsExactly(running, more.get(0), more.get(1), others.get(0));
        assertThat(all.path("total").asLong()).isEqualTo(4);
        assertThat(all.path("more").asLong()).isZero();
        JsonNode row = all.path("works").get(0);
        assertThat(row.path("rid").asText()).isEqualTo("ra");
        assertThat(row.path("client").asText()).isEqualTo(clientA);
        assertThat(row.path("worker").asText()).isEqualTo(workerId);
        assertThat(row.path("priority").asInt()).isEqualTo(3);
        assertThat(row.path("state").asText()).isIn("assigned", "running");
        assertThat(row.path("age").asLong()).isNotNegative();
        assertThat(all.path("works").get(1).has("worker")).isFalse();
        assertThat(all.path("works").get(1).path("state").asText()).isEqualTo("queued");

        admin.send("{'command':'works','client':'" + clientB + "'}");
        assertThat(ids(admin.answer("works"))).containsExactly(others.get(0));
        admin.send("{'command':'works','worker':'" + workerId + "'}");
        assertThat(ids(admin.answer("works"))).containsExactly(running);
        admin.send("{'command':'works','running':true}");
        assertThat(ids(admin.answer("works"))).containsExactly(running);
        admin.send("{'command':'works','limit':2}");
        JsonNode two = admin.answer("works");
        assertThat(ids(two)).containsExactly(running, more.get(0));
        assertThat(two.path("total").asLong()).isEqualTo(4);
        assertThat(two.path("more").asLong()).isEqualTo(2);
        admin.send("{'command':'works','type':'resize'}"); // no work types yet: nothing has one
        assertThat(ids(admin.answer("works"))).isEmpty();

        for (String bad : List.of("'limit':0", "'limit':10001", "'limit':'x'", "'client':5", "'worker':''")) {
            admin.send("{'command':'works'," + bad + "}");
            assertThat(admin.answer("works").path("error").path("code").asText()).as(bad).isEqualTo("EINVQUERY");
        }
    }

    @Test
    void cancelDropsAQueuedWorkAndAbortsARunningOneEachClientGettingEcanceled() {
        RawPeer worker = peer();
        worker.offer("1");
        RawPeer client = peer();
        List<String> ids = client.push("r1", "[1,2,3]", "");
        String running = RawPeer.ids(worker.takeDispatch()).get(0);
        RawPeer admin = peer();
        admin.send("{'command':'cancel','ids':['" + ids.get(1) + "','" + running + "']}");
        JsonNode answer = admin.answer("cancel");
        assertThat(answer.path("cancelled").asLong()).isEqualTo(2);
        assertThat(answer.path("ids").get(0).path("kind").asText()).isEqualTo("work");
        assertThat(answer.path("ids").get(0).path("cancelled").asInt()).isEqualTo(1);

        // The worker is told to stop the running one with the existing abort frame...
        JsonNode abort = worker.command("abort");
        assertThat(abort.path("work").toString()).isEqualTo("[\"" + running + "\"]");
        // ...and the client gets ECANCELED for both, in one done frame.
        JsonNode done = client.command("done");
        assertThat(done.path("work")).hasSize(2);
        done.path("work").forEach(w -> {
            assertThat(w.path("result").path("err").path("code").asText()).isEqualTo("ECANCELED");
            assertThat(w.path("result").has("data")).isTrue();
        });
        // The slot is free again: the third work runs, and the listing holds only it.
        String third = RawPeer.ids(worker.takeDispatch()).get(0);
        assertThat(third).isEqualTo(ids.get(2));
        admin.send("{'command':'works'}");
        assertThat(ids(admin.answer("works"))).containsExactly(third);
        // A late result of the aborted work counts for nothing.
        assertThat(worker.finish(List.of(running), "1").path("ignored").asInt()).isEqualTo(1);
        assertThat(server.query(() -> server.core().operator.cancelled)).isEqualTo(2);
    }

    @Test
    void cancelOfAFinishedOrUnknownIdSaysSo() {
        RawPeer worker = peer();
        worker.offer("1");
        RawPeer client = peer();
        String id = client.push("r1", "[1]", "").get(0);
        worker.takeDispatch();
        worker.finish(List.of(id), "1");
        client.command("done");
        RawPeer admin = peer();
        admin.send("{'command':'cancel','ids':['" + id + "','W000000R99999','r1']}");
        JsonNode answer = admin.answer("cancel");
        assertThat(answer.path("cancelled").asLong()).isZero();
        assertThat(answer.path("ids").get(0).path("reason").asText()).startsWith("ended");
        assertThat(answer.path("ids").get(1).path("reason").asText()).startsWith("unknown");
        assertThat(answer.path("ids").get(2).path("reason").asText()).startsWith("unknown"); // the request ended with its work
        client.assertSilentFor(200);
    }

    @Test
    void cancelOfAWholeRequestTakesItsWorksFromWhereverTheyWait() {
        RawPeer worker = peer();
        worker.offer("1");
        RawPeer client = peer();
        // One runs, one is queued, one is held behind the running one's key.
        List<String> ids = client.push("big", "[{'_key':'k'},{'x':1},{'_key':'k'}]", "");
        String running = RawPeer.ids(worker.takeDispatch()).get(0);
        assertThat(running).isEqualTo(ids.get(0));
        RawPeer other = peer();
        List<String> untouched = other.push("big", "[5]", ""); // the same request id, another client's
        RawPeer admin = peer();
        String clientId = client.send("{'command':'mystatus'}").answer("mystatus").path("id").asText();
        admin.send("{'command':'cancel','ids':['big'],'client':'" + clientId + "'}");
        JsonNode answer = admin.answer("cancel");
        assertThat(answer.path("ids").get(0).path("kind").asText()).isEqualTo("request");
        assertThat(answer.path("ids").get(0).path("client").asText()).isEqualTo(clientId);
        assertThat(answer.path("cancelled").asLong()).isEqualTo(3);
        assertThat(worker.command("abort").path("work").get(0).asText()).isEqualTo(running);
        JsonNode done = client.command("done");
        List<String> answered = new ArrayList<>();
        done.path("work").forEach(w -> {
            answered.add(w.path("id").asText());
            assertThat(w.path("result").path("err").path("code").asText()).isEqualTo("ECANCELED");
        });
        assertThat(answered).containsExactlyInAnyOrderElementsOf(ids);
        await().until(() -> server.counts().liveWorks() == 1);
        assertThat(RawPeer.ids(worker.takeDispatch())).isEqualTo(untouched); // the other client's request goes on
        // Without --client, a request id names the requests of every client that has one.
        other.push("big2", "[6]", "");
        admin.send("{'command':'cancel','ids':['big2']}");
        assertThat(admin.answer("cancel").path("cancelled").asLong()).isEqualTo(1);
    }

    @Test
    void badCancelsAreAnsweredEinvquery() {
        RawPeer admin = peer();
        for (String bad : List.of("", "'ids':[]", "'ids':'W1'", "'ids':[1]", "'ids':[null]", "'ids':['W1'],'client':7")) {
            admin.send("{'command':'cancel'" + (bad.isEmpty() ? "" : "," + bad) + "}");
            assertThat(admin.answer("cancel").path("error").path("code").asText()).as(bad).isEqualTo("EINVQUERY");
        }
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i <= OperatorCommands.MAX_CANCEL_IDS; i++) {
            many.append(i == 0 ? "" : ",").append("'W").append(i).append("'");
        }
        admin.send("{'command':'cancel','ids':" + many + "]}");
        assertThat(admin.answer("cancel").path("error").path("code").asText()).isEqualTo("EINVQUERY");
    }
}
