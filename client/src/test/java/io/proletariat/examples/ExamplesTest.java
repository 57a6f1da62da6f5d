package io.proletariat.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.proletariat.client.Client;
import io.proletariat.client.WorkResult;
import io.proletariat.manager.Manager;
import io.proletariat.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Runs the README examples against each other on loopback. */
class ExamplesTest {

    @Test
    @SuppressWarnings("unchecked")
    void readmeExamplesWorkTogether() throws Exception {
        try (Manager manager = ManagerExample.start(0)) { // 0: an ephemeral port; the README uses 1917
            Worker worker = WorkerExample.start(manager.port());
            try {
                await().atMost(Duration.ofSeconds(20)).until(worker::isReady);
                WorkerExample.broadcast(worker);
                AtomicReference<Object> result = new AtomicReference<>();
                try (Client client = ClientExample.pushWork(manager.port(), result::set)) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> result.get() != null);
                    List<WorkResult> results = (List<WorkResult>) result.get();
                    assertThat(results).hasSize(1);
                    assertThat(results.get(0).data(String.class)).isEqualTo("Greetings, comrade!");
                }
                assertThat(FutureExample.run(manager.port())).containsOnly("Greetings, comrade!").hasSize(5);
            } finally {
                worker.stop();
            }
        }
    }
}
