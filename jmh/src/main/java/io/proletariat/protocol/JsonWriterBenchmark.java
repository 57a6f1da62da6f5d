package io.proletariat.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Our {@link JsonWriter} against Jackson's {@link JsonGenerator} on the two frames the manager writes
 * most: the dispatch to a worker ({@code {"work":[{"id","args"}...],"command":"push"}}) and the
 * results to a client ({@code {"rid","results":[{"id","result"}...],"command":"answer"}}), each into
 * a pooled direct buffer behind its 4-byte length, the received payloads copied in verbatim (Jackson
 * through {@code writeRawValue} of a {@link SerializableString} over the payload's bytes, so neither
 * side decodes them). Jackson gets a new generator per frame, as a per-connection output would need.
 *
 * <pre>java -jar jmh/target/benchmarks.jar JsonWriterBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class JsonWriterBenchmark {
    @Param({"1", "100"})
    int works;

    private final JsonFactory jackson = RawJson.newJsonFactory();
    private final List<String> ids = new ArrayList<>();
    private final List<RawJson> payloads = new ArrayList<>();
    private final List<SerializableString> rawPayloads = new ArrayList<>();
    private ByteBuf out;
    private JsonWriter writer;

    @Setup
    public void setup() {
        for (int i = 0; i < works; i++) {
            ids.add("W123456R" + (1000 + i));
            RawJson payload = RawJson.of("{\"op\":\"echo\",\"payload\":\"0123456789abcdef\",\"n\":" + i + "}");
            payloads.add(payload);
            rawPayloads.add(new RawBytes(payload.toBytes()));
        }
        out = PooledByteBufAllocator.DEFAULT.directBuffer(1 << 20);
        writer = JsonWriter.to(out);
    }

    @TearDown
    public void tearDown() {
        out.release();
    }

    @Benchmark
    public int dispatchJsonWriter() {
        out.clear();
        JsonWriter w = writer.reset(out).beginFrame().beginObject().name("work").beginArray();
        for (int i = 0; i < works; i++) {
            w.beginObject().name("id").value(ids.get(i)).name("args").raw(payloads.get(i)).endObject();
        }
        w.endArray().name("command").value("push").endObject().endFrame();
        return out.readableBytes();
    }

    @Benchmark
    public int dispatchJackson() throws IOException {
        out.clear();
        int frameStart = out.writerIndex();
        out.writeInt(0);
        try (JsonGenerator g = jackson.createGenerator((OutputStream) new ByteBufOutputStream(out))) {
            g.writeStartObject();
            g.writeArrayFieldStart("work");
            for (int i = 0; i < works; i++) {
                g.writeStartObject();
                g.writeStringField("id", ids.get(i));
                g.writeFieldName("args");
                g.writeRawValue(rawPayloads.get(i));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeStringField("command", "push");
            g.writeEndObject();
        }
        out.setInt(frameStart, out.writerIndex() - frameStart - 4);
        return out.readableBytes();
    }

    @Benchmark
    public int answerJsonWriter() {
        out.clear();
        JsonWriter w = writer.reset(out).beginFrame().beginObject().name("rid").value("R123456r1")
                .name("results").beginArray();
        for (int i = 0; i < works; i++) {
            w.beginObject().name("id").value(ids.get(i)).name("result").raw(payloads.get(i)).endObject();
        }
        w.endArray().name("command").value("answer").endObject().endFrame();
        return out.readableBytes();
    }

    @Benchmark
    public int answerJackson() throws IOException {
        out.clear();
        int frameStart = out.writerIndex();
        out.writeInt(0);
        try (JsonGenerator g = jackson.createGenerator((OutputStream) new ByteBufOutputStream(out))) {
            g.writeStartObject();
            g.writeStringField("rid", "R123456r1");
            g.writeArrayFieldStart("results");
            for (int i = 0; i < works; i++) {
                g.writeStartObject();
                g.writeStringField("id", ids.get(i));
                g.writeFieldName("result");
                g.writeRawValue(rawPayloads.get(i));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeStringField("command", "answer");
            g.writeEndObject();
        }
        out.setInt(frameStart, out.writerIndex() - frameStart - 4);
        return out.readableBytes();
    }

    /** A payload's UTF-8 bytes as a Jackson raw value, copied without decoding (only the unquoted forms are used). */
    private static final class RawBytes implements SerializableString {
        private final byte[] utf8;
        private final SerializedString text;

        RawBytes(byte[] utf8) {
            this.utf8 = utf8;
            this.text = new SerializedString(new String(utf8, java.nio.charset.StandardCharsets.UTF_8));
        }

        @Override
        public int appendUnquotedUTF8(byte[] buffer, int offset) {
            if (offset + utf8.length > buffer.length) {
                return -1;
            }
            System.arraycopy(utf8, 0, buffer, offset, utf8.length);
            return utf8.length;
        }

        @Override
        public byte[] asUnquotedUTF8() {
            return utf8;
        }

        @Override
        public int writeUnquotedUTF8(OutputStream out) throws IOException {
            out.write(utf8);
            return utf8.length;
        }

        @Override
        public int putUnquotedUTF8(ByteBuffer buffer) {
            if (utf8.length > buffer.remaining()) {
                return -1;
            }
            buffer.put(utf8);
            return utf8.length;
        }

        @Override
        public String getValue() {
            return text.getValue();
        }

        @Override
        public int charLength() {
            return text.charLength();
        }

        @Override
        public char[] asQuotedChars() {
            return text.asQuotedChars();
        }

        @Override
        public byte[] asQuotedUTF8() {
            return text.asQuotedUTF8();
        }

        @Override
        public int appendQuotedUTF8(byte[] buffer, int offset) {
            return text.appendQuotedUTF8(buffer, offset);
        }

        @Override
        public int appendQuoted(char[] buffer, int offset) {
            return text.appendQuoted(buffer, offset);
        }

        @Override
        public int appendUnquoted(char[] buffer, int offset) {
            return text.appendUnquoted(buffer, offset);
        }

        @Override
        public int writeQuotedUTF8(OutputStream out) throws IOException {
            return text.writeQuotedUTF8(out);
        }

        @Override
        public int putQuotedUTF8(ByteBuffer buffer) throws IOException {
            return text.putQuotedUTF8(buffer);
        }
    }
}
