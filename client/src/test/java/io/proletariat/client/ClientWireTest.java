package io.proletariat.client;

import static io.proletariat.testing.Wire.get;
import static io.proletariat.testing.Wire.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.proletariat.protocol.ProletariatException;
import io.proletariat.protocol.RawJson;
import io.proletariat.protocol.SystemMessage;
import io.proletariat.testing.FakeManager;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the client puts on the wire and how it reads what comes back, against a scripted manager. */
class ClientWireTest {
    private FakeManager fake;
    private Client client;

    @BeforeEach
    void start() throws Exception {
        fake = new FakeManager();
        client = new Client(ClientOptions.builder().host("127.0.0.1").port(fake.port()).retryDelay(Duration.ofMillis(50)).build());
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        fake.close();
    }

    private static String ids(RawJson push, String... ids) {
        StringBuilder b = new StringBuilder("{\"rid\":\"" + text(push, "rid") + "\",\"work\":[");
        for (int i = 0; i < ids.length; i++) {
            b.append(i == 0 ? "" : ",").append('"').append(ids[i]).append('"');
        }
        return b.append("],\"to\":\"push\",\"command\":\"answer\"}").toString();
    }

    private static String done(String id, String result) {
        return "{\"work\":[{\"id\":\"" + id + "\",\"result\":" + result + "}],\"command\":\"done\"}";
    }

    @Test
    void aResendNamesTheSameSessionAndTheIndexesOfTheWorksStillOpen() throws Exception {
        FakeManager.Conn conn = fake.accept();
        CompletableFuture<List<WorkResult>> f = client.submit(List.of("a", "b", "c"));
        RawJson push = conn.next("push");
        String session = text(push, "session");
        assertThat(push.fields()).doesNotContainKeys("resent", "index");
        conn.send(ids(push, "W1", "W2", "W3"));
        conn.send(done("W2", "{\"err\":null,\"data\":\"B\"}"));
        conn.close(); // the manager is gone with two works unanswered

        FakeManager.Conn again = fake.accept();
        RawJson resend = again.next("push");
        assertThat(text(resend, "session")).isEqualTo(session);
        assertThat(text(resend, "rid")).isEqualTo(text(push, "rid"));
        assertThat(resend.fields().get("resent").toString()).isEqualTo("true");
        assertThat(resend.fields().get("index").toString()).isEqualTo("[0,2]");
        assertThat(resend.fields().get("work").toString()).isEqualTo("[\"a\",\"c\"]");
        again.send(ids(resend, "X1", "X3"));
        again.send("{\"work\":[{\"id\":\"X1\",\"result\":{\"err\":null,\"data\":\"A\"}},{\"id\":\"X3\",\"result\":{\"err\":null,\"data\":\"C\"}}],\"command\":\"done\"}");
        assertThat(f.get(30, TimeUnit.SECONDS).stream().map(r -> r.data(String.class)).toList()).containsExactly("A", "B", "C");
    }

    @Test
    void pushCarriesOnlyProtocolFieldsWithTheRequestIdAsRidAndGroup() throws Exception {
        FakeManager.Conn conn = fake.accept();
        client.submit(List.of(Map.of("some", "work")), WorkOptions.builder().overallTimeout(60_000).runTimeout(5_000).assignTimeout(300).priority(2).build());
        RawJson push = conn.next("push");
        Map<String, RawJson> f = push.fields();
        assertThat(f.keySet()).containsExactlyInAnyOrder("rid", "group", "return", "work", "sentArray", "priority", "timeout", "runTimeout", "assigntimeout",
                "session", "command");
        assertThat(text(push, "session")).matches("[0-9a-z]{1,13}"); // names the works across managers (docs/cluster.md)
        assertThat(text(push, "rid")).matches("R\\d{1,6}r\\d+").isEqualTo(text(push, "group"));
        assertThat(text(push, "return")).isEqualTo("group");
        assertThat(f.get("work").toString()).isEqualTo("[{\"some\":\"work\"}]");
        assertThat(f.get("sentArray").toString()).isEqualTo("true");
        assertThat(f.get("priority").toString()).isEqualTo("2");
        assertThat(f.get("timeout").toString()).isEqualTo("5000");
        assertThat(f.get("runTimeout").toString()).isEqualTo("5000");
        assertThat(f.get("assigntimeout").toString()).isEqualTo("300");

        client.submitOne("single", WorkOptions.builder().overallTimeout(60_000).build());
        RawJson single = conn.next("push");
        assertThat(single.fields().keySet()).containsExactlyInAnyOrder("rid", "group", "return", "work", "sentArray", "session", "command");
        assertThat(get(single, "sentArray").toString()).isEqualTo("false");

        client.workIndividual(List.of(1), WorkOptions.DEFAULT, (e, d, r) -> { }, (e, r) -> { });
        assertThat(text(conn.next("push"), "return")).isEqualTo("each");
    }

    @Test
    void retriesAndDelaysAreSentOnlyWhenSetAndAResendKeepsTheDelaysTime() throws Exception {
        FakeManager.Conn conn = fake.accept();
        long before = System.currentTimeMillis();
        CompletableFuture<WorkResult> f = client.submitOne("w", WorkOptions.builder().retries(3).backoff(Duration.ofMillis(100), Duration.ofSeconds(5))
                .retryOn(WorkOptions.RetryOn.ERROR, WorkOptions.RetryOn.LOST).delay(Duration.ofHours(1)).build());
        RawJson push = conn.next("push");
        long after = System.currentTimeMillis();
        Map<String, RawJson> fields = push.fields();
        assertThat(fields.get("retries").toString()).isEqualTo("3");
        assertThat(fields.get("backoff").toString()).isEqualTo("100");
        assertThat(fields.get("backoffMax").toString()).isEqualTo("5000");
        assertThat(fields.get("retryOn").toString()).isEqualTo("[\"error\",\"lost\"]");
        assertThat(fields.get("delay").toString()).isEqualTo("3600000");
        assertThat(fields).doesNotContainKey("notBefore");
        conn.send(ids(push, "W1"));
        conn.close();

        FakeManager.Conn again = fake.accept();
        RawJson resend = again.next("push");
        assertThat(resend.fields()).doesNotContainKey("delay");
        assertThat(Long.parseLong(resend.fields().get("notBefore").toString())).isBetween(before + 3_600_000, after + 3_600_000);
        assertThat(resend.fields().get("retries").toString()).isEqualTo("3");
        again.send(ids(resend, "X1"));
        again.send("{\"work\":[{\"id\":\"X1\",\"result\":{\"err\":null,\"data\":1},\"attempts\":2,\"lastError\":{\"code\":\"EX\"}}],\"command\":\"done\"}");
        WorkResult r = f.get(30, TimeUnit.SECONDS);
        assertThat(r.attempts()).isEqualTo(2);
        assertThat(r.lastErrorCode()).isEqualTo("EX");
        assertThat(r.toJson().toString()).isEqualTo("{\"err\":null,\"data\":1}"); // the original's shape stays
    }

    @Test
    void singleWorkResultAndDuplicatesAreIgnored() throws Exception {
        FakeManager.Conn conn = fake.accept();
        List<Object> calls = new CopyOnWriteArrayList<>();
        client.work(Map.of("v", 1), WorkOptions.DEFAULT, (err, data, result) -> calls.add(data.toString()));
        RawJson push = conn.next("push");
        conn.send(ids(push, "W1"));
        conn.send("{\"work\":[],\"command\":\"done\"}"); // C3: ignored
        conn.send(done("W404", "{\"err\":null,\"data\":0}")); // unknown id: ignored
        conn.send(done("W1", "{\"err\":null,\"data\":\"first\"}"));
        conn.send(done("W1", "{\"err\":null,\"data\":\"second\"}"));
        await().atMost(Duration.ofSeconds(20)).until(() -> calls.size() == 1);
        // A later frame: once its completion ran on the callback thread, every callback before it has run.
        CompletableFuture<SystemMessageReceipt> barrier = client.systemMessage("barrier", "MANAGER");
        RawJson sys = conn.next("sysmsg");
        conn.send("{\"to\":\"sysmsg\",\"id\":\"" + text(sys, "id") + "\",\"done\":true,\"sentTo\":0,\"receivedBy\":0,\"command\":\"answer\"}");
        barrier.get(20, TimeUnit.SECONDS);
        assertThat(calls).containsExactly("\"first\"");
    }

    @Test
    void pushErrorWithoutRequestIdFailsTheOldestPendingPush() throws Exception {
        FakeManager.Conn conn = fake.accept();
        CompletableFuture<List<WorkResult>> first = client.submit(List.of("a"));
        CompletableFuture<List<WorkResult>> second = client.submit(List.of("b"));
        RawJson p1 = conn.next("push");
        RawJson p2 = conn.next("push");
        conn.send("{\"error\":{\"code\":\"EINVWORKL\",\"description\":\"Invalid work list\"},\"to\":\"push\",\"command\":\"answer\"}");
        assertThatThrownBy(() -> first.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ProletariatException.class).extracting(e -> ((ProletariatException) e).code()).isEqualTo("EINVWORKL");
        conn.send("{\"rid\":\"" + text(p2, "rid") + "\",\"error\":{\"code\":\"EINVPRIO\",\"description\":\"Invalid priority\"},\"to\":\"push\",\"command\":\"answer\"}");
        assertThatThrownBy(() -> second.get(20, TimeUnit.SECONDS)).cause().extracting(e -> ((ProletariatException) e).code()).isEqualTo("EINVPRIO");
        assertThat(text(p1, "rid")).isNotEqualTo(text(p2, "rid"));
    }

    @Test
    void malformedFramesFromTheManagerAreIgnored() throws Exception {
        FakeManager.Conn conn = fake.accept();
        CompletableFuture<WorkResult> f = client.submitOne("x");
        RawJson push = conn.next("push");
        conn.sendBytes("{not json".getBytes(StandardCharsets.UTF_8));
        conn.send("42");
        conn.send("null");
        conn.send("{\"no\":\"command\"}");
        conn.send("{\"error\":{\"code\":\"EUNKNCMD\",\"description\":\"Unknown command\"}}");
        conn.send("{\"command\":\"whatever\"}");
        conn.send(ids(push, "W1"));
        conn.send(done("W1", "{\"err\":null,\"data\":\"ok\"}"));
        assertThat(f.get(20, TimeUnit.SECONDS).data(String.class)).isEqualTo("ok");
    }

    @Test
    void clientTimeoutAnswersEcstoAndSendsAbort() throws Exception {
        FakeManager.Conn conn = fake.accept();
        WorkSubmission s = client.submitIndividual(List.of("a", "b"), WorkOptions.builder().overallTimeout(300).build());
        RawJson push = conn.next("push");
        conn.send(ids(push, "W1", "W2"));
        conn.send(done("W1", "{\"err\":null,\"data\":\"a\"}"));
        RawJson abort = conn.next("abort");
        assertThat(abort.toString()).isEqualTo("{\"rid\":\"" + text(push, "rid") + "\",\"command\":\"abort\"}");
        List<WorkResult> r = s.all().get(20, TimeUnit.SECONDS);
        assertThat(r.get(0).data(String.class)).isEqualTo("a");
        assertThat(r.get(1).errorCode()).isEqualTo("ECSTO");
        assertThat(r.get(1).workId()).isEqualTo("W2");
        conn.send(done("W2", "{\"err\":null,\"data\":\"late\"}")); // ignored
        assertThat(s.works().get(1).get().errorCode()).isEqualTo("ECSTO");
    }

    @Test
    void inFlightAndUnansweredWorksAreResentWithTheSameRequestIdAfterADrop() throws Exception {
        FakeManager.Conn conn = fake.accept();
        CompletableFuture<List<WorkResult>> answered = client.submit(List.of("A", "B"));
        RawJson p1 = conn.next("push");
        conn.send(ids(p1, "W1", "W2"));
        conn.send(done("W1", "{\"err\":null,\"data\":\"a\"}"));
        CompletableFuture<List<WorkResult>> inFlight = client.submit(List.of("C"));
        RawJson p2 = conn.next("push");
        conn.close(); // p2 never answered (C4)

        FakeManager.Conn again = fake.accept();
        RawJson r1 = again.next("push");
        RawJson r2 = again.next("push");
        assertThat(text(r1, "rid")).isEqualTo(text(p1, "rid"));
        assertThat(get(r1, "work").toString()).isEqualTo("[\"B\"]");
        assertThat(text(r2, "rid")).isEqualTo(text(p2, "rid"));
        assertThat(get(r2, "work").toString()).isEqualTo("[\"C\"]");
        again.send(ids(r1, "W7"));
        again.send(ids(r2, "W8"));
        again.send(done("W1", "{\"err\":null,\"data\":\"stale\"}")); // old id: ignored
        again.send(done("W8", "{\"err\":null,\"data\":\"c\"}"));
        again.send(done("W7", "{\"err\":null,\"data\":\"b\"}"));
        assertThat(answered.get(20, TimeUnit.SECONDS)).extracting(w -> w.data(String.class)).containsExactly("a", "b");
        assertThat(inFlight.get(20, TimeUnit.SECONDS).get(0).data(String.class)).isEqualTo("c");
    }

    @Test
    void oversizeFrameClosesTheConnectionAndTheClientReconnects() throws Exception {
        FakeManager.Conn conn = fake.accept();
        CompletableFuture<WorkResult> f = client.submitOne("x");
        conn.next("push");
        conn.sendRaw(new byte[] {(byte) 0x80, 0, 0, 0});
        FakeManager.Conn again = fake.accept();
        RawJson push = again.next("push");
        again.send(ids(push, "W1"));
        again.send(done("W1", "{\"err\":null,\"data\":1}"));
        assertThat(f.get(20, TimeUnit.SECONDS).data(Integer.class)).isEqualTo(1);
    }

    @Test
    void answersPingsAndAcksSystemMessages() throws Exception {
        FakeManager.Conn conn = fake.accept();
        List<SystemMessage> got = new CopyOnWriteArrayList<>();
        client.onSystemMessage(got::add);
        conn.send("{\"command\":\"ping\"}");
        assertThat(text(conn.next(), "to")).isEqualTo("ping");
        conn.send("{\"id\":\"C1.2/M3.4\",\"from\":\"C1.2\",\"content\":[1,2],\"command\":\"sysmsg\"}");
        RawJson ack = conn.next();
        assertThat(text(ack, "id")).isEqualTo("C1.2/M3.4");
        assertThat(text(ack, "to")).isEqualTo("sysmsg");
        await().atMost(Duration.ofSeconds(20)).until(() -> got.size() == 1);
        assertThat(got.get(0).content(int[].class)).containsExactly(1, 2);
    }

    @Test
    void pendingSystemMessagesFailWhenTheConnectionDrops() throws Exception {
        FakeManager.Conn conn = fake.accept();
        CompletableFuture<SystemMessageReceipt> f = client.systemMessage("hello");
        RawJson msg = conn.next("sysmsg");
        assertThat(get(msg, "to").isNull()).isTrue();
        conn.close();
        assertThatThrownBy(() -> f.get(20, TimeUnit.SECONDS)).cause().isInstanceOf(ConnectionException.class)
                .extracting(e -> ((ProletariatException) e).code()).isEqualTo("ECONNLOST");
    }

    @Test
    void closingFailsPendingCalls() throws Exception {
        fake.accept();
        CompletableFuture<List<WorkResult>> f = client.submit(List.of("x"));
        client.close();
        assertThatThrownBy(() -> f.get(20, TimeUnit.SECONDS)).cause().extracting(e -> ((ProletariatException) e).code()).isEqualTo("ECLOSED");
        assertThatThrownBy(() -> client.submit(List.of("y"))).isInstanceOf(IllegalStateException.class);
    }
}
