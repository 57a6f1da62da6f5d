package io.proletariat.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Proves a manager still does its job: a fresh worker connects, a client pushes a work, the worker
 * runs it and the client receives its result. Used after bad input to show nothing was disturbed.
 */
final class HealthCheck {
    private static final AtomicInteger SEQ = new AtomicInteger();

    private HealthCheck() {
    }

    /**
     * Runs one work from {@code client} on a new 1-slot worker. Call it when no other worker has
     * free slots (the work must reach this worker); it leaves the manager without live works.
     */
    static void assertServesAWork(Manager manager, RawPeer client) {
        String rid = "health-" + SEQ.incrementAndGet();
        try (RawPeer worker = new RawPeer(manager)) {
            worker.offer("1");
            List<String> ids = client.push(rid, "[{'op':'health','rid':'" + rid + "'}]", "");
            JsonNode dispatch = worker.takeDispatch();
            assertThat(RawPeer.ids(dispatch)).as("dispatch %s", dispatch).isEqualTo(ids);
            assertThat(dispatch.at("/work/0/args/rid").asText()).isEqualTo(rid);

            JsonNode answer = worker.finish(ids, "'" + rid + " ok'");
            assertThat(answer.get("description").asText()).isEqualTo("спасибо for the 1 works");
            JsonNode done = client.command("done");
            assertThat(done.get("work")).as("results %s", done).hasSize(1);
            assertThat(done.at("/work/0/id").asText()).isEqualTo(ids.get(0));
            assertThat(done.at("/work/0/result/data").asText()).isEqualTo(rid + " ok");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> manager.liveWorks() == 0);
    }
}
