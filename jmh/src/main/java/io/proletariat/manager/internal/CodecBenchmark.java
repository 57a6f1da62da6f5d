package io.proletariat.manager.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.proletariat.protocol.JsonWriter;
import io.proletariat.protocol.RawJson;
import java.nio.charset.StandardCharsets;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of turning frames into messages and back: a client's push, a worker's done, and the
 * dispatch push the manager writes.
 *
 * <pre>java -jar jmh/target/benchmarks.jar CodecBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
    @Param({"1", "100"})
    int works;

    private byte[] pushFrame;
    private byte[] doneFrame;
    private List<RawJson> args;
    private ByteBuf out;
    private JsonWriter writer;

    @Setup
    public void setup() {
        StringBuilder push = new StringBuilder("{\"rid\":\"R123456r1\",\"group\":\"R123456r1\",\"return\":\"group\",\"work\":[");
        StringBuilder done = new StringBuilder("{\"work\":[");
        for (int i = 0; i < works; i++) {
            push.append(i == 0 ? "" : ",").append("{\"op\":\"echo\",\"payload\":\"0123456789abcdef\"}");
            done.append(i == 0 ? "" : ",").append("{\"id\":\"W123456R").append(i)
                    .append("\",\"result\":{\"err\":null,\"data\":{\"op\":\"echo\",\"payload\":\"0123456789abcdef\"}}}");
        }
        pushFrame = push.append("],\"sentArray\":true,\"priority\":1,\"command\":\"push\"}").toString().getBytes(StandardCharsets.UTF_8);
        doneFrame = done.append("],\"command\":\"done\"}").toString().getBytes(StandardCharsets.UTF_8);
        args = ((Inbound.Push) InboundDecoder.decode(pushFrame)).works();
        out = PooledByteBufAllocator.DEFAULT.directBuffer(1 << 20);
        writer = JsonWriter.to(out);
    }

    @Benchmark
    public Inbound decodePush() {
        return InboundDecoder.decode(pushFrame);
    }

    @Benchmark
    public Inbound decodeDone() {
        return InboundDecoder.decode(doneFrame);
    }

    @Benchmark
    public int encodeDispatch() {
        out.clear();
        JsonWriter w = writer.reset(out).beginFrame().beginObject().name("work").beginArray();
        for (int i = 0; i < args.size(); i++) {
            w.beginObject().name("id").value("W123456R" + i).name("args").raw(args.get(i)).endObject();
        }
        w.endArray().name("command").value("push").endObject().endFrame();
        return out.readableBytes();
    }
}
