package io.proletariat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.proletariat.protocol.RawJson;
import io.proletariat.worker.Worker;
import io.proletariat.worker.WorkerOptions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bad input and misuse: clear exceptions at once, never a hang. */
class MisuseTest {

    @Test
    void workerOptionsRejectBadValuesNamingTheField() {
        assertThatThrownBy(() -> WorkerOptions.builder().slots(-3)).isInstanceOf(IllegalArgumentException.class).hasMessage("slots must be > 0: -3");
        assertThatThrownBy(() -> WorkerOptions.builder().slots(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WorkerOptions.builder().port(0)).hasMessageContaining("port");
        assertThatThrownBy(() -> WorkerOptions.builder().host(" ")).hasMessageContaining("host");
        assertThatThrownBy(() -> WorkerOptions.builder().answerThreshold(0)).hasMessageContaining("ANSWER_THRESHOLD");
        assertThatThrownBy(() -> WorkerOptions.builder().cleanupReqs(0)).hasMessageContaining("CLEANUP_REQS");
        assertThatThrownBy(() -> WorkerOptions.builder().cleanupCheckInterval(Duration.ZERO)).hasMessageContaining("CLEANUP_CHECKINT");
        assertThatThrownBy(() -> WorkerOptions.builder().retryDelay(Duration.ofMillis(-1))).hasMessageContaining("retryDelay");
        assertThatThrownBy(() -> WorkerOptions.builder().prioritySlots(Map.of(-1, 3))).hasMessageContaining("prioritySlots");
        assertThatThrownBy(() -> WorkerOptions.builder().prioritySlots(Map.of(1, -3))).hasMessageContaining("prioritySlots");
    }

    @Test
    void prioritySlotsAboveSlotsFailAtBuildTime() {
        assertThatThrownBy(() -> WorkerOptions.builder().slots(10).prioritySlots(Map.of(1, 6, 2, 5)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than slots (10)");
        assertThatThrownBy(() -> WorkerOptions.builder().slots(10).prioritySlots(Map.of(0, 3, 1, 5)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rest");
        assertThat(WorkerOptions.builder().slots(10).prioritySlots(Map.of(0, 5, 1, 5)).build().offer()).isEqualTo(Map.of(0, 5, 1, 5));
    }

    @Test
    void workerOptionsDefaultsAreTheOriginals() {
        WorkerOptions o = WorkerOptions.defaults();
        assertThat(o.slots()).isEqualTo(100);
        assertThat(o.host()).isEqualTo("127.0.0.1");
        assertThat(o.port()).isEqualTo(1917);
        assertThat(o.prioritySlots()).isEmpty();
        assertThat(o.cleanupReqs()).isEqualTo(1000);
        assertThat(o.cleanupCheckInterval()).isEqualTo(Duration.ofMillis(60_000));
        assertThat(o.reconnectPolicy().retryDelay()).isEqualTo(Duration.ofMillis(2_000));
        assertThat(o.answerThreshold()).isEqualTo(1);
        WorkerOptions variant = o.toBuilder().slots(100).prioritySlots(Map.of(1, 30, 2, 20)).cleanupReqs(5)
                .cleanupCheckInterval(Duration.ofSeconds(1)).answerThreshold(3).build();
        assertThat(variant.offer()).containsExactly(Map.entry(0, 50), Map.entry(1, 30), Map.entry(2, 20));
        assertThat(variant.cleanupReqs()).isEqualTo(5);
        assertThat(o.slots()).isEqualTo(100);
    }

    @Test
    void workerStartRulesAreEnforced() {
        Worker noHandler = new Worker(WorkerOptions.builder().port(1).build());
        assertThatThrownBy(noHandler::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("onWork");
        noHandler.stop();

        Worker w = new Worker(WorkerOptions.builder().port(1).retryDelay(Duration.ofSeconds(10)).build()).onWork((work, done) -> done.success(null));
        w.start();
        assertThatThrownBy(w::start).isInstanceOf(IllegalStateException.class).hasMessage("worker already started");
        w.stop();
        w.stop(); // idempotent
        assertThatThrownBy(w::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("stopped");
        assertThat(w.systemMessage("x")).isCompletedExceptionally();
    }

    @Test
    void clientRejectsBadWorks() {
        try (Client client = new Client(ClientOptions.builder().port(1).retryDelay(Duration.ofSeconds(10)).build())) {
            assertThatThrownBy(() -> client.submit(null, WorkOptions.DEFAULT)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> client.submit(List.of(), WorkOptions.DEFAULT)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
            assertThatThrownBy(() -> client.submit(Arrays.asList("a", null), WorkOptions.DEFAULT)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("works[1] is null");
            assertThatThrownBy(() -> client.submitOne(null)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> client.submitOne(RawJson.NULL)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> client.submit(List.of(new Object()))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("works[0]");
            assertThatThrownBy(() -> client.submitOne(List.of("a"), WorkOptions.DEFAULT)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("work group");
            assertThatThrownBy(() -> client.work(List.of("a"), WorkOptions.DEFAULT, (GroupCallback) null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> client.submit(List.of("a"), null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> client.systemMessage(new Object())).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void workAndClientOptionsRejectBadValues() {
        assertThatThrownBy(() -> WorkOptions.builder().priority(-1)).hasMessage("priority must be >= 0: -1");
        assertThatThrownBy(() -> WorkOptions.builder().overallTimeout(0)).hasMessageContaining("overallTimeout");
        assertThatThrownBy(() -> WorkOptions.builder().runTimeout(-5)).hasMessageContaining("runTimeout");
        assertThatThrownBy(() -> WorkOptions.builder().assignTimeout(0)).hasMessageContaining("assigntimeout");
        assertThatThrownBy(() -> ClientOptions.builder().port(70000)).hasMessageContaining("port");
        assertThatThrownBy(() -> ClientOptions.builder().maxRetries(-1)).hasMessageContaining("maxRetries");
        assertThatThrownBy(() -> ClientOptions.builder().retryDelay(Duration.ofMillis(-1))).hasMessageContaining("retryDelay");
        ClientOptions c = ClientOptions.defaults();
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(1917);
        assertThat(c.toBuilder().host("10.0.0.5").build().host()).isEqualTo("10.0.0.5");
        WorkOptions w = WorkOptions.builder().overallTimeout(Duration.ofSeconds(1)).priority(3).build();
        assertThat(w.toBuilder().priority(4).build().overallTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(WorkOptions.DEFAULT.priority()).isNull();
    }

    @Test
    void clientConstructorShortcutTakesAHost() {
        try (Client c = new Client("localhost")) {
            assertThat(c.options().host()).isEqualTo("localhost");
            assertThat(c.options().port()).isEqualTo(1917);
        }
    }
}
