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

/** Progress reports (issue 16, point 5): a real manager on a real socket, raw peers on both sides. */
class ProgressRelayTest {
    private ManagerServer server;
    private final List<RawPeer> peers = new ArrayList<>();

    @BeforeEach
    void start() throws InterruptedException {
        server = ManagerServer.start(ManagerOptions.builder().port(0).bindAddress("127.0.0.1").build());
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

    private ProgressRelay relay() {
        return server.core().progress;
    }

    @Test
    void progressReachesTheClientThatAskedInOrderAndBeforeTheResult() {
        RawPeer worker = peer();
        worker.offer("1");
        RawPeer client = peer();
        String id = client.push("r1", "[{'n':1}]", "'progress':true").get(0);
        worker.takeDispatch();
        for (int i = 0; i < 50; i++) {
            worker.send("{'command':'progress','id':'" + id + "','progress':{'step':" + i + ",'of':50}}");
        }
        worker.send("{'command':'progress','id':'" + id + "','progress':'almost there'}");
        worker.finish(List.of(id), "'ok'");
        for (int i = 0; i < 50; i++) {
            JsonNode p = client.read();
            assertThat(p.path("command").asText()).isEqualTo("progress");
            assertThat(p.path("id").asText()).isEqualTo(id);
            assertThat(p.path("rid").asText()).isEqualTo("r1");
            assertThat(p.path("progress").toString()).isEqualTo("{\"step\":" + i + ",\"of\":50}"); // verbatim
        }
        assertThat(client.read().path("progress").asText()).isEqualTo("almost there");
        JsonNode done = client.read();
        assertThat(done.path("command").asText()).isEqualTo("done");
        assertThat(done.path("work").get(0).path("result").path("data").asText()).isEqualTo("ok");
        assertThat(server.query(() -> relay().relayed)).isEqualTo(51);
        assertThat(server.stats().operator().progressRelayed()).as("in the snapshot behind /metrics").isEqualTo(51);
    }

    @Test
    void anOriginalClientThatDidNotAskSeesExactlyTodaysTraffic() {
        RawPeer worker = peer();
        worker.offer("1");
        RawPeer original = peer();
        String id = original.push("r1", "[1]", "").get(0); // no "progress": an original client's push
        worker.takeDispatch();
        worker.send("{'command':'progress','id':'" + id + "','progress':50}");
        worker.send("{'command':'ping'}");
        worker.answer("ping"); // the progress was handled before the ping
        original.assertSilentFor(200);
        worker.finish(List.of(id), "1");
        assertThat(original.read().path("command").asText()).isEqualTo("done"); // the next frame is the result
        assertThat(server.query(() -> relay().relayed)).isZero();
    }

    @Test
    void onlyTheWorkerThatHoldsTheWorkMayReportOnIt() {
        RawPeer holder = peer();
        holder.offer("1");
        RawPeer client = peer();
        String id = client.push("r1", "[1]", "'progress':true").get(0);
        holder.takeDispatch();
        RawPeer other = peer();
        other.offer("1"); // a worker, but not this work's
        RawPeer stranger = peer(); // not even a worker
        other.send("{'command':'progress','id':'" + id + "','progress':'forged'}");
        stranger.send("{'command':'progress','id':'" + id + "','progress':'forged'}");
        holder.send("{'command':'progress','id':'W000000R999','progress':'no such work'}");
        holder.send("{'command':'progress','progress':'no id'}");
        holder.send("{'command':'progress','id':'" + id + "'}"); // no value
        await().until(() -> server.query(() -> relay().ignored) == 5);
        client.assertSilentFor(200);
        holder.finish(List.of(id), "1");
        holder.send("{'command':'progress','id':'" + id + "','progress':'too late'}"); // it is no longer held
        assertThat(client.read().path("command").asText()).isEqualTo("done");
        await().until(() -> server.query(() -> relay().ignored) == 6);
        client.assertSilentFor(200);
        assertThat(server.query(() -> relay().relayed)).isZero();
    }

    @Test
    void anOversizeProgressIsRefusedAndNotRelayed() {
        RawPeer worker = peer();
        worker.offer("1");
        RawPeer client = peer();
        String id = client.push("r1", "[1]", "'progress':true").get(0);
        worker.takeDispatch();
        String big = "x".repeat(ProgressRelay.MAX_PROGRESS_BYTES); // its quotes take it past the bound
        worker.send("{'command':'progress','id':'" + id + "','progress':'" + big + "'}");
        JsonNode answer = worker.answer("progress");
        assertThat(answer.path("error").path("code").asText()).isEqualTo("ELARGEPROGRESS");
        assertThat(answer.path("id").asText()).isEqualTo(id);
        String fits = "x".repeat(ProgressRelay.MAX_PROGRESS_BYTES - 2);
        worker.send("{'command':'progress','id':'" + id + "','progress':'" + fits + "'}");
        assertThat(client.read().path("progress").asText()).hasSize(ProgressRelay.MAX_PROGRESS_BYTES - 2);
        assertThat(server.query(() -> relay().refused)).isEqualTo(1);
    }

    @Test
    void aClientThatDoesNotReadCostsABoundedBuffer() {
        RawPeer worker = peer();
        worker.offer("1");
        RawPeer slow = peer(); // never reads while the reports flow
        String id = slow.push("r1", "[1]", "'progress':true").get(0);
        worker.takeDispatch();
        byte[] frame = ("{\"command\":\"progress\",\"id\":\"" + id + "\",\"progress\":\"" + "p".repeat(60_000) + "\"}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long maxWaiting = 0;
        for (int round = 0; round < 20 && server.query(() -> relay().dropped) == 0; round++) {
            worker.sendRepeated(frame, 100); // 6 MB a round: more than the socket buffers hold
            worker.send("{'command':'ping'}");
            worker.answer("ping");
            maxWaiting = Math.max(maxWaiting, server.query(() -> waitingFor(slow)));
        }
        assertThat(server.query(() -> relay().dropped)).as("reports dropped for the slow client").isPositive();
        // What waits for it stays within the backlog bound plus one report and one flush's worth of frames.
        assertThat(maxWaiting).isLessThanOrEqualTo(ProgressRelay.MAX_CLIENT_BACKLOG + 2L * ProgressRelay.MAX_PROGRESS_BYTES);
        assertThat(server.counts().connections()).as("the slow client is not closed for it").isEqualTo(2);
    }

    /** Bytes waiting for the only client connection: in its output buffer and its channel (core thread). */
    private long waitingFor(RawPeer ignored) {
        long max = 0;
        for (Connection c : server.core().connections.values()) {
            if (!c.offered) {
                max = Math.max(max, (c.out == null ? 0 : c.out.readableBytes()) + Outbox.pendingBytes(c.channel));
            }
        }
        return max;
    }

    @Test
    void theProgressMemberOfAPushIsOptional() {
        Inbound.Push p = (Inbound.Push) InboundDecoder.decode("{\"command\":\"push\",\"rid\":\"r\",\"work\":[1],\"progress\":true}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(p.progress()).isTrue();
        Inbound.Push q = (Inbound.Push) InboundDecoder.decode("{\"command\":\"push\",\"rid\":\"r\",\"work\":[1],\"progress\":0}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(q.progress()).isFalse();
    }

    @Test
    void theWorkerThatTakesOverARequeuedWorkReportsOnIt() {
        RawPeer first = peer();
        first.offer("1");
        RawPeer client = peer();
        String id = client.push("r1", "[1]", "'progress':true").get(0);
        first.takeDispatch();
        first.close();
        RawPeer second = peer();
        second.offer("1");
        second.takeDispatch();
        second.send("{'command':'progress','id':'" + id + "','progress':'from the second'}");
        assertThat(client.read().path("progress").asText()).isEqualTo("from the second");
    }
}
