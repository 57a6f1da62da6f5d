package io.proletariat.manager.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.proletariat.protocol.RawJson;
import io.proletariat.protocol.WireError;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every frame the core writes, to the byte: the wire's shapes and member order (docs/protocol.md). */
class RepliesTest {
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private final Outbox outbox = new Outbox(1 << 20, () -> { }, new MemoryBudget(1 << 20, 1 << 20), () -> { });
    private final Replies replies = new Replies(outbox);
    private final Connection peer = connection("C1");

    private Connection connection(String id) {
        EmbeddedChannel ch = new EmbeddedChannel();
        channels.add(ch);
        return new Connection(id, ch, 0, 0);
    }

    @AfterEach
    void close() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    /** The frames written to the peer, flushed. */
    private List<String> sent() {
        outbox.flush();
        return OutboundFrames.texts(peer.channel);
    }

    private static String json(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    private Work work(String id, String args, String runTimeout) {
        Request r = new Request(peer, "r", 0, 1, null);
        return new Work(id, r, RawJson.of(args), runTimeout == null ? null : RawJson.of(runTimeout), 0, null, 0);
    }

    private static Inbound.Push push(String rid, String group) {
        return new Inbound.Push(rid == null ? null : RawJson.of(rid), group == null ? null : RawJson.of(group), "r",
                List.of(RawJson.of("1")), 1, 0, null, 0, 0, null);
    }

    @Test
    void errors() {
        replies.error(peer, "offer", WireError.EINVCMDSTAT1);
        replies.bareError(peer, WireError.EBADJSON, null);
        replies.bareError(peer, WireError.EUNKNCMD, RawJson.of("\"nonsense\""));
        assertThat(sent()).containsExactly(
                json("{'error':{'code':'EINVCMDSTAT1','description':'You are not new here.'},'to':'offer','command':'answer'}"),
                json("{'error':{'code':'EBADJSON','description':'Invalid JSON'}}"),
                json("{'error':{'code':'EUNKNCMD','description':'" + WireError.EUNKNCMD.description() + "','command':'nonsense'}}"));
    }

    @Test
    void aRefusedChannelGetsABareErrorAndIsClosed() {
        EmbeddedChannel ch = new EmbeddedChannel();
        channels.add(ch);
        replies.refuse(ch, WireError.ETOOMANYCONN);
        assertThat(OutboundFrames.texts(ch)).containsExactly(
                json("{'error':{'code':'ETOOMANYCONN','description':'" + WireError.ETOOMANYCONN.description() + "'}}"));
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void keepalive() {
        replies.ping(peer);
        replies.pong(peer);
        List<String> frames = sent();
        assertThat(frames.get(0)).isEqualTo(json("{'command':'ping'}"));
        assertThat(frames.get(1)).matches(json("\\{'current':'[^']+','to':'ping','command':'answer'\\}"));
    }

    @Test
    void workerFrames() {
        peer.busy = 2;
        replies.offerAccepted(peer);
        replies.draining(peer);
        replies.dispatch(peer, List.of(work("W1", "{'a':1}".replace('\'', '"'), null), work("W2", "[2]", "5000")));
        replies.doneAnswer(peer, 2, 0);
        replies.doneAnswer(peer, 0, 3);
        replies.aborts(peer, List.of("W1", "W2"));
        assertThat(sent()).containsExactly(
                json("{'description':'You are very nice comrade','you':'C1','to':'offer','command':'answer'}"),
                json("{'running':2,'to':'drain','command':'answer'}"),
                json("{'work':[{'id':'W1','args':{'a':1}},{'id':'W2','args':[2],'timeout':5000}],'command':'push'}"),
                json("{'description':'спасибо for the 2 works','to':'done','command':'answer'}"),
                "{\"description\":\"You didn't send nothing interesting sir\",\"ignored\":3,\"to\":\"done\",\"command\":\"answer\"}",
                json("{'work':['W1','W2'],'command':'abort'}"));
    }

    @Test
    void pushAnswersEchoTheRequestIdUnderEachNameTheClientUsed() {
        Work[] works = {work("W1", "1", null), work("W2", "2", null)};
        replies.pushAccepted(peer, push("\"r\"", null), works);
        replies.pushAccepted(peer, push(null, "7"), works);
        replies.pushRefused(peer, push("\"r\"", "\"g\""), WireError.ENORID);
        assertThat(sent()).containsExactly(
                json("{'work':['W1','W2'],'rid':'r','to':'push','command':'answer'}"),
                json("{'work':['W1','W2'],'group':7,'to':'push','command':'answer'}"),
                json("{'error':{'code':'ENORID','description':'No request ID'},'rid':'r','group':'g','to':'push','command':'answer'}"));
    }

    @Test
    void resultsAndAssignTimeoutsShareOneShapeAndLetResultsGo() {
        Work done = work("W1", "1", null);
        done.result = RawJson.of(json("{'err':null,'data':42}"));
        Work timedOut = work("W2", "2", null);
        timedOut.result = Replies.EATO_RESULT;
        replies.results(peer, List.of(done, timedOut));
        assertThat(sent()).containsExactly(json("{'work':[{'id':'W1','result':{'err':null,'data':42}},"
                + "{'id':'W2','result':{'err':{'code':'EATO','message':'Assign timeout'},'data':null}}],'command':'done'}"));
        assertThat(Arrays.asList(done.result, timedOut.result)).containsOnlyNulls();
    }

    @Test
    void abortAnswers() {
        replies.requestAborted(peer, RawJson.of("\"r\""));
        replies.worksAborted(peer, List.of("W1"));
        replies.worksAborted(peer, List.of());
        assertThat(sent()).containsExactly(
                json("{'ok':true,'rid':'r','to':'abort','command':'answer'}"),
                json("{'ok':true,'work':['W1'],'to':'abort','command':'answer'}"),
                json("{'ok':true,'work':[],'to':'abort','command':'answer'}"));
    }

    @Test
    void systemMessageFrames() {
        Connection sender = connection("C2");
        replies.sysmsgWithoutId(peer);
        replies.sysmsg(peer, "C2/M1", sender, RawJson.of("{\"x\":[1]}"));
        replies.sysmsg(peer, "C2/M2", sender, null);
        replies.sysmsgRefused(peer, "M3");
        replies.sysmsgDone(peer, "M1", 2, 1, false);
        replies.sysmsgDone(peer, "M2", 1, 0, true);
        assertThat(sent()).containsExactly(
                json("{'to':'sysmsg','error':'System message needs an id comrade','command':'answer'}"),
                json("{'id':'C2/M1','from':'C2','content':{'x':[1]},'command':'sysmsg'}"),
                json("{'id':'C2/M2','from':'C2','command':'sysmsg'}"),
                json("{'error':{'code':'ETOOMANYSYSMSG','description':'" + WireError.ETOOMANYSYSMSG.description()
                        + "'},'to':'sysmsg','id':'M3','command':'answer'}"),
                json("{'to':'sysmsg','id':'M1','done':true,'sentTo':2,'receivedBy':1,'command':'answer'}"),
                json("{'to':'sysmsg','id':'M2','done':true,'sentTo':1,'receivedBy':0,'expired':true,'command':'answer'}"));
    }

    @Test
    void adminAnswers() {
        replies.admin(peer, "cleanup");
        replies.admin(peer, "gc");
        replies.admin(peer, "dumpall");
        assertThat(sent()).containsExactly(
                json("{'ok':true,'command':'cleanup'}"),
                json("{'ok':true,'command':'gc'}"),
                json("{'ok':false,'err':{'code':'ENOTSUP','description':'dumpall is not supported; use the status command'},'command':'dumpall'}"));
    }

    @Test
    void framesToAClosedConnectionAreDropped() {
        peer.open = false;
        replies.ping(peer);
        assertThat(sent()).isEmpty();
    }
}
