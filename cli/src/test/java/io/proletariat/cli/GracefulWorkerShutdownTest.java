package io.proletariat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A command worker sent SIGTERM: it takes no more works, finishes what runs within --grace, hands back the rest. */
class GracefulWorkerShutdownTest extends ManagerTestBase {
    /** Creates the file {@code running}, then echoes its input once the file {@code go} exists. */
    private String[] gatedWorker(String grace) {
        String gate = "read x; touch '" + dir.resolve("running") + "'; while [ ! -f '" + dir.resolve("go") + "' ]; do sleep 0.02; done; echo \"$x\"";
        return new String[] {"worker", "--port", port, "--slots", "2", "--grace", grace, "--", "sh", "-c", gate};
    }

    @Test
    void sigtermLetsRunningWorksFinishAndAnswersThemWhileNewWorksWaitForAnotherWorker() throws Exception {
        Launcher.Background worker = launcher.startWorker(manager, 1, gatedWorker("60"));
        Launcher.Background first = launcher.start("push", "--port", port, "{\"n\":1}");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(dir.resolve("running")));

        worker.process.destroy(); // SIGTERM
        await().atMost(Duration.ofSeconds(20)).until(() -> worker.stderr().contains("stopping: taking no more works, letting 1 running works finish"));
        await().atMost(Duration.ofSeconds(20)).until(() -> manager.stats().slotsTotal() == 1); // draining: its total shrank to what it runs

        // A work pushed now is not sent to the leaving worker, though it has a free slot.
        Launcher.Background second = launcher.start("push", "--port", port, "{\"n\":2}");
        await().atMost(Duration.ofSeconds(20)).until(() -> manager.stats().queued().getOrDefault(0, 0L) == 1);
        assertThat(manager.stats().counters().assigned()).isEqualTo(1);
        assertThat(manager.stats().counters().rejected()).isZero();

        Files.createFile(dir.resolve("go"));
        await().atMost(Duration.ofSeconds(20)).until(() -> !first.process.isAlive());
        assertThat(first.process.exitValue()).as(first.stderr()).isZero();
        assertThat(first.stdout().strip()).isEqualTo("{\"err\":null,\"data\":{\"n\":1}}");
        await().atMost(Duration.ofSeconds(20)).until(() -> !worker.process.isAlive());
        assertThat(manager.stats().counters().requeued()).isZero(); // it finished, nothing was handed back

        launcher.startWorker(manager, 1, "worker", "--port", port, "--", "cat");
        await().atMost(Duration.ofSeconds(20)).until(() -> !second.process.isAlive());
        assertThat(second.stdout().strip()).isEqualTo("{\"err\":null,\"data\":{\"n\":2}}");
    }

    @Test
    void worksStillRunningAfterTheGraceAreHandedBackAndRequeuedAtOnce() throws Exception {
        Launcher.Background worker = launcher.startWorker(manager, 1, gatedWorker("1"));
        Launcher.Background push = launcher.start("push", "--port", port, "{\"n\":1}");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(dir.resolve("running")));

        worker.process.destroy();
        await().atMost(Duration.ofSeconds(20)).until(() -> !worker.process.isAlive());
        await().atMost(Duration.ofSeconds(20)).until(() -> manager.stats().counters().requeued() == 1);
        assertThat(manager.stats().queued()).containsEntry(0, 1L);

        Files.createFile(dir.resolve("go"));
        launcher.startWorker(manager, 1, "worker", "--port", port, "--", "cat");
        await().atMost(Duration.ofSeconds(20)).until(() -> !push.process.isAlive());
        assertThat(push.stdout().strip()).isEqualTo("{\"err\":null,\"data\":{\"n\":1}}");
    }
}
