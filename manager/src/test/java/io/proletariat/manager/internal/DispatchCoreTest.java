package io.proletariat.manager.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.embedded.EmbeddedChannel;
import io.proletariat.manager.ManagerOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The dispatch core called directly, without sockets, on embedded channels whose clock the test
 * moves: timers are exercised exactly, with no waiting.
 */
class DispatchCoreTest extends CoreTestBase {

    private DispatchCore core(ManagerOptions.Builder options) {
        loop.freezeTime();
        core = new DispatchCore(loop.eventLoop(), options.build());
        return core;
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

    // ---------------------------------------------------------------- works across managers (docs/cluster.md)

    private static String resultOf(JsonNode done, int i) {
        return done.get("work").get(i).get("result").get("data").asText();
    }

    @Test
    void aDispatchNamesTheWorkByItsClientsSessionRequestAndIndex() {
        core(ManagerOptions.builder());
        Connection client = connect();
        Connection worker = connect();
        send(worker, "{'command':'offer','slots':3}");
        frames(worker);
        send(client, "{'command':'push','rid':'R1','session':'s1','work':['a','b']}");
        JsonNode push = frames(worker).get(0);
        assertThat(push.get("work").get(0).get("uid").asText()).isEqualTo("s1/R1/0");
        assertThat(push.get("work").get(1).get("uid").asText()).isEqualTo("s1/R1/1");
        send(client, "{'command':'push','rid':'R2','work':['c']}"); // the original clients: no identity
        assertThat(frames(worker).get(0).get("work").get(0).has("uid")).isFalse();
    }

    @Test
    void aResentWorkIsAnsweredAtOnceWithTheResultAReturningWorkerHandedOver() {
        core(ManagerOptions.builder());
        core.start();
        Connection worker = connect();
        send(worker, "{'command':'resume','results':[{'uid':'s1/R1/1','result':{'err':null,'data':'B'}}],'running':[]}");
        assertThat(frames(worker)).singleElement().satisfies(f -> assertThat(f.get("stored").asInt()).isEqualTo(1));
        Connection client = connect();
        send(client, "{'command':'push','rid':'R1','session':'s1','resent':true,'index':[1],'work':['b']}");
        List<JsonNode> out = frames(client);
        assertThat(out).hasSize(2);
        assertThat(out.get(0).get("to").asText()).isEqualTo("push");
        assertThat(out.get(1).get("command").asText()).isEqualTo("done");
        assertThat(out.get(1).get("work").get(0).get("id").asText()).isEqualTo(out.get(0).get("work").get(0).asText());
        assertThat(resultOf(out.get(1), 0)).isEqualTo("B");
        assertThat(core.snapshot().counters().resumed()).isEqualTo(1);
        assertThat(core.counts().liveWorks()).isZero();
    }

    @Test
    void aResentWorkWaitsTheGraceForReturningWorkersThenRuns() {
        core(ManagerOptions.builder().resumeGrace(Duration.ofSeconds(2)));
        core.start();
        Connection client = connect();
        Connection worker = connect();
        send(worker, "{'command':'offer','slots':1}");
        frames(worker);
        send(client, "{'command':'push','rid':'R1','session':'s1','resent':true,'work':['a']}");
        send(client, "{'command':'push','rid':'R2','session':'s1','work':['new']}"); // not a resend: runs at once
        JsonNode first = frames(worker).get(0);
        assertThat(first.get("work").get(0).get("args").asText()).isEqualTo("new");
        String id = first.get("work").get(0).get("id").asText();
        send(worker, "{'command':'answer','to':'push','accepted':['" + id + "'],'rejected':[]}");
        send(worker, "{'command':'done','work':[{'id':'" + id + "','result':{'err':null,'data':1}}]}");
        frames(worker);
        advance(1999);
        assertThat(frames(worker)).noneSatisfy(f -> assertThat(f.path("command").asText()).isEqualTo("push"));
        advance(1);
        assertThat(frames(worker)).singleElement().satisfies(f -> assertThat(f.get("work").get(0).get("args").asText()).isEqualTo("a"));
    }

    @Test
    void aResentWorkThatAReturningWorkerStillRunsIsParkedUntilItsResultComes() {
        core(ManagerOptions.builder().resumeGrace(Duration.ZERO));
        core.start();
        Connection returning = connect();
        Connection other = connect();
        send(other, "{'command':'offer','slots':4}");
        frames(other);
        send(returning, "{'command':'resume','results':[],'running':['s1/R1/0']}");
        Connection client = connect();
        send(client, "{'command':'push','rid':'R1','session':'s1','resent':true,'work':['a']}");
        frames(client);
        advance(10_000);
        assertThat(frames(other)).isEmpty(); // parked, not run a second time
        assertThat(core.counts().liveWorks()).isEqualTo(1);
        send(returning, "{'command':'resume','results':[{'uid':'s1/R1/0','result':{'err':null,'data':'A'}}],'running':[]}");
        assertThat(frames(client)).singleElement().satisfies(f -> assertThat(resultOf(f, 0)).isEqualTo("A"));
        assertThat(core.snapshot().counters().rerun()).isZero();
    }

    @Test
    void aParkedWorkRunsAgainWhenItsReturningWorkerLeavesAndThatIsARerun() {
        core(ManagerOptions.builder().resumeGrace(Duration.ZERO));
        core.start();
        Connection returning = connect();
        send(returning, "{'command':'resume','results':[],'running':['s1/R1/0']}");
        Connection client = connect();
        send(client, "{'command':'push','rid':'R1','session':'s1','resent':true,'work':['a']}");
        frames(client);
        core.disconnected(returning);
        loop.runPendingTasks();
        Connection other = connect();
        send(other, "{'command':'offer','slots':1}");
        JsonNode push = frames(other).stream().filter(f -> f.path("command").asText().equals("push")).findFirst().orElseThrow();
        String id = push.get("work").get(0).get("id").asText();
        send(other, "{'command':'answer','to':'push','accepted':['" + id + "'],'rejected':[]}");
        assertThat(core.snapshot().counters().rerun()).isEqualTo(1);
    }

    @Test
    void aResultHandedOverForAWorkRunningElsewhereAnswersItAndAbortsTheSecondRun() {
        core(ManagerOptions.builder().resumeGrace(Duration.ZERO));
        core.start();
        Connection client = connect();
        Connection other = connect();
        send(other, "{'command':'offer','slots':1}");
        frames(other);
        send(client, "{'command':'push','rid':'R1','session':'s1','resent':true,'work':['a']}");
        frames(client);
        String id = frames(other).get(0).get("work").get(0).get("id").asText();
        Connection returning = connect();
        send(returning, "{'command':'resume','results':[{'uid':'s1/R1/0','result':{'err':null,'data':'A'}}],'running':[]}");
        assertThat(frames(client)).singleElement().satisfies(f -> assertThat(resultOf(f, 0)).isEqualTo("A"));
        assertThat(frames(other)).singleElement().satisfies(f -> {
            assertThat(f.get("command").asText()).isEqualTo("abort");
            assertThat(f.get("work").get(0).asText()).isEqualTo(id);
        });
        assertThat(core.snapshot().counters().rerun()).isEqualTo(1);
        assertThat(core.counts().liveWorks()).isZero();
    }

    @Test
    void aPushWithAMalformedIdentityIsServedWithoutOne() {
        core(ManagerOptions.builder());
        Connection client = connect();
        Connection worker = connect();
        send(worker, "{'command':'offer','slots':3}");
        frames(worker);
        send(client, "{'command':'push','rid':'R1','session':'s1','resent':true,'index':[0,0],'work':['a','b']}");
        send(client, "{'command':'push','rid':'R2','session':'a/b','work':['c']}");
        send(client, "{'command':'push','rid':'R3','session':42,'work':['d']}");
        assertThat(frames(worker)).allSatisfy(f -> assertThat(f.get("work").get(0).has("uid")).isFalse());
        assertThat(core.counts().liveWorks()).isEqualTo(4);
    }

    @Test
    void aResumeOfGarbageIsAnsweredAndChangesNothing() {
        core(ManagerOptions.builder());
        Connection peer = connect();
        send(peer, "{'command':'resume','results':[1,{'uid':2},{'uid':'x'},{'uid':'y','result':'notanobject'}],'running':{'a':1}}");
        assertThat(frames(peer)).singleElement().satisfies(f -> {
            assertThat(f.get("to").asText()).isEqualTo("resume");
            assertThat(f.get("answered").asInt()).isZero();
            assertThat(f.get("stored").asInt()).isZero();
        });
    }

    // ---------------------------------------------------------------- the leader's lease

    /** A leadership whose lease the test sets. */
    private static final class TestLeadership implements io.proletariat.manager.Leadership {
        volatile long deadline = Long.MAX_VALUE / 2;

        @Override
        public void start(String advertised, java.util.function.Consumer<io.proletariat.manager.ClusterRole> roles) {
        }

        @Override
        public long leaseDeadlineNanos() {
            return deadline;
        }

        @Override
        public void close() {
        }
    }

    private static final io.proletariat.manager.ClusterRole LEADER = new io.proletariat.manager.ClusterRole(
            io.proletariat.manager.ClusterRole.Kind.LEADER, "c", 1, "127.0.0.1:1", 0);

    @Test
    void aStandbySendsEveryNewConnectionToTheLeader() {
        core(ManagerOptions.builder().leadership(new TestLeadership()));
        core.role(new io.proletariat.manager.ClusterRole(io.proletariat.manager.ClusterRole.Kind.STANDBY, "c", 3, "10.0.0.1:1917", 2));
        EmbeddedChannel ch = new EmbeddedChannel();
        track(ch);
        assertThat(core.connected(ch)).isNull();
        assertThat(OutboundFrames.json(ch)).singleElement().satisfies(f -> {
            assertThat(f.get("error").get("code").asText()).isEqualTo("ENOTLEADER");
            assertThat(f.get("error").get("leader").asText()).isEqualTo("10.0.0.1:1917");
        });
    }

    @Test
    void aLeaderPastItsLeaseWritesNothingUntilItIsRenewed() {
        TestLeadership leadership = new TestLeadership();
        core(ManagerOptions.builder().leadership(leadership));
        core.role(LEADER);
        Connection client = connect();
        Connection worker = connect();
        send(worker, "{'command':'offer','slots':1}");
        assertThat(frames(worker)).isNotEmpty();
        leadership.deadline = System.nanoTime() - 1; // the lease ran out: a pause, ZooKeeper gone
        send(client, "{'command':'push','rid':'r','work':[1]}");
        advance(100);
        assertThat(frames(client)).isEmpty();
        assertThat(frames(worker)).isEmpty();
        leadership.deadline = System.nanoTime() + 60_000_000_000L; // renewed
        advance(20);
        assertThat(frames(client)).isNotEmpty();
        assertThat(frames(worker)).anySatisfy(f -> assertThat(f.path("command").asText()).isEqualTo("push"));
    }

    @Test
    void aLeaderThatLosesItsLeadershipClosesEveryConnectionWithoutWritingWhatWaits() {
        core(ManagerOptions.builder().leadership(new TestLeadership()));
        core.role(LEADER);
        Connection client = connect();
        send(client, "{'command':'ping'}");
        core.outbox.frame(client).beginObject().name("late").value(true).endObject().endFrame(); // waits for the batch's end
        core.role(new io.proletariat.manager.ClusterRole(io.proletariat.manager.ClusterRole.Kind.STANDBY, "c", 1, null, 0));
        loop.runPendingTasks();
        assertThat(client.channel.isOpen()).isFalse();
        assertThat(frames(client)).noneSatisfy(f -> assertThat(f.has("late")).isTrue());
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
        track(ch);
        ch.pipeline().fireExceptionCaught(new IllegalStateException("a bug, on purpose"));
        assertThat(core.counts().unexpectedErrors()).isOne();
        assertThat(ch.isOpen()).isFalse();
    }
}
