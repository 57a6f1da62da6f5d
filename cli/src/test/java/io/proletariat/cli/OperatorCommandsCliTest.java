package io.proletariat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code proletariat worker --progress} with {@code push --progress}, and {@code works} and
 * {@code cancel}, as subprocesses against a real manager.
 */
class OperatorCommandsCliTest extends ManagerTestBase {

    @Test
    void aCommandWorkerReportsProgressOnFd3AndPushPrintsItToStderr() throws Exception {
        // JSON lines stay JSON, other lines become strings, blank lines are skipped; stdout stays the result.
        String script = "read x; echo '{\"step\":1}' >&3; echo >&3; echo \"half way\" >&3; echo \"fd $PROLETARIAT_PROGRESS_FD\" >&3;"
                + " echo \"$x\"";
        launcher.startWorker(manager, 1, "worker", "--port", port, "--slots", "1", "--progress", "--", "sh", "-c", script);

        Launcher.Result r = launcher.run(null, "push", "--port", port, "--progress", "{\"a\":1}");

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.lines()).containsExactly("{\"err\":null,\"data\":{\"a\":1}}");
        List<JsonNode> progress = new ArrayList<>();
        for (String line : r.stderr().split("\n")) {
            if (line.startsWith("{\"index\"")) {
                progress.add(Json.MAPPER.readTree(line));
            }
        }
        // The worker sends the latest of the reports waiting for its connection: the last one always arrives, in order.
        assertThat(progress).isNotEmpty();
        assertThat(progress.get(progress.size() - 1).path("progress").asText()).isEqualTo("fd 3");
        List<String> values = progress.stream().map(n -> n.path("progress").toString()).toList();
        assertThat(List.of("{\"step\":1}", "\"half way\"", "\"fd 3\"")).containsSubsequence(values);
        progress.forEach(n -> {
            assertThat(n.path("index").asInt()).isZero();
            assertThat(n.path("id").asText()).startsWith("W");
        });
    }

    @Test
    void withoutTheFlagsNothingChanges() throws Exception {
        launcher.startWorker(manager, 1, "worker", "--port", port, "--slots", "1", "--", "sh", "-c", "read x; echo \"$x\"");
        Launcher.Result r = launcher.run(null, "push", "--port", port, "7");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.lines()).containsExactly("{\"err\":null,\"data\":7}");
        assertThat(r.stderr()).doesNotContain("\"progress\"");
    }

    @Test
    void worksListsAndCancelCancels() throws Exception {
        // A work that runs until it is cancelled, and one queued behind it (no prefetch: it waits in the manager).
        launcher.startWorker(manager, 1, "worker", "--port", port, "--slots", "1", "--prefetch", "0", "--", "sh", "-c", "read x; sleep 60");
        Launcher.Background push = launcher.start("push", "--port", port, "--each", "1", "2");
        await().until(() -> manager.runningWorks() == 1 && manager.queuedWorks() == 1);

        Launcher.Result table = launcher.run(null, "works", "--port", port);
        assertThat(table.exitCode()).as(table.stderr()).isZero();
        assertThat(table.lines().get(0)).startsWith("WORK").contains("REQUEST", "CLIENT", "WORKER", "PRIORITY", "STATE", "AGE");
        assertThat(table.lines()).hasSize(3);

        Launcher.Result json = launcher.run(null, "works", "--port", port, "--running", "--json");
        assertThat(json.exitCode()).as(json.stderr()).isZero();
        JsonNode running = Json.MAPPER.readTree(json.stdout());
        assertThat(running.path("works")).hasSize(1);
        assertThat(running.path("more").asInt()).isZero();
        String runningId = running.path("works").get(0).path("id").asText();
        String rid = running.path("works").get(0).path("rid").asText();

        Launcher.Result limited = launcher.run(null, "works", "--port", port, "--limit", "1");
        assertThat(limited.stdout()).contains("1 more not listed (of 2)");

        Launcher.Result cancel = launcher.run(null, "cancel", "--port", port, runningId, "W000000R424242");
        assertThat(cancel.exitCode()).as("one id was not live").isEqualTo(1);
        assertThat(cancel.stdout()).contains(runningId + ": cancelled").contains("W000000R424242: not cancelled: unknown");

        Launcher.Result whole = launcher.run(null, "cancel", "--port", port, rid);
        assertThat(whole.exitCode()).as(whole.stderr()).isZero();
        assertThat(whole.stdout()).contains(rid + ": request of").contains("1 work cancelled");

        // The push prints both works' ECANCELED results and exits 1 (some works failed).
        assertThat(push.process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(push.process.exitValue()).isEqualTo(1);
        assertThat(push.stdout()).contains("\"code\":\"ECANCELED\"");
        assertThat(manager.liveWorks()).isZero();
    }

    @Test
    void usageErrors() throws Exception {
        assertThat(launcher.run(null, "works", "--port", port, "--limit", "0").exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(launcher.run(null, "cancel", "--port", port).exitCode()).isEqualTo(Main.EXIT_USAGE);
    }
}
