package io.proletariat.manager;

import static io.proletariat.manager.RawPeer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.proletariat.protocol.Wire;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Malformed and hostile input (docs/protocol.md, Framing, and quirk M5 and the H rows; transcripts {@code crash_*},
 * {@code head_crash_*}, {@code errors}, {@code oversize_frame}, {@code poison_null_work}): every
 * input that crashed the original is answered or ignored as docs/compatibility.md says.
 *
 * <p>Each test ends with {@link #assertManagerUnharmed()}: a client that was connected before the
 * bad input still gets a work run by a fresh worker, and nothing is left behind.
 */
class BadInputTest {
    private static final int MAX_FRAME = Wire.DEFAULT_MAX_FRAME_LENGTH;

    private Manager manager;
    /** A client connected before any bad input; it must be served afterwards. */
    private RawPeer bystander;
    private final List<RawPeer> peers = new ArrayList<>();

    @BeforeEach
    void start() {
        manager = new Manager(ManagerOptions.builder().port(0).bindAddress("127.0.0.1").build()).start();
        bystander = new RawPeer(manager);
        await().until(() -> manager.connections() == 1);
    }

    @AfterEach
    void stop() {
        peers.forEach(RawPeer::close);
        bystander.close();
        manager.close();
    }

    // ------------------------------------------------------------------ framing and JSON

    @Test
    void nullFrameIsAnsweredWithUnknownCommand() {
        RawPeer peer = connect();
        peer.sendBytes("null".getBytes(StandardCharsets.UTF_8));

        assertThat(peer.read()).isEqualTo(json("{'error':{'code':'EUNKNCMD','description':'Unknown command'}}"));
        assertStillServed(peer);
        assertManagerUnharmed();
    }

    @ParameterizedTest(name = "payload {0}")
    @ValueSource(strings = {"42", "\"x\"", "[]", "[{\"command\":\"ping\"}]", "true"})
    void nonObjectJsonIsAnsweredWithUnknownCommand(String payload) {
        RawPeer peer = connect();
        peer.sendBytes(payload.getBytes(StandardCharsets.UTF_8));

        assertThat(peer.read()).isEqualTo(json("{'error':{'code':'EUNKNCMD','description':'Unknown command'}}"));
        assertStillServed(peer);
        assertManagerUnharmed();
    }

    @Test
    void invalidJsonIsAnsweredWithABareEbadjsonError() {
        RawPeer peer = connect();
        peer.sendBytes("this is not json".getBytes(StandardCharsets.UTF_8));
        peer.sendBytes("{\"command\":\"ping\"".getBytes(StandardCharsets.UTF_8));

        assertThat(peer.read()).isEqualTo(json("{'error':{'code':'EBADJSON','description':'Invalid JSON'}}"));
        assertThat(peer.read()).isEqualTo(json("{'error':{'code':'EBADJSON','description':'Invalid JSON'}}"));
        assertStillServed(peer);
        assertManagerUnharmed();
    }

    /** DispatchCore.MAX_BAD_FRAMES: invalid frames after which a connection is closed. */
    private static final int MAX_BAD_FRAMES = 100;

    @Test
    void aStreamOfInvalidFramesIsAnsweredAndThenClosed() {
        RawPeer tolerated = connect();
        for (int i = 1; i < MAX_BAD_FRAMES; i++) {
            tolerated.sendBytes("not json".getBytes(StandardCharsets.UTF_8));
            assertThat(tolerated.read().path("error").path("code").asText()).isEqualTo("EBADJSON");
        }
        assertStillServed(tolerated);

        RawPeer flooding = connect();
        flooding.sendRepeated("not json".getBytes(StandardCharsets.UTF_8), MAX_BAD_FRAMES + 50);
        for (int i = 0; i < MAX_BAD_FRAMES; i++) {
            assertThat(flooding.read().path("error").path("code").asText()).isEqualTo("EBADJSON");
        }
        assertThat(flooding.closedByPeer()).isTrue(); // nothing more was answered
        assertManagerUnharmed();
    }

    @Test
    void aConnectionAskingStatusFasterThanAHundredASecondIsToldAndClosed() {
        RawPeer flooding = connect();
        flooding.sendRepeated("{\"command\":\"status\"}".getBytes(StandardCharsets.UTF_8), 150);
        int answered = 0;
        JsonNode frame;
        while ((frame = flooding.read()).path("to").asText().equals("status")) {
            answered++;
        }
        // The burst of 100, and the few the rate gave back while they were read.
        assertThat(answered).isBetween(100, 149);
        assertThat(frame.path("error").path("code").asText()).isEqualTo("ETOOMANYREQS");
        assertThat(flooding.closedByPeer()).isTrue();
        assertManagerUnharmed();
    }

    @Test
    void zeroLengthFrameIsIgnored() {
        RawPeer peer = connect();
        peer.sendBytes(new byte[0]);

        // The next frame the peer sees is the answer to its next command: nothing was sent for the empty one.
        peer.send("{'command':'ping'}");
        assertThat(peer.read().path("to").asText()).isEqualTo("ping");
        assertManagerUnharmed();
    }

    @Test
    void frameAboveTwentyMebibytesIsAnsweredElargemsgAndClosed() {
        RawPeer peer = connect();
        peer.sendRaw(header(MAX_FRAME + 1L));
        peer.sendRaw("{\"command\":".getBytes(StandardCharsets.UTF_8));

        assertThat(peer.read()).isEqualTo(json("{'error':{'code':'ELARGEMSG','description':'Message too large'}}"));
        assertThat(peer.closedByPeer()).as("connection closed after ELARGEMSG").isTrue();
        assertManagerUnharmed();
    }

    @Test
    void frameOfExactlyTwentyMebibytesIsAccepted() {
        RawPeer peer = connect();
        byte[] payload = new byte[MAX_FRAME];
        byte[] ping = "{\"command\":\"ping\"}".getBytes(StandardCharsets.UTF_8);
        java.util.Arrays.fill(payload, (byte) ' ');
        System.arraycopy(ping, 0, payload, 0, ping.length);
        peer.sendBytes(payload);

        assertThat(peer.read().path("to").asText()).isEqualTo("ping");
        assertManagerUnharmed();
    }

    @Test
    void lengthPrefixWithTopBitSetIsAnsweredElargemsgAndClosed() {
        RawPeer peer = connect();
        peer.sendRaw(header(0x8000_0000L));
        peer.sendRaw(frame("{\"command\":\"ping\"}"));

        assertThat(peer.read()).isEqualTo(json("{'error':{'code':'ELARGEMSG','description':'Message too large'}}"));
        assertThat(peer.closedByPeer()).as("connection closed after ELARGEMSG").isTrue();
        assertManagerUnharmed();
    }

    @Test
    void unknownCommandIsAnsweredEunkncmdEchoingTheCommand() {
        RawPeer peer = connect();
        peer.send("{'command':'no-such-command'}");
        assertThat(peer.read()).isEqualTo(json("{'error':{'code':'EUNKNCMD','description':'Unknown command','command':'no-such-command'}}"));

        peer.send("{'no':'command'}");
        assertThat(peer.read()).isEqualTo(json("{'error':{'code':'EUNKNCMD','description':'Unknown command'}}"));

        peer.send("{'command':42}");
        assertThat(peer.read()).isEqualTo(json("{'error':{'code':'EUNKNCMD','description':'Unknown command','command':42}}"));
        assertStillServed(peer);
        assertManagerUnharmed();
    }

    @Test
    void answerWithUnknownToIsAnsweredEunknandt() {
        RawPeer peer = connect();
        peer.send("{'command':'answer','to':'nothing'}");
        assertThat(peer.read()).isEqualTo(json("{'error':{'code':'EUNKNANDT','description':'Unknown answer type'}}"));

        peer.send("{'command':'answer'}");
        assertThat(peer.read()).isEqualTo(json("{'error':{'code':'EUNKNANDT','description':'Unknown answer type'}}"));
        assertStillServed(peer);
        assertManagerUnharmed();
    }

    @Test
    void sysmsgWithoutIdIsAnsweredWithAStringError() {
        RawPeer peer = connect();
        peer.send("{'command':'sysmsg','content':'no id'}");
        assertThat(peer.read()).isEqualTo(json("{'to':'sysmsg','error':'System message needs an id comrade','command':'answer'}"));

        peer.send("{'command':'sysmsg','id':7,'content':'numeric id'}");
        assertThat(peer.read()).isEqualTo(json("{'to':'sysmsg','error':'System message needs an id comrade','command':'answer'}"));
        bystander.assertSilentFor(100); // nothing was relayed
        assertStillServed(peer);
        assertManagerUnharmed();
    }

    @Test
    void gcIsAcknowledged() {
        RawPeer peer = connect();
        peer.send("{'command':'gc'}");

        assertThat(peer.read()).isEqualTo(json("{'ok':true,'command':'gc'}"));
        assertStillServed(peer);
        assertManagerUnharmed();
    }

    // ------------------------------------------------------------------ offer

    @Test
    void offerWithNullSlotsIsAnsweredEinvslotnr() {
        RawPeer peer = connect();
        peer.send("{'command':'offer','slots':null}");

        assertThat(peer.read()).isEqualTo(error("offer", "EINVSLOTNR", "Invalid/Unexistent slot number"));
        assertStillServed(peer);
        assertManagerUnharmed();
    }

    @ParameterizedTest(name = "slots:{0}")
    @ValueSource(strings = {"0", "-1", "'7'", "{'1':5}", "{'0':-1}", "null", "[]", "[3]", "true", "{}"})
    void invalidOfferIsAnsweredEinvslotnrAndTheConnectionMayOfferAgain(String slots) {
        RawPeer peer = connect();
        peer.send("{'command':'offer','slots':" + slots + "}");
        assertThat(peer.read()).isEqualTo(error("offer", "EINVSLOTNR", "Invalid/Unexistent slot number"));

        peer.send("{'command':'offer'}");
        assertThat(peer.read()).isEqualTo(error("offer", "EINVSLOTNR", "Invalid/Unexistent slot number"));
        // Still new: a valid offer is accepted.
        assertThat(peer.offer("1")).startsWith("C");
        assertManagerUnharmed();
    }

    @Test
    void secondOfferIsAnsweredEinvcmdstat1AndKeepsTheFirst() {
        RawPeer worker = connect();
        worker.offer("1");
        worker.send("{'command':'offer','slots':5}");

        assertThat(worker.read()).isEqualTo(error("offer", "EINVCMDSTAT1", "You are not new here."));
        JsonNode status = worker.status();
        assertThat(status.at("/workers/0/offer")).isEqualTo(json("{'0':1}"));
        assertThat(status.get("globalAvailableSlots").asInt()).isEqualTo(1);
        assertManagerUnharmed();
    }

    // ------------------------------------------------------------------ push

    @Test
    void negativePriorityIsAnsweredEinvprio() {
        RawPeer worker = connect();
        worker.offer("1");
        RawPeer client = connect();
        client.send("{'command':'push','group':'g1','priority':-1,'work':[{'op':'echo'}]}");

        assertThat(client.read()).isEqualTo(json("{'error':{'code':'EINVPRIO','description':'Invalid priority: it must be an integer from 0 to 2147483647'},"
                + "'group':'g1','to':'push','command':'answer'}"));
        worker.assertSilentFor(200); // nothing queued, nothing dispatched
        assertThat(manager.liveWorks()).isZero();
        assertManagerUnharmed();
    }

    @Test
    void negativeTimeoutIsAnsweredEinvtimeout() {
        RawPeer client = connect();
        client.send("{'command':'push','rid':'r1','timeout':-5,'work':[{'op':'echo'}]}");
        assertThat(client.read().at("/error/code").asText()).isEqualTo("EINVTIMEOUT");

        client.send("{'command':'push','rid':'r2','assigntimeout':-5,'work':[{'op':'echo'}]}");
        assertThat(client.read().at("/error/code").asText()).isEqualTo("EINVTIMEOUT");
        assertThat(manager.liveWorks()).isZero();
        assertManagerUnharmed();
    }

    @ParameterizedTest(name = "work:{0}")
    @ValueSource(strings = {"[]", "'not-a-list'", "{}", "{'0':1}", "null", "0"})
    void pushWithEmptyOrNonListWorkIsAnsweredEinvworkl(String work) {
        RawPeer client = connect();
        client.send("{'command':'push','group':'g1','work':" + work + "}");

        assertThat(client.read()).isEqualTo(json("{'error':{'code':'EINVWORKL','description':'Invalid work list'},'group':'g1','to':'push','command':'answer'}"));
        assertThat(manager.liveWorks()).isZero();
        assertStillServed(client);
        assertManagerUnharmed();
    }

    @Test
    void pushWithoutWorkIsAnsweredEinvworkl() {
        RawPeer client = connect();
        client.send("{'command':'push','rid':'r1'}");

        assertThat(client.read()).isEqualTo(json("{'error':{'code':'EINVWORKL','description':'Invalid work list'},'rid':'r1','to':'push','command':'answer'}"));
        assertManagerUnharmed();
    }

    @ParameterizedTest(name = "push [{0}]")
    @ValueSource(strings = {"", "'rid':null,", "'rid':'',", "'group':'',", "'rid':0,'group':false,"})
    void pushWithoutRidOrGroupIsAnsweredEnorid(String ids) {
        RawPeer client = connect();
        client.send("{'command':'push'," + ids + "'work':[{'op':'echo'}]}");

        JsonNode answer = client.read();
        assertThat(answer.get("error")).isEqualTo(json("{'code':'ENORID','description':'No request ID'}"));
        assertThat(answer.get("to").asText()).isEqualTo("push");
        assertThat(manager.liveWorks()).isZero();
        assertManagerUnharmed();
    }

    @Test
    void pushWithANullWorkItemIsAnsweredEinvworkl() {
        RawPeer worker = connect();
        worker.offer("2");
        RawPeer client = connect();
        client.send("{'command':'push','group':'g1','work':[null,{'op':'echo','v':'ok'}]}");

        assertThat(client.read()).isEqualTo(json("{'error':{'code':'EINVWORKL','description':'Invalid work list'},'group':'g1','to':'push','command':'answer'}"));
        worker.assertSilentFor(200); // neither item was queued: the request is refused as a whole
        assertThat(manager.liveWorks()).isZero();
        assertManagerUnharmed();
    }

    @Test
    void reusingAPendingRidIsAnsweredEdupridAndFreeAgainOnceCompleted() {
        RawPeer worker = connect();
        worker.offer("2");
        RawPeer client = connect();
        List<String> first = client.push("r1", "[{'n':1}]", "");
        client.send("{'command':'push','rid':'r1','work':[{'n':2}]}");

        assertThat(client.answer("push")).isEqualTo(json("{'error':{'code':'EDUPRID','description':'Request ID already in use by a pending request'},"
                + "'rid':'r1','to':'push','command':'answer'}"));
        JsonNode dispatch = worker.takeDispatch();
        assertThat(RawPeer.ids(dispatch)).isEqualTo(first);
        worker.finish(first, "1");
        assertThat(client.command("done").at("/work/0/id").asText()).isEqualTo(first.get(0));

        // Completed: the rid may be used again.
        List<String> again = client.push("r1", "[{'n':3}]", "");
        worker.takeDispatch();
        worker.finish(again, "3");
        assertThat(client.command("done").at("/work/0/id").asText()).isEqualTo(again.get(0));
        assertManagerUnharmed();
    }

    // ------------------------------------------------------------------ done

    @Test
    void doneFromANewConnectionIsAnsweredEinvcmdstat2() {
        RawPeer peer = connect();
        peer.send("{'command':'done','work':[]}");

        assertThat(peer.read()).isEqualTo(error("done", "EINVCMDSTAT2", "You are a new comrade. You had not work"));
        assertStillServed(peer);
        assertManagerUnharmed();
    }

    @ParameterizedTest(name = "work:{0}")
    @ValueSource(strings = {"[]", "'nope'", "[{'id':'W000000R0','result':{'data':1}}]"})
    void doneFromAnIdleWorkerIsAnsweredEinvstat1(String work) {
        RawPeer worker = connect();
        worker.offer("1");
        worker.send("{'command':'done','work':" + work + "}");

        assertThat(worker.read()).isEqualTo(error("done", "EINVSTAT1", "You had no work"));
        assertStillServed(worker);
        assertManagerUnharmed();
    }

    @Test
    void doneWithANonListFromABusyWorkerIsAnsweredEinvworklAndTheWorkStillCompletes() {
        RawPeer worker = connect();
        worker.offer("1");
        RawPeer client = connect();
        List<String> ids = client.push("r1", "[{'n':1}]", "");
        worker.takeDispatch();
        worker.send("{'command':'done','work':'nope'}");

        assertThat(worker.read()).isEqualTo(error("done", "EINVWORKL", "Invalid work list"));
        assertThat(worker.finish(ids, "1").get("description").asText()).isEqualTo("спасибо for the 1 works");
        assertThat(client.command("done").at("/work/0/id").asText()).isEqualTo(ids.get(0));
        assertManagerUnharmed();
    }

    @Test
    void doneListingOneIdTwiceCountsItOnce() {
        RawPeer worker = connect();
        worker.offer("1");
        RawPeer client = connect();
        List<String> ids = client.push("g1", "[{'op':'echo'}]", "");
        worker.takeDispatch();
        String id = ids.get(0);
        worker.send("{'command':'done','work':[{'id':'" + id + "','result':{'err':null,'data':1}},{'id':'" + id + "','result':{'err':null,'data':2}}]}");

        JsonNode answer = worker.answer("done");
        assertThat(answer.get("description").asText()).isEqualTo("спасибо for the 1 works");
        assertThat(answer.get("ignored").asInt()).isEqualTo(1);
        assertThat(client.read()).isEqualTo(json("{'work':[{'id':'" + id + "','result':{'err':null,'data':1}}],'command':'done'}"));
        client.assertSilentFor(150); // exactly one result for the work
        assertManagerUnharmed();
    }

    @Test
    void doneWithANullItemIsIgnored() {
        RawPeer worker = connect();
        worker.offer("1");
        RawPeer client = connect();
        List<String> ids = client.push("g1", "[{'op':'echo'}]", "");
        worker.takeDispatch();
        worker.send("{'command':'done','work':[null]}");

        JsonNode answer = worker.answer("done");
        assertThat(answer.get("description").asText()).isEqualTo("You didn't send nothing interesting sir");
        assertThat(answer.get("ignored").asInt()).isEqualTo(1);
        client.assertSilentFor(100);
        // The work is still the worker's and completes normally.
        assertThat(manager.runningWorks()).isEqualTo(1);
        worker.send("{'command':'done','work':[null,'junk',{'id':'" + ids.get(0) + "','result':{'err':null,'data':'ok'}}]}");
        JsonNode second = worker.answer("done");
        assertThat(second.get("description").asText()).isEqualTo("спасибо for the 1 works");
        assertThat(second.get("ignored").asInt()).isEqualTo(2);
        assertThat(client.command("done").at("/work/0/result/data").asText()).isEqualTo("ok");
        assertManagerUnharmed();
    }

    @Test
    void doneForAWorkOfAnotherWorkerIsIgnored() {
        RawPeer first = connect();
        first.offer("1");
        RawPeer second = connect();
        second.offer("1");
        RawPeer client = connect();
        client.push("g1", "[{'n':1},{'n':2}]", "");
        String firstsWork = RawPeer.ids(first.takeDispatch()).get(0);
        String secondsWork = RawPeer.ids(second.takeDispatch()).get(0);

        second.send("{'command':'done','work':[{'id':'" + firstsWork + "','result':{'err':null,'data':'not mine'}}]}");
        JsonNode answer = second.answer("done");
        assertThat(answer.get("description").asText()).isEqualTo("You didn't send nothing interesting sir");
        assertThat(answer.get("ignored").asInt()).isEqualTo(1);
        client.assertSilentFor(100);

        // Both works still belong to their workers, and each result comes from the worker that ran it.
        assertThat(manager.runningWorks()).isEqualTo(2);
        first.finish(List.of(firstsWork), "'from first'");
        assertThat(client.command("done").get("work")).isEqualTo(json("[{'id':'" + firstsWork + "','result':{'err':null,'data':'from first'}}]"));
        second.finish(List.of(secondsWork), "'from second'");
        assertThat(client.command("done").get("work")).isEqualTo(json("[{'id':'" + secondsWork + "','result':{'err':null,'data':'from second'}}]"));
        assertManagerUnharmed();
    }

    // ------------------------------------------------------------------ abort

    static Stream<Arguments> badAborts() {
        return Stream.of(
                Arguments.of("{'command':'abort'}", "EABINVINP", "Invalid input for abort command. Need a group or a work list."),
                Arguments.of("{'command':'abort','rid':null,'work':null}", "EABINVINP", "Invalid input for abort command. Need a group or a work list."),
                Arguments.of("{'command':'abort','rid':''}", "EABINVINP", "Invalid input for abort command. Need a group or a work list."),
                Arguments.of("{'command':'abort','rid':'nope'}", "EABRNOFO", "Request ID not found."),
                Arguments.of("{'command':'abort','work':'nope'}", "EINVWLI", "Invalid work list."),
                Arguments.of("{'command':'abort','work':{'0':'W000000R0'}}", "EINVWLI", "Invalid work list."));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("badAborts")
    void badAbortIsAnsweredWithItsError(String frame, String code, String description) {
        RawPeer client = connect();
        client.push("r1", "[{'op':'echo'}]", "");
        client.send(frame);

        assertThat(client.answer("abort")).isEqualTo(error("abort", code, description));
        assertThat(manager.liveWorks()).as("the client's own work is untouched").isEqualTo(1);
        assertStillServed(client);
        assertManagerUnharmed();
    }

    @Test
    void abortOfAFinishedRequestIsAnsweredEabrnofo() {
        RawPeer worker = connect();
        worker.offer("1");
        RawPeer client = connect();
        List<String> ids = client.push("r1", "[{'op':'echo'}]", "");
        worker.takeDispatch();
        worker.finish(ids, "1");
        client.command("done");
        client.send("{'command':'abort','rid':'r1'}");

        assertThat(client.answer("abort")).isEqualTo(error("abort", "EABRNOFO", "Request ID not found."));
        worker.assertSilentFor(100); // no abort for a finished work
        assertManagerUnharmed();
    }

    @Test
    void abortOfAnotherClientsWorkIdIsRefusedAndNotListed() {
        RawPeer owner = connect();
        List<String> ids = owner.push("r1", "[{'op':'mine'}]", "");
        RawPeer other = connect();
        other.push("r1", "[{'op':'theirs'}]", "");
        other.send("{'command':'abort','work':['" + ids.get(0) + "']}");

        assertThat(other.answer("abort")).isEqualTo(json("{'ok':true,'work':[],'to':'abort','command':'answer'}"));
        other.send("{'command':'abort','rid':'r1'}"); // its own r1 only
        assertThat(other.answer("abort")).isEqualTo(json("{'ok':true,'rid':'r1','to':'abort','command':'answer'}"));
        assertThat(manager.liveWorks()).isEqualTo(1);

        // The owner's work is still queued and runs.
        RawPeer worker = connect();
        worker.offer("1");
        JsonNode dispatch = worker.takeDispatch();
        assertThat(RawPeer.ids(dispatch)).isEqualTo(ids);
        worker.finish(ids, "'done'");
        assertThat(owner.command("done").at("/work/0/id").asText()).isEqualTo(ids.get(0));
        assertManagerUnharmed();
    }

    @Test
    void abortedRequestGetsNoAssignTimeoutLater() {
        // head_crash_abort_then_assigntimeout: the original's armed assign timer fired after the abort and killed it (H4).
        RawPeer client = connect();
        client.push("R1", "[{'op':'echo'}]", "'assigntimeout':150");
        client.send("{'command':'abort','rid':'R1'}");
        assertThat(client.answer("abort")).isEqualTo(json("{'ok':true,'rid':'R1','to':'abort','command':'answer'}"));

        client.assertSilentFor(300); // past the assign timeout: no EATO for an aborted work
        assertThat(manager.liveWorks()).isZero();
        assertStillServed(client);
        assertManagerUnharmed();
    }

    @Test
    void abortedWorkIdGetsNoAssignTimeoutLater() {
        RawPeer client = connect();
        List<String> ids = client.push("R1", "[{'op':'a'},{'op':'b'}]", "'assigntimeout':150");
        client.send("{'command':'abort','work':['" + ids.get(0) + "']}");
        assertThat(client.answer("abort").get("work")).isEqualTo(json("['" + ids.get(0) + "']"));

        // Only the work left in the request times out.
        JsonNode done = client.command("done");
        assertThat(done.get("work")).hasSize(1);
        assertThat(done.at("/work/0/id").asText()).isEqualTo(ids.get(1));
        assertThat(done.at("/work/0/result/err/code").asText()).isEqualTo("EATO");
        client.assertSilentFor(200);
        assertManagerUnharmed();
    }

    // ------------------------------------------------------------------ helpers

    private RawPeer connect() {
        RawPeer p = new RawPeer(manager);
        peers.add(p);
        return p;
    }

    /** The peer's connection still answers. */
    private static void assertStillServed(RawPeer peer) {
        peer.send("{'command':'ping'}");
        assertThat(peer.answer("ping").get("current").asText()).isNotEmpty();
    }

    /**
     * The bad peers leave; the bystander client, connected since before the bad input, then has a
     * work run by a fresh worker, and nothing is left behind.
     */
    private void assertManagerUnharmed() {
        peers.forEach(RawPeer::close);
        peers.clear();
        await().atMost(Duration.ofSeconds(5)).until(() -> manager.connections() == 1);
        assertThat(manager.liveWorks()).as("works left by departed peers").isZero();
        HealthCheck.assertServesAWork(manager, bystander);
    }

    private static JsonNode error(String to, String code, String description) {
        return json("{'error':{'code':'" + code + "','description':'" + description + "'},'to':'" + to + "','command':'answer'}");
    }

    private static byte[] header(long length) {
        return ByteBuffer.allocate(4).putInt((int) length).array();
    }

    private static byte[] frame(String payload) {
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + bytes.length).putInt(bytes.length).put(bytes).array();
    }
}
