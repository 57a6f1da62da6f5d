package io.proletariat.manager.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.proletariat.manager.ManagerOptions;
import io.proletariat.manager.RawPeer;
import io.proletariat.protocol.RawJson;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The manager's memory bounded in bytes, globally (issue 12, item 5), with budgets of about a MiB. */
class MemoryBudgetTest {
    private static final int FRAME = 256 * 1024;
    private static final int BUDGET = 1024 * 1024;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private ManagerServer server;
    private InetSocketAddress address;

    private void start(ManagerOptions.Builder options) throws InterruptedException {
        server = ManagerServer.start(options.port(0).bindAddress("127.0.0.1").maxFrameLength(FRAME).build());
        address = new InetSocketAddress("127.0.0.1", server.localAddress().getPort());
    }

    private RawPeer peer() {
        RawPeer p = new RawPeer(address);
        closeables.add(0, p);
        return p;
    }

    private <T> T onCore(java.util.concurrent.Callable<T> query) {
        return server.query(query);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    private static String string(int bytes) {
        return "'" + "x".repeat(bytes - 2) + "'";
    }

    @Test
    void pushesPastTheWorkBudgetAreRefusedWithEnomemUntilWorksEnd() throws Exception {
        start(ManagerOptions.builder().maxQueuedBytes(BUDGET).maxBufferBytes(BUDGET));
        RawPeer client = peer();
        int work = 200_000;
        for (int i = 0; i < 5; i++) {
            client.push("r" + i, "[" + string(work) + "]", "");
        }
        assertThat(onCore(() -> server.core().memory.queuedBytes)).isEqualTo(5L * work);
        client.send("{'command':'push','rid':'r5','work':[" + string(work) + "]}");
        JsonNode refused = client.answer("push");
        assertThat(refused.path("error").path("code").asText()).isEqualTo("ENOMEM");
        assertThat(refused.path("rid").asText()).isEqualTo("r5");
        io.proletariat.manager.ManagerStats.Memory seen = server.stats().memory();
        assertThat(seen.pushesRefused()).isEqualTo(1);
        assertThat(seen.queuedBytes()).isEqualTo(5L * work);
        assertThat(seen.maxQueuedBytes()).isEqualTo(BUDGET);
        // Healthy small traffic still fits, and answered works give their bytes back.
        client.push("small", "[1,2]", "");
        RawPeer worker = peer();
        worker.offer("10");
        List<String> ids = RawPeer.ids(worker.takeDispatch());
        worker.finish(ids, "1");
        await().until(() -> onCore(() -> server.core().memory.queuedBytes) == 0L);
        assertThat(client.push("r5", "[" + string(work) + "]", "")).hasSize(1);
    }

    @Test
    void tinyWorksInAHugeFrameAreCopiedOutOfIt() {
        String padding = "x".repeat(100_000);
        byte[] padded = ("{\"command\":\"push\",\"rid\":\"r\",\"pad\":\"" + padding + "\",\"work\":[1,{\"a\":2}]}").getBytes(StandardCharsets.UTF_8);
        Inbound.Push p = (Inbound.Push) InboundDecoder.decode(padded);
        for (RawJson w : p.works()) {
            assertThat(w.compact()).as("%s owns exactly its bytes", w).isSameAs(w);
        }
        assertThat(p.rid().compact()).isSameAs(p.rid());
        // Works that fill their frame stay slices of it: nothing to gain from copying.
        byte[] full = ("{\"command\":\"push\",\"rid\":\"r\",\"work\":[\"" + padding + "\",\"" + padding + "\"]}").getBytes(StandardCharsets.UTF_8);
        Inbound.Push q = (Inbound.Push) InboundDecoder.decode(full);
        assertThat(q.works().get(0).compact()).isNotSameAs(q.works().get(0));
    }

    @Test
    void framesArrivingPastTheBufferBudgetCloseTheLargestAndHealthyTrafficFlows() throws Exception {
        start(ManagerOptions.builder().maxBufferBytes(BUDGET));
        RawPeer worker = peer();
        worker.offer("1");
        RawPeer client = peer();
        int peers = 8;
        int sent = 200_000; // of a frame of 250,000 bytes that never completes
        for (int i = 0; i < peers; i++) {
            RawPeer slow = peer();
            byte[] partial = new byte[4 + sent];
            ByteBuffer.wrap(partial).putInt(250_000);
            slow.sendRaw(partial);
        }
        // 8 x 200,004 bytes held is 1.6 MB: at least 3 of the slow peers must go.
        await().until(() -> onCore(() -> server.core().memory.shedConnections) >= 3
                && server.core().memory.inboundBytes.get() <= BUDGET
                && onCore(() -> (long) server.core().counts().connections() == 2 + peers - server.core().memory.shedConnections));
        long shed = onCore(() -> server.core().memory.shedConnections);
        assertThat(shed).isLessThan(peers);
        assertThat(server.core().memory.inboundBytes.get()).isEqualTo((peers - shed) * (4L + sent));
        List<String> ids = client.push("r", "[1]", "");
        assertThat(RawPeer.ids(worker.takeDispatch())).isEqualTo(ids);
    }

    @Test
    void peersNotReadingPastTheBufferBudgetAreClosedAndHealthyTrafficFlows() throws Exception {
        // 30 peers not reading a 16 MiB sysmsg held 2.8 GB: here, 3 peers and 200 KB sysmsgs.
        start(ManagerOptions.builder().maxBufferBytes(BUDGET));
        RawPeer worker = peer();
        worker.offer("1");
        RawPeer client = peer();
        List<java.net.Socket> deaf = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            java.net.Socket s = new java.net.Socket();
            s.setReceiveBufferSize(4096);
            s.connect(address, 5000);
            deaf.add(s);
            closeables.add(s);
        }
        await().until(() -> server.counts().connections() == 5);
        RawPeer sender = peer();
        String content = string(200_000);
        int[] sent = {0};
        await().until(() -> {
            sender.send("{'command':'sysmsg','id':'m" + sent[0]++ + "','content':" + content + "}");
            return onCore(() -> server.core().memory.shedConnections) > 0;
        });
        sender.send("{'command':'ping'}").answer("ping"); // every sysmsg sent is relayed by now
        await().until(() -> server.core().memory.bufferBytes() <= BUDGET);
        List<String> ids = client.push("r", "[1]", "");
        assertThat(RawPeer.ids(worker.takeDispatch())).isEqualTo(ids);
        assertThat(onCore(() -> server.core().memory.refusedPushes)).isZero();
    }

    @Test
    void aClosedPeerIsToldEnomem() throws Exception {
        start(ManagerOptions.builder().maxBufferBytes(BUDGET));
        RawPeer big = peer();
        byte[] partial = new byte[4 + 250_000];
        ByteBuffer.wrap(partial).putInt(FRAME - 10);
        big.sendRaw(partial);
        await().until(() -> server.core().memory.inboundBytes.get() == partial.length);
        for (int i = 0; i < 4; i++) {
            byte[] smaller = new byte[4 + 200_000];
            ByteBuffer.wrap(smaller).putInt(FRAME - 10);
            peer().sendRaw(smaller);
        }
        // 1,050,020 bytes held: the largest holder goes, with a bare ENOMEM.
        assertThat(big.read().path("error").path("code").asText()).isEqualTo("ENOMEM");
        assertThat(big.closedByPeer()).isTrue();
        await().until(() -> server.core().memory.inboundBytes.get() == 4L * 200_004);
    }
}
