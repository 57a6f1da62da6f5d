package io.proletariat.manager.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.embedded.EmbeddedChannel;
import io.proletariat.manager.ManagerOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The dispatch core called directly, without sockets, on embedded channels whose clock the test
 * moves: timers are exercised exactly, with no waiting.
 */
class DispatchCoreTest {
    private final EmbeddedChannel loop = new EmbeddedChannel();
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private DispatchCore core;

    private DispatchCore core(ManagerOptions.Builder options) {
        loop.freezeTime();
        core = new DispatchCore(loop.eventLoop(), options.build());
        return core;
    }

    private Connection connect() {
        EmbeddedChannel ch = new EmbeddedChannel();
        channels.add(ch);
        return core.connected(ch);
    }

    private void send(Connection c, String singleQuotedJson) {
        core.receive(c, InboundDecoder.decode(singleQuotedJson.replace('\'', '"').getBytes(StandardCharsets.UTF_8)));
        loop.runPendingTasks();
    }

    private void advance(long millis) {
        loop.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        loop.runScheduledPendingTasks();
        loop.runPendingTasks();
    }

    /** Every frame written to the connection since the last call. */
    private static List<JsonNode> frames(Connection c) {
        return OutboundFrames.json(c.channel);
    }

    @AfterEach
    void close() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
        loop.finishAndReleaseAll();
    }

    @Test
    void assignTimeoutIsRearmedWhenAWorkGoesBackToItsQueue() {
        core(ManagerOptions.builder());
        Connection client = connect();
        Connection worker = connect();
        send(worker, "{'command':'offer','slots':1}");
        send(client, "{'command':'push','rid':'r','work':[1],'assigntimeout':1000}");
        String id = frames(client).get(0).get("work").get(0).asText();
        assertThat(frames(worker)).anySatisfy(f -> assertThat(f.path("command").asText()).isEqualTo("push"));
        // Assigned works do not time out.
        advance(5000);
        assertThat(frames(client)).isEmpty();
        // The worker dies: the work is queued again with a fresh assign timeout.
        core.disconnected(worker);
        loop.runPendingTasks();
        advance(999);
        assertThat(frames(client)).isEmpty();
        advance(1);
        List<JsonNode> done = frames(client);
        assertThat(done).singleElement().satisfies(f -> {
            assertThat(f.get("work").get(0).get("id").asText()).isEqualTo(id);
            assertThat(f.get("work").get(0).get("result").get("err").get("code").asText()).isEqualTo("EATO");
        });
        assertThat(core.counts().liveWorks()).isZero();
    }

    @Test
    void abortedWorkNeverTimesOut() {
        core(ManagerOptions.builder());
        Connection client = connect();
        send(client, "{'command':'push','rid':'r','work':[1],'assigntimeout':100}");
        frames(client);
        send(client, "{'command':'abort','rid':'r'}");
        assertThat(frames(client)).singleElement().satisfies(f -> assertThat(f.get("ok").asBoolean()).isTrue());
        advance(1000);
        assertThat(frames(client)).isEmpty();
    }

    @Test
    void systemMessageExpiresAfterItsTimeout() {
        core(ManagerOptions.builder().sysmsgTimeout(Duration.ofSeconds(60)));
        Connection sender = connect();
        Connection silent = connect();
        send(sender, "{'command':'sysmsg','id':'M1','content':1}");
        assertThat(frames(silent)).hasSize(1);
        advance(59_999);
        assertThat(frames(sender)).isEmpty();
        advance(1);
        assertThat(frames(sender)).singleElement().satisfies(f -> {
            assertThat(f.get("sentTo").asInt()).isEqualTo(1);
            assertThat(f.get("receivedBy").asInt()).isZero();
            assertThat(f.get("expired").asBoolean()).isTrue();
        });
    }

    @Test
    void onePassPlacesABurstAndSendsOneFramePerWorker() {
        core(ManagerOptions.builder());
        Connection client = connect();
        Connection a = connect();
        Connection b = connect();
        send(a, "{'command':'offer','slots':3}");
        send(b, "{'command':'offer','slots':3}");
        frames(a);
        frames(b);
        // Three pushes processed before the pass runs: it places all six works at once.
        core.receive(client, InboundDecoder.decode("{\"command\":\"push\",\"rid\":\"1\",\"work\":[1,2]}".getBytes(StandardCharsets.UTF_8)));
        core.receive(client, InboundDecoder.decode("{\"command\":\"push\",\"rid\":\"2\",\"work\":[3,4]}".getBytes(StandardCharsets.UTF_8)));
        core.receive(client, InboundDecoder.decode("{\"command\":\"push\",\"rid\":\"3\",\"work\":[5,6,7]}".getBytes(StandardCharsets.UTF_8)));
        loop.runPendingTasks();
        List<JsonNode> toA = frames(a);
        List<JsonNode> toB = frames(b);
        assertThat(toA).hasSize(1);
        assertThat(toB).hasSize(1);
        assertThat(toA.get(0).get("work").size() + toB.get(0).get("work").size()).isEqualTo(6);
        assertThat(core.counts().queuedWorks()).isEqualTo(1);
    }

    @Test
    void anExceptionEscapingACoreTaskIsCountedAsUnexpected() {
        core(ManagerOptions.builder());
        assertThat(core.counts().unexpectedErrors()).isZero();
        core.guarded(() -> {
            throw new IllegalStateException("a bug, on purpose");
        }).run();
        assertThat(core.counts().unexpectedErrors()).isOne();
    }

    @Test
    void anExceptionEscapingAConnectionsHandlerIsCountedAndClosesIt() {
        core(ManagerOptions.builder());
        EmbeddedChannel ch = new EmbeddedChannel(new ManagerChannelHandler(core));
        channels.add(ch);
        ch.pipeline().fireExceptionCaught(new IllegalStateException("a bug, on purpose"));
        assertThat(core.counts().unexpectedErrors()).isOne();
        assertThat(ch.isOpen()).isFalse();
    }
}
