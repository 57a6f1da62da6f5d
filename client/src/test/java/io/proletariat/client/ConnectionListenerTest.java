package io.proletariat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.proletariat.testing.Participants;
import io.proletariat.worker.Worker;
import io.proletariat.worker.WorkerOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The connection events and the one reconnect policy of clients and workers, against a real manager that goes and comes back. */
class ConnectionListenerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final Participants p = new Participants();

    @AfterEach
    void closeAll() {
        p.close();
    }

    /** Records the events in order; a worker's connected events also record whether its id was set by then. */
    private static final class Recorder implements ConnectionListener {
        final List<String> events = new CopyOnWriteArrayList<>();
        volatile Worker worker;

        @Override
        public void onConnected() {
            events.add(worker == null ? "connected" : "connected as " + (worker.id() != null ? "ready" : "not ready"));
        }

        @Override
        public void onDisconnected() {
            events.add("disconnected");
        }

        @Override
        public void onReconnected() {
            events.add(worker == null ? "reconnected" : "reconnected as " + (worker.id() != null ? "ready" : "not ready"));
        }

        @Override
        public void onClosed() {
            events.add("closed");
        }
    }

    @Test
    void bothHearTheManagerGoAndComeBackThenTheirClose() throws Exception {
        int port = p.startManager().port();
        Recorder atWorker = new Recorder();
        Worker worker = new Worker(p.workerOptions().slots(1).build()).onWork((work, done) -> done.success(work.args()));
        atWorker.worker = worker;
        worker.addConnectionListener(atWorker).start();
        Recorder atClient = new Recorder();
        Client client = p.client(p.clientOptions().connectionListener(atClient).build());
        await().atMost(WAIT).until(() -> atWorker.events.size() == 1 && atClient.events.size() == 1);
        assertThat(atWorker.events).containsExactly("connected as ready");
        assertThat(atClient.events).containsExactly("connected");

        p.manager().close();
        await().atMost(WAIT).until(() -> atWorker.events.size() == 2 && atClient.events.size() == 2);
        assertThat(worker.isReady()).isFalse();
        assertThat(client.isConnected()).isFalse();

        p.restartManager(port);
        await().atMost(WAIT).until(() -> atWorker.events.size() == 3 && atClient.events.size() == 3);
        assertThat(client.submitOne("again").get(20, TimeUnit.SECONDS).get(String.class)).isEqualTo("again");

        worker.stop();
        client.close();
        await().atMost(WAIT).until(() -> atWorker.events.size() == 4 && atClient.events.size() == 4);
        assertThat(atWorker.events).containsExactly("connected as ready", "disconnected", "reconnected as ready", "closed");
        assertThat(atClient.events).containsExactly("connected", "disconnected", "reconnected", "closed");
    }

    @Test
    void aListenerAddedLaterHearsFromThenOnAndOneThatThrowsHarmsNobody() throws Exception {
        p.startManager();
        Client client = p.client();
        Recorder later = new Recorder();
        client.addConnectionListener(new ConnectionListener() {
            @Override
            public void onClosed() {
                throw new IllegalStateException("a listener's bug");
            }
        }).addConnectionListener(later);
        await().atMost(WAIT).until(client::isConnected);
        client.close();
        await().atMost(WAIT).until(() -> later.events.contains("closed"));
        assertThat(later.events).endsWith("closed");
    }

    @Test
    void clientAndWorkerSetTheSamePolicyWithTheSameNames() {
        ReconnectPolicy atClient = ClientOptions.builder().maxRetries(3).retryDelay(Duration.ofMillis(50))
                .retryBackoff(Duration.ofMillis(300)).connectTimeout(Duration.ofSeconds(1)).build().reconnectPolicy();
        ReconnectPolicy atWorker = WorkerOptions.builder().maxRetries(3).retryDelay(Duration.ofMillis(50))
                .retryBackoff(Duration.ofMillis(300)).connectTimeout(Duration.ofSeconds(1)).build().reconnectPolicy();
        assertThat(atWorker).isEqualTo(atClient);
        // Backoff doubles the wait after each failure in a row, up to its limit.
        assertThat(List.of(atClient.delayMillis(1), atClient.delayMillis(2), atClient.delayMillis(3), atClient.delayMillis(4), atClient.delayMillis(9)))
                .containsExactly(50L, 100L, 200L, 300L, 300L);
        assertThat(ReconnectPolicy.giveUpAfter(1).delayMillis(5)).isEqualTo(2_000L); // no backoff: every wait is the delay
        // A client gives up after 10 failures by default (the original's MAXRETRIES), a worker never (CON_RETRYTIME forever).
        assertThat(ClientOptions.defaults().reconnectPolicy().maxRetries()).isEqualTo(10);
        assertThat(WorkerOptions.defaults().reconnectPolicy().maxRetries()).isEqualTo(Integer.MAX_VALUE);
        assertThat(WorkerOptions.defaults().reconnectPolicy().retryDelay()).isEqualTo(ClientOptions.defaults().reconnectPolicy().retryDelay()).isEqualTo(Duration.ofMillis(2_000));
    }

    @Test
    void aWorkerKeepsTryingUntilTheManagerComesAndOneWithARetryLimitStops() throws Exception {
        int port = p.startManager().port();
        p.manager().close();
        Recorder patient = new Recorder();
        Worker waiting = p.add(new Worker(WorkerOptions.builder().host("127.0.0.1").port(port).retryDelay(Duration.ofMillis(20)).build())
                .onWork((work, done) -> done.success(null)));
        patient.worker = waiting;
        waiting.addConnectionListener(patient).start();
        Recorder giving = new Recorder();
        Worker limited = p.add(new Worker(WorkerOptions.builder().host("127.0.0.1").port(port).maxRetries(2).retryDelay(Duration.ofMillis(20)).build())
                .onWork((work, done) -> done.success(null)));
        limited.addConnectionListener(giving).start();

        assertThat(limited.awaitTermination(WAIT)).isTrue(); // three failed attempts: it gave up and stopped
        await().atMost(WAIT).until(() -> giving.events.equals(List.of("closed")));
        assertThat(waiting.awaitTermination(Duration.ZERO)).isFalse();

        p.restartManager(port);
        await().atMost(WAIT).until(() -> patient.events.equals(List.of("connected as ready")));
        assertThat(waiting.isReady()).isTrue();
    }
}
