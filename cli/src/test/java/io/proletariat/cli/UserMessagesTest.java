package io.proletariat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.proletariat.manager.Manager;
import io.proletariat.manager.ManagerOptions;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What a user reads: plain one-line errors with the documented exit codes, and logs that tell what happens. */
class UserMessagesTest extends ManagerTestBase {
    @Test
    void managerOnATakenPortExitsThreeWithAPlainMessage() throws Exception {
        Launcher.Result r = launcher.run(null, "manager", "--bind", "127.0.0.1", "--port", port, "--http-port", "0");

        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(Main.EXIT_UNAVAILABLE);
        assertThat(r.stderr().strip()).isEqualTo("proletariat manager: cannot listen on 127.0.0.1:" + port
                + ": the port is taken (is another manager running? choose another with --port)");
    }

    @Test
    void workerRefusesToStartOnACommandThatDoesNotExist() throws Exception {
        Launcher.Result r = InProcess.run(null, "worker", "--port", port, "--", "no-such-command-here");

        assertThat(r.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.stderr().strip()).isEqualTo("proletariat worker: command not found: no-such-command-here (not in any directory of PATH)");
        assertThat(InProcess.run(null, "worker", "--port", port, "--", dir.resolve("missing.sh").toString()).stderr())
                .contains("command not found: " + dir.resolve("missing.sh"));
        assertThat(manager.stats().workers()).isEmpty();
    }

    @Test
    void workerWaitsForItsManagerAndSaysWhenItConnectsLosesAndRegainsIt() throws Exception {
        int later;
        try (ServerSocket s = new ServerSocket(0)) {
            later = s.getLocalPort();
        }
        Launcher.Background worker = launcher.start("worker", "--port", Integer.toString(later), "--", "cat");
        await().atMost(Duration.ofSeconds(20)).until(() -> worker.stderr().contains("waiting for the manager at 127.0.0.1:" + later));
        assertThat(worker.process.isAlive()).isTrue();

        Manager m = new Manager(ManagerOptions.builder().port(later).bindAddress("127.0.0.1").build()).start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> worker.stderr().contains("connected to the manager at 127.0.0.1:" + later));
            assertThat(m.stats().workers()).hasSize(1);
        } finally {
            m.close();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> worker.stderr().contains("lost the manager at 127.0.0.1:" + later));
        Manager again = new Manager(ManagerOptions.builder().port(later).bindAddress("127.0.0.1").build()).start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> again.stats().workers().size() == 1);
            await().atMost(Duration.ofSeconds(20)).until(() -> worker.stderr().split("connected to the manager", -1).length == 3);
        } finally {
            again.close();
        }
    }

    @Test
    void workerLogsEachFailedWorkWithWhy() throws Exception {
        Launcher.Background worker = launcher.startWorker(manager, 1, "worker", "--port", port, "--",
                "sh", "-c", "echo 'disk full' >&2; exit 4");

        Launcher.Result r = launcher.run(null, "push", "--port", port, "1");

        assertThat(r.exitCode()).isEqualTo(Main.EXIT_FAILURE);
        await().atMost(Duration.ofSeconds(20)).until(() -> worker.stderr().contains("failed: exit 4: disk full"));
    }

    @Test
    void pushSaysWhenNoWorkerIsConnected() throws Exception {
        Launcher.Background push = launcher.start("push", "--port", port, "{\"a\":1}");

        await().atMost(Duration.ofSeconds(30)).until(() -> push.stderr().contains(
                "proletariat push: the work is not answered after 3 s: no worker is connected to the manager at 127.0.0.1:" + port));
        assertThat(push.process.isAlive()).isTrue();

        launcher.startWorker(manager, 1, "worker", "--port", port, "--", "cat");
        await().atMost(Duration.ofSeconds(20)).until(() -> !push.process.isAlive());
        assertThat(push.process.exitValue()).isZero();
        assertThat(push.stdout().strip()).isEqualTo("{\"err\":null,\"data\":{\"a\":1}}");
    }

    @Test
    void sysmsgToTheManagerSaysItWasReceivedAndToAnUnknownIdFails() throws Exception {
        Launcher.Result toManager = launcher.run(null, "sysmsg", "--port", port, "--to", "MANAGER", "\"hello\"");
        assertThat(toManager.exitCode()).as(toManager.stderr()).isZero();
        assertThat(toManager.stdout().strip()).isEqualTo("received by the manager");

        Launcher.Result unknown = launcher.run(null, "sysmsg", "--port", port, "--to", "C1.1", "\"hello\"");
        assertThat(unknown.exitCode()).isEqualTo(Main.EXIT_FAILURE);
        assertThat(unknown.stderr().strip()).isEqualTo("proletariat sysmsg: no participant C1.1 is connected (see `proletariat status` for the ids)");
    }

    @Test
    void badJsonIsExplainedWithoutParserInternals() throws Exception {
        Launcher.Result two = InProcess.run(null, "push", "--port", port, "{\"a\":1} {\"b\":2}");
        assertThat(two.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(two.stderr().strip()).isEqualTo("proletariat push: argument 1 is not one JSON value: it holds more than one JSON value; "
                + "give each work as its own argument or line (got: {\"a\":1} {\"b\":2})");

        Launcher.Result word = InProcess.run(null, "push", "--port", port, "hello");
        assertThat(word.stderr().strip()).isEqualTo(
                "proletariat push: argument 1 is not one JSON value: a string needs double quotes, e.g. '\"hello\"' (got: hello)");

        Launcher.Result cut = InProcess.run(null, "sysmsg", "--port", port, "{\"a\":");
        assertThat(cut.stderr()).contains("it ends before the JSON value is complete").doesNotContainIgnoringCase("jackson");
    }

    @Test
    void managerLogsConnectsOffersAndDisconnectsAtInfo() throws Exception {
        int free;
        try (ServerSocket s = new ServerSocket(0)) {
            free = s.getLocalPort();
        }
        String mport = Integer.toString(free);
        Launcher.Background m = launcher.startLogging("info", "manager", "--bind", "127.0.0.1", "--port", mport, "--http-port", "0");
        await().atMost(Duration.ofSeconds(20)).until(() -> m.stdout().contains("listening on 127.0.0.1:" + mport));

        Launcher.Background worker = launcher.start("worker", "--port", mport, "--slots", "3", "--", "cat");
        await().atMost(Duration.ofSeconds(20)).until(() -> m.stderr().contains("offers 3 slots"));
        worker.close();
        await().atMost(Duration.ofSeconds(20)).until(() -> m.stderr().contains("(worker) from /127.0.0.1:"));
        assertThat(m.stderr()).contains("connected from /127.0.0.1:", "disconnected");
    }
}
