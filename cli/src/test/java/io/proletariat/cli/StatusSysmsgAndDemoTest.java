package io.proletariat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.proletariat.manager.Manager;
import io.proletariat.manager.ManagerListener;
import io.proletariat.manager.ManagerOptions;
import io.proletariat.protocol.SystemMessage;
import io.proletariat.worker.Worker;
import io.proletariat.worker.WorkerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code proletariat status}, {@code sysmsg} and {@code manager --demo}, as subprocesses against a real manager. */
class StatusSysmsgAndDemoTest {
    @TempDir
    Path dir;
    Manager manager;
    Launcher launcher;
    String port;
    Worker worker;

    @BeforeEach
    void start() {
        manager = new Manager(ManagerOptions.builder().port(0).bindAddress("127.0.0.1").httpPort(0).httpBindAddress("127.0.0.1").build()).start();
        port = Integer.toString(manager.address().getPort());
        launcher = new Launcher(dir);
        // An in-process worker with priority slots: 4 slots, 1 guaranteed to priority 2.
        worker = new Worker(WorkerOptions.builder().host("127.0.0.1").port(manager.address().getPort()).slots(4)
                .prioritySlots(Map.of(2, 1)).build()).onWork((w, done) -> done.success("ok")).start();
        await().atMost(Duration.ofSeconds(10)).until(worker::isReady);
    }

    @AfterEach
    void stop() {
        launcher.closeAll();
        worker.stop();
        manager.close();
    }

    @Test
    void statusPrintsWorkersWithRangesClientsQueuesAndTotals() throws Exception {
        Launcher.Result r = launcher.run(null, "status", "--port", port);

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("WORKER", "RANGES (from:used/limit)", "CLIENT", "no works queued");
        assertThat(r.stdout()).containsPattern(worker.id().replace(".", "\\.") + "\\s+available\\s+4\\s+0\\s+0:0/3 2:0/4");
        assertThat(r.stdout()).containsPattern("C[0-9.]+ \\*"); // the status connection itself
        assertThat(r.stdout()).contains("pending 0, running 0, available slots 4, on hold 0, finished 0");
    }

    @Test
    void statusJsonIsTheManagersAnswer() throws Exception {
        Launcher.Result r = launcher.run(null, "status", "--port", port, "--json");

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        JsonNode status = Json.MAPPER.readTree(r.stdout());
        assertThat(status.get("to").asText()).isEqualTo("status");
        assertThat(status.get("command").asText()).isEqualTo("answer");
        assertThat(status.get("workers").get(0).get("id").asText()).isEqualTo(worker.id());
        assertThat(status.get("workers").get(0).get("slots").asInt()).isEqualTo(4);
        assertThat(status.get("globalAvailableSlots").asInt()).isEqualTo(4);
    }

    @Test
    void statusOverHttpReadsApiStatus() throws Exception {
        String url = "http://127.0.0.1:" + manager.httpAddress().getPort() + "/";

        Launcher.Result table = launcher.run(null, "status", "--http", url);

        assertThat(table.exitCode()).as(table.stderr()).isZero();
        assertThat(table.stdout()).containsPattern(worker.id().replace(".", "\\.") + "\\s+available\\s+4\\s+0\\s+0:0/3 2:0/4");
        assertThat(table.stdout()).contains("available slots 4");
    }

    @Test
    void sysmsgReportsTheAcknowledgement() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        worker.onSystemMessage(m -> received.add(m.content().toString()));
        List<String> atManager = new CopyOnWriteArrayList<>();
        manager.addListener(new ManagerListener() {
            @Override
            public void sysmsg(SystemMessage message) {
                atManager.add(message.content().toString());
            }
        });

        Launcher.Result all = launcher.run(null, "sysmsg", "--port", port, "{\"reload\":true}");
        Launcher.Result toWorker = launcher.run(null, "sysmsg", "--port", port, "--to", worker.id(), "\"just you\"");

        assertThat(all.exitCode()).as(all.stderr()).isZero();
        assertThat(all.stdout()).isEqualTo("sent to 1, received by 1\n");
        assertThat(toWorker.exitCode()).as(toWorker.stderr()).isZero();
        assertThat(toWorker.stdout()).isEqualTo("sent to 1, received by 1\n");
        assertThat(received).containsExactly("{\"reload\":true}", "\"just you\"");
        await().atMost(Duration.ofSeconds(5)).until(() -> atManager.contains("{\"reload\":true}"));
    }

    @Test
    void managerDemoShowsGreetingsAndKeepsRunning() throws Exception {
        Launcher.Background demo = launcher.start("manager", "--demo", "--port", "0", "--bind", "127.0.0.1", "--http-port", "0");

        await().atMost(Duration.ofSeconds(30)).until(() -> demo.stdout().contains("stays connected") || !demo.process.isAlive());

        assertThat(demo.process.isAlive()).as(demo.stderr()).isTrue();
        List<String> greeted = demo.stdout().lines().filter(l -> l.endsWith("{\"err\":null,\"data\":\"Greetings, comrade!\"}")).toList();
        assertThat(greeted).hasSize(Demo.WORKS);
        assertThat(demo.stdout()).startsWith("proletariat manager listening on");
    }
}
