package io.proletariat.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Retries and delayed works on a real manager and real sockets, with raw peers that write the
 * frames an original client or worker writes (docs/protocol.md, push: retries, delay). Backoff
 * bounds are checked on a frozen clock in {@code RetriesAndDelaysTest}; here, what peers see.
 */
class RetriesAndDelaysSocketTest {
    private Manager manager;
    private final List<RawPeer> peers = new ArrayList<>();

    private Manager start(ManagerOptions.Builder options) {
        manager = new Manager(options.port(0).bindAddress("127.0.0.1").resumeGrace(Duration.ZERO).build()).start();
        return manager;
    }

    private RawPeer peer() {
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

    private static void fail(RawPeer worker, String id, String code) {
        worker.send("{'command':'done','work':[{'id':'" + id + "','result':{'err':{'code':'" + code + "','message':'no'},'data':null}}]}");
        worker.answer("done");
    }

    @Test
    void anOriginalClientSeesNoRetriesAndTheOriginalDoneItemByDefault() {
        start(ManagerOptions.builder());
        RawPeer worker = peer();
        worker.offer("1");
        RawPeer client = peer();
        String id = client.push("r", "['x']", "").get(0);
        worker.takeDispatch();
        fail(worker, id, "EBAD");
        JsonNode done = client.command("done");
        assertThat(done.get("work").get(0).properties()).extracting(java.util.Map.Entry::getKey).containsExactly("id", "result");
        worker.assertSilentFor(200); // not run again
        assertThat(manager.stats().waiting().retried()).isZero();
    }

    @Test
    void theManagersRetriesServeAnOriginalClientThatAsksNone() {
        start(ManagerOptions.builder().retries(2).backoff(Duration.ofMillis(20)));
        RawPeer worker = peer();
        worker.offer("1");
        RawPeer client = peer();
        String id = client.push("r", "['x']", "").get(0);
        assertThat(RawPeer.ids(worker.takeDispatch())).containsExactly(id);
        fail(worker, id, "EONCE");
        assertThat(RawPeer.ids(worker.takeDispatch())).containsExactly(id); // after the backoff
        worker.finish(List.of(id), "'fine'");
        JsonNode item = client.command("done").get("work").get(0);
        assertThat(item.at("/result/data").asText()).isEqualTo("fine");
        assertThat(item.get("attempts").asInt()).isEqualTo(2);
        assertThat(item.at("/lastError/code").asText()).isEqualTo("EONCE");
        assertThat(manager.stats().waiting().retried()).isEqualTo(1);
    }

    @Test
    void aWorkThatKillsEveryWorkerItRunsOnEndsWithEworkerlost() {
        start(ManagerOptions.builder());
        RawPeer client = peer();
        String id = client.push("r", "['poison']", "'retries':2,'backoff':10,'retryOn':['lost']").get(0);
        for (int attempt = 0; attempt < 3; attempt++) {
            RawPeer worker = peer();
            worker.offer("1");
            assertThat(RawPeer.ids(worker.takeDispatch())).containsExactly(id);
            worker.close(); // it dies running the work
        }
        JsonNode item = client.command("done").get("work").get(0);
        assertThat(item.at("/result/err/code").asText()).isEqualTo("EWORKERLOST");
        assertThat(item.get("attempts").asInt()).isEqualTo(3);
        await().until(() -> manager.counts().liveWorks() == 0);
    }

    @Test
    void aWorkResentWhileTheManagerHoldsItForARetryRunsOnceMore() {
        start(ManagerOptions.builder());
        RawPeer worker = peer();
        worker.offer("1");
        RawPeer client = peer();
        String id = client.push("R1", "['x']", "'session':'s1','retries':3,'backoff':400").get(0);
        worker.takeDispatch();
        fail(worker, id, "E1");
        client.close(); // its connection drops in the backoff
        await().until(() -> manager.connections() == 1);
        assertThat(manager.stats().waiting().retryWaiting()).isEqualTo(1);
        RawPeer back = peer();
        String again = back.push("R1", "['x']", "'session':'s1','resent':true,'retries':3,'backoff':400").get(0);
        JsonNode dispatch = worker.takeDispatch(); // the backoff's end
        assertThat(RawPeer.ids(dispatch)).containsExactly(again);
        worker.finish(List.of(again), "'ok'");
        JsonNode item = back.command("done").get("work").get(0);
        assertThat(item.get("id").asText()).isEqualTo(again);
        assertThat(item.get("attempts").asInt()).isEqualTo(2);
        worker.assertSilentFor(600); // the old copy of the work never runs
        assertThat(manager.counts().liveWorks()).isZero();
        assertThat(id).isNotEqualTo(again);
    }

    @Test
    void delayedWorksAreHeldThenRunInDueOrder() {
        start(ManagerOptions.builder());
        RawPeer client = peer();
        // Held for an hour: status shows them, and an abort drops them.
        client.push("later", "[1,2,3]", "'delay':3600000");
        JsonNode status = client.status();
        assertThat(status.get("globalWorksDelayed").asInt()).isEqualTo(3);
        assertThat(status.get("pendingWorks").asInt()).isZero();
        client.send("{'command':'abort','rid':'later'}");
        client.answer("abort");
        assertThat(manager.stats().waiting().delayed()).isZero();
        // 10 pushes of 1,000 works due in the reverse order of their pushes, 100 ms apart.
        long base = System.currentTimeMillis() + 500;
        int pushes = 10;
        int each = 1000;
        for (int k = 0; k < pushes; k++) {
            StringBuilder works = new StringBuilder("[");
            for (int i = 0; i < each; i++) {
                works.append(i == 0 ? "" : ",").append(k * each + i);
            }
            client.push("p" + k, works.append(']').toString(), "'notBefore':" + (base + (pushes - 1 - k) * 100L));
        }
        // Without a worker, due works wait in the queue in the order they came due.
        await().until(() -> manager.stats().waiting().delayed() == 0);
        assertThat(manager.counts().queuedWorks()).isEqualTo(pushes * each);
        RawPeer worker = peer();
        worker.offer(Integer.toString(pushes * each));
        List<Integer> order = new ArrayList<>();
        while (order.size() < pushes * each) {
            worker.command("push").get("work").forEach(w -> order.add(w.get("args").asInt()));
        }
        List<Integer> expected = new ArrayList<>();
        for (int k = pushes - 1; k >= 0; k--) {
            for (int i = 0; i < each; i++) {
                expected.add(k * each + i);
            }
        }
        assertThat(order).isEqualTo(expected);
    }

    @Test
    void aClientLeavingDropsItsDelayedWorksAndTheirBytes() {
        start(ManagerOptions.builder());
        RawPeer client = peer();
        client.push("r", "[{'big':'" + "x".repeat(10_000) + "'}]", "'delay':60000");
        assertThat(manager.stats().memory().queuedBytes()).isGreaterThan(10_000);
        client.close();
        await().until(() -> manager.counts().liveWorks() == 0);
        assertThat(manager.stats().waiting().delayed()).isZero();
        assertThat(manager.stats().memory().queuedBytes()).isZero();
    }

    @Test
    void badValuesAreAnsweredWithTheirCodesAndTheRequestId() {
        start(ManagerOptions.builder().maxDelayed(2));
        RawPeer client = peer();
        client.send("{'command':'push','rid':'a','work':[1],'retries':'many'}");
        assertThat(client.answer("push").at("/error/code").asText()).isEqualTo("EINVRETRY");
        client.send("{'command':'push','rid':'b','work':[1],'delay':-5}");
        JsonNode b = client.answer("push");
        assertThat(b.at("/error/code").asText()).isEqualTo("EINVDELAY");
        assertThat(b.get("rid").asText()).isEqualTo("b");
        client.send("{'command':'push','rid':'c','work':[1,2,3],'delay':1000}");
        assertThat(client.answer("push").at("/error/code").asText()).isEqualTo("ETOOMANYDELAYED");
        assertThat(manager.counts().liveWorks()).isZero();
    }
}
