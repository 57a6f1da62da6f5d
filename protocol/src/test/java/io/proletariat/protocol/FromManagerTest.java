package io.proletariat.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The manager's frames as the libraries read them: each decoded once into one record, payloads untouched. */
class FromManagerTest {
    private static FromManager decode(String frame) {
        Map<String, RawJson> fields = RawJson.parse(frame.getBytes(StandardCharsets.UTF_8), 4).fields();
        return FromManager.decode(fields.get("command").asText(), fields);
    }

    @Test
    void aDispatchKeepsArgsOpaqueAndMarksItemsWithoutAnId() {
        FromManager.Dispatch d = (FromManager.Dispatch) decode("{\"work\":[{\"id\":\"A\",\"args\":{\"x\": [1, 2]},\"timeout\":\"250ms\"},"
                + "{\"id\":7,\"args\":1},{\"id\":\"\",\"args\":1},{\"noid\":1},42,{\"id\":\"B\"}],\"command\":\"push\"}");
        assertThat(d.works()).extracting(FromManager.DispatchedWork::id).containsExactly("A", "7", null, null, null, "B");
        FromManager.DispatchedWork a = d.works().get(0);
        assertThat(a.args().toString()).isEqualTo("{\"x\": [1, 2]}");
        assertThat(a.runTimeoutMillis()).isEqualTo(250); // JavaScript's parseInt
        assertThat(d.works().get(1).runTimeoutMillis()).isEqualTo(JsNumbers.NAN);
        assertThat(d.works().get(4).item().toString()).isEqualTo("42");
        assertThat(d.works().get(5).args()).isNull();
        assertThat(((FromManager.Dispatch) decode("{\"work\":{\"not\":\"a list\"},\"command\":\"push\"}")).works()).isNull();
    }

    @Test
    void resultsAndAbortsCarryIdsAsText() {
        FromManager.Done done = (FromManager.Done) decode("{\"work\":[{\"id\":\"W1\",\"result\":{\"err\":null,\"data\":\"x\"}},3,{\"result\":1}],\"command\":\"done\"}");
        assertThat(done.results()).hasSize(2);
        assertThat(done.results().get(0).workId()).isEqualTo("W1");
        assertThat(done.results().get(0).result().toString()).isEqualTo("{\"err\":null,\"data\":\"x\"}");
        assertThat(done.results().get(1).workId()).isNull();
        assertThat(((FromManager.Done) decode("{\"command\":\"done\"}")).results()).isNull();
        assertThat(((FromManager.Abort) decode("{\"work\":[\"W1\",2],\"command\":\"abort\"}")).workIds()).containsExactly("W1", "2");
        assertThat(((FromManager.Abort) decode("{\"work\":\"W1\",\"command\":\"abort\"}")).workIds()).isNull();
    }

    @Test
    void answersAreTypedByWhatTheyAnswer() {
        FromManager.PushAnswer byGroup = (FromManager.PushAnswer) decode("{\"group\":\"R1\",\"work\":[\"W1\",\"W2\"],\"to\":\"push\",\"command\":\"answer\"}");
        assertThat(byGroup).isEqualTo(new FromManager.PushAnswer("R1", null, List.of("W1", "W2")));
        FromManager.PushAnswer refused = (FromManager.PushAnswer) decode(
                "{\"error\":{\"code\":\"EINVWORKL\"},\"to\":\"push\",\"command\":\"answer\"}");
        assertThat(refused.rid()).isNull();
        assertThat(refused.error().toString()).isEqualTo("{\"code\":\"EINVWORKL\"}");
        assertThat(refused.workIds()).isEmpty();
        assertThat(((FromManager.PushAnswer) decode("{\"rid\":\"R2\",\"error\":false,\"work\":[],\"to\":\"push\",\"command\":\"answer\"}")).error())
                .as("a falsy error is no error").isNull();

        assertThat(decode("{\"you\":\"C1\",\"to\":\"offer\",\"command\":\"answer\"}")).isEqualTo(new FromManager.OfferAnswer(null, "C1"));
        assertThat(decode("{\"to\":\"sysmsg\",\"id\":\"M1\",\"sentTo\":\"3\",\"receivedBy\":2,\"command\":\"answer\"}"))
                .isEqualTo(new FromManager.SysmsgAnswer("M1", null, 3, 2));
        assertThat(((FromManager.DoneAnswer) decode("{\"error\":{\"code\":\"E\"},\"to\":\"done\",\"command\":\"answer\"}")).error()).isNotNull();
        assertThat(decode("{\"to\":\"abort\",\"command\":\"answer\"}")).isInstanceOf(FromManager.Other.class);
        assertThat(decode("{\"command\":\"answer\"}")).isInstanceOf(FromManager.Other.class);
    }

    @Test
    void pingsSystemMessagesAndUnknownCommands() {
        assertThat(decode("{\"command\":\"ping\"}")).isInstanceOf(FromManager.Ping.class);
        FromManager.Sysmsg m = (FromManager.Sysmsg) decode("{\"id\":\"C1/M1\",\"from\":\"C1\",\"content\":{\"a\":1},\"command\":\"sysmsg\"}");
        assertThat(m.idText()).isEqualTo("C1/M1");
        assertThat(m.from()).isEqualTo("C1");
        assertThat(m.content().toString()).isEqualTo("{\"a\":1}");
        FromManager.Sysmsg numericId = (FromManager.Sysmsg) decode("{\"id\":5,\"command\":\"sysmsg\"}");
        assertThat(numericId.id().toString()).as("echoed as it came").isEqualTo("5");
        assertThat(numericId.idText()).isNull();
        assertThat(((FromManager.Other) decode("{\"command\":\"status\",\"x\":1}")).command()).isEqualTo("status");
    }

    @Test
    void trustedTextIsWrappedWithoutAnotherPass() {
        assertThat(RawJson.ofTrusted("{\"a\":[1,{\"b\":null}]}".getBytes(StandardCharsets.UTF_8)).fields().get("a").elements())
                .extracting(RawJson::toString).containsExactly("1", "{\"b\":null}");
        assertThat(List.of("\"s\"", "-1.5", "true", "false", "null", "[]", "{}")).allSatisfy(text ->
                assertThat(RawJson.ofTrusted(text.getBytes(StandardCharsets.UTF_8)).kind()).isEqualTo(RawJson.of(text).kind()));
        assertThat(JsonWriter.toBytes().beginObject().name("k").value("v").endObject().toRawJson().fields().get("k").asText()).isEqualTo("v");
    }
}
