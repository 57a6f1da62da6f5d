package io.proletariat.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * {@link JsonWriter} against Jackson's generator and parser: the same bytes for strings, integers
 * and nested values (Jackson set to write the six-character escapes in lower case, as {@code
 * JSON.stringify} does), the same value back for doubles, and the writer's own rules (frames,
 * verbatim {@link RawJson}, depth) by example.
 */
class JsonWriterTest {
    /** Jackson writing as {@code JSON.stringify} does: lower-case hex escapes, {@code /} unescaped, non-ASCII raw (pairs as 4 bytes). */
    private static final JsonFactory JACKSON = JsonFactory.builder()
            .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .disable(JsonWriteFeature.ESCAPE_FORWARD_SLASHES)
            .disable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .build();
    /** The JSON {@code null} in generated trees. */
    private static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    private static String written(Consumer<JsonWriter> write) {
        JsonWriter w = JsonWriter.toBytes();
        write.accept(w);
        return w.buffer().toString(StandardCharsets.UTF_8);
    }

    private static String jackson(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JACKSON.createGenerator(out)) {
            write(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void write(JsonWriter w, Object value) {
        if (value instanceof String s) {
            w.value(s);
        } else if (value instanceof Long n) {
            w.value((long) n);
        } else if (value instanceof Boolean b) {
            w.value((boolean) b);
        } else if (value instanceof List<?> list) {
            w.beginArray();
            list.forEach(element -> write(w, element));
            w.endArray();
        } else if (value instanceof Map<?, ?> map) {
            w.beginObject();
            map.forEach((name, member) -> write(w.name((String) name), member));
            w.endObject();
        } else {
            w.nullValue();
        }
    }

    private static void write(JsonGenerator g, Object value) throws IOException {
        if (value instanceof String s) {
            g.writeString(s);
        } else if (value instanceof Long n) {
            g.writeNumber(n);
        } else if (value instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (value instanceof List<?> list) {
            g.writeStartArray();
            for (Object element : list) {
                write(g, element);
            }
            g.writeEndArray();
        } else if (value instanceof Map<?, ?> map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> member : map.entrySet()) {
                g.writeFieldName((String) member.getKey());
                write(g, member.getValue());
            }
            g.writeEndObject();
        } else {
            g.writeNull();
        }
    }

    private static JsonParser jacksonParser(String json) throws IOException {
        JsonParser p = JACKSON.createParser(json.getBytes(StandardCharsets.UTF_8));
        p.nextToken();
        return p;
    }

    // ------------------------------------------------------------------ properties

    /** Well-formed strings (no lone surrogate) with plenty of ASCII, controls, quotes and backslashes. */
    @Provide
    Arbitrary<String> texts() {
        Arbitrary<Integer> codePoint = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.integers().between(0, 0x7F)),
                Tuple.of(2, Arbitraries.of((int) '"', (int) '\\', (int) '/', 0x7F, 0x2028, 0x2029)),
                Tuple.of(2, Arbitraries.integers().between(0x80, 0xD7FF)),
                Tuple.of(1, Arbitraries.integers().between(0xE000, 0xFFFF)),
                Tuple.of(1, Arbitraries.integers().between(0x10000, 0x10FFFF)));
        return codePoint.list().ofMaxSize(30).map(cps -> {
            StringBuilder s = new StringBuilder();
            cps.forEach(s::appendCodePoint);
            return s.toString();
        });
    }

    @Property(tries = 2000)
    void stringsAreWrittenAsJacksonWritesThem(@ForAll("texts") String s) throws IOException {
        String json = written(w -> w.value(s));
        assertThat(json).isEqualTo(jackson(s));
        try (JsonParser p = jacksonParser(json)) {
            assertThat(p.getText()).isEqualTo(s);
        }
    }

    @Property(tries = 500)
    void memberNamesAreEscapedLikeValues(@ForAll("texts") String name) {
        assertThat(written(w -> w.beginObject().name(name).value(1).endObject())).isEqualTo(jackson(Map.of(name, 1L)));
    }

    @Property(tries = 500)
    void integersAreWrittenAsJacksonWritesThem(@ForAll long n) {
        assertThat(written(w -> w.value(n))).isEqualTo(jackson(n));
    }

    @Property(tries = 2000)
    void doublesReadBackAsTheSameNumberAndIntegralOnesHaveNoFraction(@ForAll double d) throws IOException {
        String json = written(w -> w.value(d));
        try (JsonParser p = jacksonParser(json)) {
            assertThat(p.getDoubleValue()).as(json).isEqualTo(d == 0 ? 0.0 : d);
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            assertThat(json).as("an integral double, as JavaScript writes it").isEqualTo(Long.toString((long) d));
        }
    }

    /** Objects (maps), arrays (lists), strings, longs, booleans and {@link #NULL}, nested up to 4 levels. */
    @Provide
    Arbitrary<Object> trees() {
        Arbitrary<Object> leaf = Arbitraries.oneOf(texts().map(s -> (Object) s), Arbitraries.longs().map(n -> (Object) n),
                Arbitraries.of(Boolean.TRUE, Boolean.FALSE, NULL));
        return Arbitraries.recursive(() -> leaf, inner -> Arbitraries.oneOf(inner,
                inner.list().ofMaxSize(4).map(list -> (Object) list),
                Arbitraries.maps(texts(), inner).ofMaxSize(4).map(map -> (Object) map)), 4);
    }

    @Property(tries = 300)
    void nestedValuesGetTheirCommasAndColonsAsJacksonWritesThem(@ForAll("trees") Object tree) {
        String json = written(w -> write(w, tree));
        assertThat(json).isEqualTo(jackson(tree));
        assertThat(RawJson.of(json).toString()).as("valid JSON for the protocol's own parser").isEqualTo(json);
    }

    // ------------------------------------------------------------------ examples

    @Example
    void controlCharactersAreEscapedAsJsonStringifyEscapesThem() {
        StringBuilder controls = new StringBuilder();
        for (char c = 0; c < 0x20; c++) {
            controls.append(c);
        }
        assertThat(written(w -> w.value(controls.toString()))).isEqualTo("\""
                + "\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f"
                + "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f"
                + "\"");
    }

    @Example
    void quotesAndBackslashesAreEscapedAndNothingElse() {
        assertThat(written(w -> w.value("a\"b\\c/d\u007fe\u2028\u2029")))
                .isEqualTo("\"a\\\"b\\\\c/d\u007fe\u2028\u2029\"");
    }

    @Example
    void nonAsciiStaysRawUtf8AndSurrogatePairsBecomeFourBytes() {
        JsonWriter w = JsonWriter.toBytes().value("é😀");
        assertThat(ByteBufUtil.getBytes(w.buffer()))
                .containsExactly('"', 0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80, '"');
    }

    @Example
    void aLoneSurrogateBecomesAQuestionMark() {
        // JSON.stringify would write "\ud800"; Netty's UTF-8 encoder writes '?': still valid JSON.
        assertThat(written(w -> w.value("a\ud800b\udc00"))).isEqualTo("\"a?b?\"");
    }

    @Example
    void nonFiniteDoublesAreNullAsInJavaScript() {
        assertThat(written(w -> w.beginArray().value(Double.NaN).value(Double.POSITIVE_INFINITY)
                .value(Double.NEGATIVE_INFINITY).value(-0.0).value(0.5).value(1e15).endArray()))
                .isEqualTo("[null,null,null,0,0.5,1.0E15]");
    }

    @Example
    void nullStringsAndNullRawValuesAreTheLiteralNull() {
        assertThat(written(w -> w.beginObject().name("s").value((String) null).name("r").raw(null).endObject()))
                .isEqualTo("{\"s\":null,\"r\":null}");
    }

    @Example
    void rawValuesAreCopiedVerbatimWithTheSeparatorsAroundThem() {
        RawJson frame = RawJson.parse("{ \"work\" : [ { \"a\" : \"\\u00e9\" } , 2.50 ] }".getBytes(StandardCharsets.UTF_8), 2);
        RawJson work = frame.fields().get("work");
        String json = written(w -> w.beginArray().value(1).raw(work).raw(work.elements().get(1)).beginObject()
                .name("args").raw(work.elements().get(0)).name("n").value(2).endObject().endArray());
        assertThat(json).isEqualTo("[1,[ { \"a\" : \"\\u00e9\" } , 2.50 ],2.50,{\"args\":{ \"a\" : \"\\u00e9\" },\"n\":2}]");
    }

    @Example
    void emptyContainersAndMembersAfterNestedValues() {
        assertThat(written(w -> w.beginObject().name("a").beginArray().endArray().name("b").beginObject().endObject()
                .name("c").beginArray().beginArray().value(true).endArray().value(false).endArray().name("d").value("x").endObject()))
                .isEqualTo("{\"a\":[],\"b\":{},\"c\":[[true],false],\"d\":\"x\"}");
    }

    @Example
    void framesCarryTheirLengthAndAReusedWriterStartsAfresh() {
        ByteBuf buf = Unpooled.buffer();
        JsonWriter w = JsonWriter.to(buf);
        w.beginFrame().beginObject().name("command").value("ping").endObject().endFrame();
        w.reset(buf).beginFrame().beginArray().value("спасибо").endArray().endFrame();
        int first = buf.readInt();
        assertThat(buf.readCharSequence(first, StandardCharsets.UTF_8).toString()).isEqualTo("{\"command\":\"ping\"}");
        int second = buf.readInt();
        assertThat(second).as("bytes, not characters").isEqualTo(18);
        assertThat(buf.readCharSequence(second, StandardCharsets.UTF_8).toString()).isEqualTo("[\"спасибо\"]");
        assertThat(buf.isReadable()).isFalse();
    }

    @Example
    void aFrameEndsOnlyAfterAWholeValue() {
        JsonWriter w = JsonWriter.to(Unpooled.buffer()).beginFrame().beginObject();
        assertThatThrownBy(w::endFrame).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> JsonWriter.toBytes().value(1).endFrame()).isInstanceOf(IllegalStateException.class);
    }

    @Example
    void nestingStopsAt64Levels() {
        JsonWriter w = JsonWriter.toBytes();
        for (int i = 0; i < 64; i++) {
            w.beginArray();
        }
        assertThatThrownBy(w::beginObject).isInstanceOf(IllegalStateException.class).hasMessageContaining("64");
        assertThatThrownBy(() -> JsonWriter.toBytes().endArray()).isInstanceOf(IllegalStateException.class);
    }

    @Example
    void toRawJsonGivesTheValueWritten() {
        RawJson value = JsonWriter.toBytes().beginObject().name("n").value(3).endObject().toRawJson();
        assertThat(value.kind()).isEqualTo(RawJson.Kind.OBJECT);
        assertThat(value.fields().get("n").asDouble()).isEqualTo(3.0);
    }

    @Example
    void jacksonReadsEveryTokenOfAWrittenFrame() throws IOException {
        String json = written(w -> w.beginObject().name("to").value("push").name("n").value(-7).name("ok").value(true)
                .name("none").nullValue().name("list").beginArray().value(1.25).endArray().endObject());
        try (JsonParser p = jacksonParser(json)) {
            List<JsonToken> tokens = new java.util.ArrayList<>();
            for (JsonToken t = p.currentToken(); t != null; t = p.nextToken()) {
                tokens.add(t);
            }
            assertThat(tokens).containsExactly(JsonToken.START_OBJECT, JsonToken.FIELD_NAME, JsonToken.VALUE_STRING,
                    JsonToken.FIELD_NAME, JsonToken.VALUE_NUMBER_INT, JsonToken.FIELD_NAME, JsonToken.VALUE_TRUE,
                    JsonToken.FIELD_NAME, JsonToken.VALUE_NULL, JsonToken.FIELD_NAME, JsonToken.START_ARRAY,
                    JsonToken.VALUE_NUMBER_FLOAT, JsonToken.END_ARRAY, JsonToken.END_OBJECT);
        }
    }
}
