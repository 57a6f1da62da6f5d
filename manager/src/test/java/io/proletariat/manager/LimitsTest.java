package io.proletariat.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The limits that protect the manager (issue 6): each answered with its code, the offender alone affected. */
class LimitsTest {

    private static Manager start(ManagerOptions.Builder options) {
        return new Manager(options.port(0).bindAddress("127.0.0.1").build()).start();
    }

    private static String works(int n) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append(i);
        }
        return sb.append(']').toString();
    }

    @Test
    void aPushWithMoreWorksThanAllowedIsRefusedWithEtoomanyworks() {
        try (Manager m = start(ManagerOptions.builder().maxWorksPerPush(10)); RawPeer client = new RawPeer(m)) {
            client.send("{'command':'push','rid':'big','work':" + works(11) + "}");
            JsonNode a = client.answer("push");
            assertThat(a.path("error").path("code").asText()).isEqualTo("ETOOMANYWORKS");
            assertThat(a.path("rid").asText()).isEqualTo("big");
            assertThat(client.push("ok", works(10), "")).hasSize(10);
            assertThat(m.liveWorks()).isEqualTo(10);
        }
    }

    @Test
    void pushesBeyondThePendingLimitAreRefusedUntilAnswersCome() {
        try (Manager m = start(ManagerOptions.builder().maxPendingWorks(5)); RawPeer client = new RawPeer(m); RawPeer worker = new RawPeer(m)) {
            client.push("a", works(3), "");
            client.send("{'command':'push','rid':'b','work':" + works(3) + "}");
            assertThat(client.answer("push").path("error").path("code").asText()).isEqualTo("ETOOMANYPENDING");
            client.push("c", works(2), "");

            worker.offer("10");
            List<String> ids = RawPeer.ids(worker.takeDispatch());
            assertThat(ids).hasSize(5);
            worker.finish(ids, "1");
            await().until(() -> m.liveWorks() == 0);
            assertThat(client.push("d", works(5), "")).hasSize(5);
        }
    }

    @Test
    void aConnectionBeyondTheLimitGetsEtoomanyconnAndIsClosed() {
        try (Manager m = start(ManagerOptions.builder().maxConnections(2)); RawPeer one = new RawPeer(m); RawPeer two = new RawPeer(m)) {
            await().until(() -> m.connections() == 2);
            try (RawPeer three = new RawPeer(m)) {
                assertThat(three.read()).isEqualTo(RawPeer.json("{'error':{'code':'ETOOMANYCONN','description':'Too many connections'}}"));
                assertThat(three.closedByPeer()).isTrue();
            }
            assertThat(m.connections()).isEqualTo(2);
            assertThat(one.status().path("to").asText()).isEqualTo("status");
            two.close();
            await().until(() -> m.connections() == 1);
            try (RawPeer four = new RawPeer(m)) {
                assertThat(four.status().path("to").asText()).isEqualTo("status");
            }
        }
    }

    @Test
    void aStringJustUnderTheFrameLimitIsValidJson() {
        // Jackson's default string limit (20,000,000) is below the 20 MiB frame limit (issue 12, item 12).
        try (Manager m = start(ManagerOptions.builder()); RawPeer client = new RawPeer(m); RawPeer worker = new RawPeer(m)) {
            byte[] head = "{\"command\":\"push\",\"rid\":\"long\",\"work\":[\"".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            byte[] tail = "\"]}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            byte[] frame = new byte[m.options().maxFrameLength()];
            java.util.Arrays.fill(frame, (byte) 'x');
            System.arraycopy(head, 0, frame, 0, head.length);
            System.arraycopy(tail, 0, frame, frame.length - tail.length, tail.length);
            client.sendBytes(frame);
            JsonNode a = client.answer("push");
            assertThat(a.has("error")).as("push answer %s", a).isFalse();
            worker.offer("1");
            assertThat(worker.command("push").get("work").get(0).get("args").asText())
                    .hasSize(frame.length - head.length - tail.length);
        }
    }

    @Test
    void limitsRejectBadValuesNamingTheField() {
        assertThatThrownBy(() -> ManagerOptions.builder().maxWorksPerPush(0)).hasMessageContaining("maxWorksPerPush");
        assertThatThrownBy(() -> ManagerOptions.builder().maxPendingWorks(0)).hasMessageContaining("maxPendingWorks");
        assertThatThrownBy(() -> ManagerOptions.builder().maxConnections(0)).hasMessageContaining("maxConnections");
        assertThatThrownBy(() -> ManagerOptions.builder().maxOutboundBuffer(10)).hasMessageContaining("maxOutboundBuffer");
        assertThatThrownBy(() -> ManagerOptions.builder().maxPendingSysmsgs(0, 10)).hasMessageContaining("maxPendingSysmsgs");
        assertThatThrownBy(() -> ManagerOptions.builder().maxPendingSysmsgs(1, 0)).hasMessageContaining("maxPendingSysmsgAcks");
        assertThatThrownBy(() -> ManagerOptions.builder().maxOutboundBuffer(1024 * 1024).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("maxFrameLength");
        ManagerOptions d = ManagerOptions.defaults();
        assertThat(d.maxWorksPerPush()).isEqualTo(100_000);
        assertThat(d.maxPendingWorks()).isEqualTo(1_000_000);
        assertThat(d.maxConnections()).isEqualTo(20_000);
        assertThat(d.maxOutboundBuffer()).isEqualTo(64 * 1024 * 1024);
        assertThat(d.maxPendingSysmsgs()).isEqualTo(1_000);
        assertThat(d.maxPendingSysmsgAcks()).isEqualTo(100_000);
    }
}
