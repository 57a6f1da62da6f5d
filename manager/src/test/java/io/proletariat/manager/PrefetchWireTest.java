package io.proletariat.manager;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Prefetch on the wire (docs/protocol.md, prefetch): original workers see none of it. */
class PrefetchWireTest {
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private Manager manager;

    @BeforeEach
    void start() {
        manager = new Manager(ManagerOptions.builder().port(0).bindAddress("127.0.0.1").build()).start();
        closeables.add(manager);
    }

    private RawPeer peer() {
        RawPeer p = new RawPeer(manager);
        closeables.add(0, p);
        return p;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    @Test
    void anOriginalWorkerGetsExactlyItsSlotsNeverMore() {
        RawPeer worker = peer();
        worker.offer("2");
        RawPeer client = peer();
        client.push("R", "[1,2,3,4,5,6]", "");
        JsonNode first = worker.takeDispatch();
        assertThat(first.get("work")).hasSize(2).allSatisfy(w -> assertThat(w.has("prefetch")).isFalse());
        worker.assertSilentFor(300);
        // Each result frees one slot, refilled with one work.
        worker.finish(RawPeer.ids(first).subList(0, 1), "1");
        JsonNode next = worker.takeDispatch();
        assertThat(next.get("work")).hasSize(1);
        assertThat(next.get("work").get(0).has("prefetch")).isFalse();
        worker.assertSilentFor(300);
        assertThat(manager.stats().workers().get(0).prefetched()).isZero();
    }

    @Test
    void aWorkerThatOffersAPrefetchGetsItsSlotsAndThenThePrefetchMarked() {
        RawPeer worker = peer();
        worker.send("{'command':'offer','slots':2,'prefetch':2}");
        assertThat(worker.answer("offer").has("error")).isFalse();
        RawPeer client = peer();
        client.push("R", "[1,2,3,4,5,6]", "'priority':3");
        List<JsonNode> items = new ArrayList<>();
        while (items.size() < 4) {
            worker.takeDispatch().get("work").forEach(items::add);
        }
        assertThat(items.subList(0, 2)).allSatisfy(w -> assertThat(w.has("prefetch")).isFalse());
        assertThat(items.subList(2, 4)).allSatisfy(w -> {
            assertThat(w.get("prefetch").asBoolean()).isTrue();
            assertThat(w.get("priority").asInt()).isEqualTo(3);
        });
        worker.assertSilentFor(300);
        JsonNode status = worker.status();
        JsonNode me = status.get("workers").get(0);
        assertThat(me.get("prefetch").asInt()).isEqualTo(2);
        assertThat(me.get("prefetched").asInt()).isEqualTo(2);
        assertThat(me.get("busy").asInt()).isEqualTo(2);
    }
}
