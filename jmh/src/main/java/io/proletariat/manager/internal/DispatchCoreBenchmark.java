package io.proletariat.manager.internal;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.proletariat.manager.ManagerOptions;
import io.proletariat.protocol.RawJson;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * The dispatch core's whole cycle for a group of works, without sockets: a client's push, the
 * distribution pass, the worker's accept and done, and the results relayed, with every frame
 * written (to embedded channels). Reported per cycle: divide by {@code group} for the cost per work.
 *
 * <pre>java -jar jmh/target/benchmarks.jar DispatchCoreBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DispatchCoreBenchmark {
    @Param({"1", "100"})
    int group;

    private EmbeddedChannel loopChannel;
    private EmbeddedChannel clientChannel;
    private EmbeddedChannel workerChannel;
    private DispatchCore core;
    private Connection client;
    private Connection worker;
    private List<RawJson> args;
    private long argBytes;
    private RawJson[] rids;
    private int next;

    @Setup(Level.Trial)
    public void setup() {
        loopChannel = new EmbeddedChannel();
        clientChannel = new EmbeddedChannel();
        workerChannel = new EmbeddedChannel();
        core = new DispatchCore(loopChannel.eventLoop(), ManagerOptions.builder().availThreshold(0).build());
        client = core.connected(clientChannel);
        worker = core.connected(workerChannel);
        core.receive(worker, new Inbound.Offer(RawJson.ofNumber(1_000_000)));
        args = new ArrayList<>(Collections.nCopies(group, RawJson.of("{\"op\":\"echo\",\"payload\":\"0123456789abcdef\"}")));
        argBytes = args.stream().mapToLong(RawJson::byteLength).sum();
        rids = new RawJson[1024];
        for (int i = 0; i < rids.length; i++) {
            rids[i] = RawJson.ofString("R" + i);
        }
        drain();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        drain();
        loopChannel.finishAndReleaseAll();
        clientChannel.finishAndReleaseAll();
        workerChannel.finishAndReleaseAll();
    }

    @Benchmark
    public int cycle() {
        RawJson rid = rids[next++ & (rids.length - 1)];
        // As the decoder hands it over: the request id as text, the args' bytes summed, no priority or timeouts.
        core.receive(client, new Inbound.Push(rid, null, rid.asText(), args, argBytes, 0, null, 0, 0, null));
        loopChannel.runPendingTasks(); // the pass and the flush
        List<String> ids = new ArrayList<>(worker.works.keySet());
        core.receive(worker, new Inbound.PushAnswer(ids, List.of()));
        List<Inbound.DoneItem> items = new ArrayList<>(ids.size());
        for (String id : ids) {
            items.add(new Inbound.DoneItem(id, args.get(0), null, null));
        }
        core.receive(worker, new Inbound.Done(items));
        loopChannel.runPendingTasks();
        return drain();
    }

    private int drain() {
        int n = 0;
        for (EmbeddedChannel ch : List.of(clientChannel, workerChannel)) {
            Object msg;
            while ((msg = ch.readOutbound()) != null) {
                n++;
                ReferenceCountUtil.release(msg);
            }
        }
        return n;
    }
}
