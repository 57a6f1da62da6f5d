package io.proletariat.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RawJsonTest {
    private static RawJson parse(String s) {
        return RawJson.parse(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void fieldsKeepTheirExactText() {
        RawJson root = parse("{\"command\":\"push\", \"work\":[{\"a\":[1,2]}, \"спасибо\", 3.5e2, null, true], \"rid\":\"r\\\"1\"}");
        Map<String, RawJson> f = root.fields();
        assertThat(f.keySet()).containsExactly("command", "work", "rid");
        assertThat(f.get("command").asText()).isEqualTo("push");
        assertThat(f.get("rid").asText()).isEqualTo("r\"1");
        assertThat(f.get("rid").toString()).isEqualTo("\"r\\\"1\"");
        List<RawJson> work = f.get("work").elements();
        assertThat(work).extracting(RawJson::toString)
                .containsExactly("{\"a\":[1,2]}", "\"спасибо\"", "3.5e2", "null", "true");
        assertThat(work).extracting(RawJson::kind).containsExactly(RawJson.Kind.OBJECT, RawJson.Kind.STRING,
                RawJson.Kind.NUMBER, RawJson.Kind.NULL, RawJson.Kind.TRUE);
    }

    @Test
    void truthinessFollowsJavaScript() {
        for (String falsy : new String[] {"null", "false", "0", "0.0", "-0", "\"\""}) {
            assertThat(parse(falsy).isTruthy()).as(falsy).isFalse();
        }
        for (String truthy : new String[] {"{}", "[]", "1", "-2", "\"0\"", "true"}) {
            assertThat(parse(truthy).isTruthy()).as(truthy).isTrue();
        }
    }

    @Test
    void rejectsMalformedText() {
        for (String bad : new String[] {"", "this is not json", "{\"a\":", "{} {}", "[1,]", "{\"a\" 1}"}) {
            assertThatThrownBy(() -> parse(bad)).as(bad).isInstanceOf(MalformedJsonException.class);
        }
    }

    @Test
    void scalarsAtTheRoot() {
        assertThat(parse("42").asDouble()).isEqualTo(42.0);
        assertThat(parse(" \"x\" ").asText()).isEqualTo("x");
        assertThat(parse("null").isNull()).isTrue();
    }

    @Test
    void writerEscapesAndFrames() {
        ByteBuf buf = Unpooled.buffer();
        JsonWriter w = JsonWriter.to(buf);
        w.beginFrame().beginObject()
                .name("s").value("a\"b\\c\n\u0001é")
                .name("n").value(12)
                .name("list").beginArray().value(1).raw(parse("{\"x\":[true]}")).nullValue().endArray()
                .name("empty").beginObject().endObject()
                .endObject().endFrame();
        int len = buf.readInt();
        assertThat(len).isEqualTo(buf.readableBytes());
        String json = buf.toString(StandardCharsets.UTF_8);
        assertThat(json).isEqualTo("{\"s\":\"a\\\"b\\\\c\\n\\u0001é\",\"n\":12,\"list\":[1,{\"x\":[true]},null],\"empty\":{}}");
        assertThat(parse(json).fields().get("s").asText()).isEqualTo("a\"b\\c\n\u0001é");
    }

    @Test
    void decodersCanWalkIntoAValueAndKeepItAsASlice() throws Exception {
        RawJson list = parse("[{\"id\":\"a\",\"result\":{\"err\":{\"code\":\"X\"},\"data\":[1]}}, 7]");
        try (com.fasterxml.jackson.core.JsonParser p = list.parser()) {
            p.nextToken(); // [
            p.nextToken(); // {
            p.nextToken(); // id
            p.nextToken();
            assertThat(list.capture(p).asText()).isEqualTo("a");
            p.nextToken(); // result
            p.nextToken(); // {
            long start = p.currentTokenLocation().getByteOffset();
            p.nextToken(); // err
            p.nextToken();
            RawJson err = list.capture(p);
            p.nextToken(); // data
            p.nextToken();
            p.skipChildren();
            p.nextToken(); // }
            RawJson result = list.walked(p, start);
            assertThat(err.toString()).isEqualTo("{\"code\":\"X\"}");
            assertThat(result.toString()).isEqualTo("{\"err\":{\"code\":\"X\"},\"data\":[1]}");
            assertThat(result.kind()).isEqualTo(RawJson.Kind.OBJECT);
        }
    }

    @Test
    void parsingWithADepthIndexesTheLevelsAboveIt() {
        byte[] text = "{\"work\":[{\"id\":\"W1\",\"result\":{\"err\":{\"code\":\"E\"},\"data\":{\"deep\":[1,2]}}}, 5],\"command\":\"done\"}"
                .getBytes(StandardCharsets.UTF_8);
        RawJson frame = RawJson.parse(text, 4);
        RawJson item = frame.fields().get("work").elements().get(0);
        RawJson result = item.fields().get("result");
        assertThat(result.fields().get("err").fields().get("code").asText()).isEqualTo("E");
        assertThat(result.fields().get("data").toString()).isEqualTo("{\"deep\":[1,2]}");
        assertThat(frame.fields().get("work").elements().get(1).asDouble()).isEqualTo(5);
        assertThat(frame.toString()).isEqualTo(new String(text, StandardCharsets.UTF_8));
        assertThat(item.toString()).startsWith("{\"id\"").endsWith("}}");
        assertThatThrownBy(() -> RawJson.parse("{\"a\":[1,}".getBytes(StandardCharsets.UTF_8), 4))
                .isInstanceOf(MalformedJsonException.class);
        assertThat(RawJson.parse("[]".getBytes(StandardCharsets.UTF_8), 4).elements()).isEmpty();
    }
}
