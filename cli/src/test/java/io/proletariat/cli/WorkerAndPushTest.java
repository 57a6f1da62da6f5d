package io.proletariat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.proletariat.manager.Manager;
import io.proletariat.manager.ManagerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@code proletariat worker} and {@code proletariat push}, as subprocesses against a real manager. */
class WorkerAndPushTest extends ManagerTestBase {
    /** Answers by its input: "fail" exits 3 with a message on stderr, "sleep" sleeps (recording pids), else echoes. */
    private static final String SCRIPT = "read x; case \"$x\" in"
            + " *fail*) echo doomed >&2; exit 3;;"
            + " *sleep*) sleep 30 & echo $$ $! > \"$PIDS/$(date +%s%N)\"; wait;;"
            + " *) echo \"$x\";; esac";

    @Test
    void catWorkerReturnsEachArgumentAsItsResultInOrder() throws Exception {
        launcher.startWorker(manager, 1, "worker", "--port", port, "--slots", "2", "--", "cat");

        Launcher.Result r = launcher.run(null, "push", "--port", port, "{\"a\":1}", "\"text\"", "[1,2]", "false");

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.lines()).containsExactly(
                "{\"err\":null,\"data\":{\"a\":1}}",
                "{\"err\":null,\"data\":\"text\"}",
                "{\"err\":null,\"data\":[1,2]}",
                "{\"err\":null,\"data\":false}");
    }

    @Test
    void pushReadsThousandsOfWorksFromStdinAsOneGroupAndPrintsResultsInInputOrder() throws Exception {
        launcher.startWorker(manager, 1, "worker", "--port", port, "--slots", "8", "--answer-threshold", "8", "--", "cat");
        int n = 2000;
        String stdin = IntStream.range(0, n).mapToObj(i -> "{\"n\":" + i + "}" + (i % 100 == 0 ? "\n   " : ""))
                .collect(Collectors.joining("\n", "", "\n"));

        Launcher.Result r = launcher.run(stdin, "push", "--port", port);

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        List<String> lines = r.lines();
        assertThat(lines).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(lines.get(i)).isEqualTo("{\"err\":null,\"data\":{\"n\":" + i + "}}");
        }
        assertThat(manager.stats().counters().finished()).isEqualTo(n);
    }

    @Test
    void pushKeepsReconnectingAcrossAManagerRestartAndEveryWorkIsAnsweredOnce() throws Exception {
        // Issue 12, item 8: the CLI gave up after 3 attempts while the manager was back in 1.6 s.
        Launcher.Background worker = launcher.startWorker(manager, 1, "worker", "--port", port, "--slots", "4", "--", "cat");
        int n = 2000;
        String[] args = new String[3 + n];
        args[0] = "push";
        args[1] = "--port";
        args[2] = port;
        for (int i = 0; i < n; i++) {
            args[3 + i] = "{\"n\":" + i + "}";
        }
        Launcher.Background push = launcher.start(args);
        await().atMost(Duration.ofSeconds(30)).until(() -> manager.stats().counters().finished() >= 100);
        manager.close();
        await().atMost(Duration.ofSeconds(30)).until(() -> push.stderr().contains("lost the manager at 127.0.0.1:" + port + "; reconnecting")
                && worker.stderr().contains("lost the manager"));
        assertThat(push.process.isAlive()).as(push.stderr()).isTrue();
        manager = new Manager(ManagerOptions.builder().port(Integer.parseInt(port)).bindAddress("127.0.0.1").build()).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> !push.process.isAlive());
        assertThat(push.process.exitValue()).as(push.stderr()).isZero();
        assertThat(push.stderr()).contains("connected to the manager at 127.0.0.1:" + port + " again");
        List<String> lines = push.stdout().lines().toList();
        assertThat(lines).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(lines.get(i)).isEqualTo("{\"err\":null,\"data\":{\"n\":" + i + "}}");
        }
    }

    @Test
    void outputThatIsNotJsonIsAStringWithoutItsTrailingNewline() throws Exception {
        launcher.startWorker(manager, 1, "worker", "--port", port, "--", "sh", "-c", "cat >/dev/null; echo hello world");

        Launcher.Result r = launcher.run(null, "push", "--port", port, "1");

        assertThat(r.lines()).containsExactly("{\"err\":null,\"data\":\"hello world\"}");
    }

    @Test
    void nonZeroExitBecomesAnErrorResultWithExitCodeAndStderrAndPushExitsOne() throws Exception {
        launcher.startWorker(manager, 1, "worker", "--port", port, "--slots", "2", "--", "sh", "-c", SCRIPT);

        Launcher.Result r = launcher.run(null, "push", "--port", port, "--each", "\"ok\"", "\"fail\"");

        assertThat(r.exitCode()).isEqualTo(1);
        List<JsonNode> results = parse(r.lines());
        assertThat(results).hasSize(2);
        JsonNode failed = results.stream().filter(j -> j.get("index").asInt() == 1).findFirst().orElseThrow();
        assertThat(failed.get("err").get("code").asText()).isEqualTo("EEXIT");
        assertThat(failed.get("err").get("exitCode").asInt()).isEqualTo(3);
        assertThat(failed.get("err").get("stderr").asText()).isEqualTo("doomed\n");
        assertThat(failed.get("err").get("message").asText()).isEqualTo("exit 3: doomed");
        JsonNode ok = results.stream().filter(j -> j.get("index").asInt() == 0).findFirst().orElseThrow();
        assertThat(ok.get("err").isNull()).isTrue();
        assertThat(ok.get("data").asText()).isEqualTo("ok");
    }

    @Test
    void runTimeoutAnswersEtoAndKillsTheProcessAndItsChildren() throws Exception {
        Path pids = Files.createDirectory(dir.resolve("pids"));
        startScriptWorker(pids);

        Launcher.Result r = launcher.run(null, "push", "--port", port, "--run-timeout", "300", "\"sleep\"");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.lines()).containsExactly("{\"err\":{\"code\":\"ETO\",\"message\":\"Timeout\"},\"data\":null}");
        assertProcessesGone(pids);
    }

    @Test
    void clientTimeoutAbortsTheWorkAndKillsItsProcess() throws Exception {
        Path pids = Files.createDirectory(dir.resolve("pids"));
        startScriptWorker(pids);

        Launcher.Result r = launcher.run(null, "push", "--port", port, "--timeout", "500", "\"sleep\"");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(parse(r.lines()).get(0).get("err").get("code").asText()).isEqualTo("ECSTO");
        assertProcessesGone(pids);
    }

    @Test
    void commandRemovedWhileTheWorkerRunsFailsEachWorkWithESpawnAndSaysSo() throws Exception {
        Path script = dir.resolve("gone.sh");
        Files.writeString(script, "#!/bin/sh\ncat\n");
        script.toFile().setExecutable(true);
        Launcher.Background worker = launcher.startWorker(manager, 1, "worker", "--port", port, "--", script.toString());
        Files.delete(script);

        Launcher.Result r = launcher.run(null, "push", "--port", port, "1", "2");

        assertThat(r.exitCode()).isEqualTo(1);
        for (JsonNode j : parse(r.lines())) {
            assertThat(j.get("err").get("code").asText()).isEqualTo("ESPAWN");
            assertThat(j.get("err").get("message").asText()).contains("cannot run " + script);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> worker.stderr().lines().filter(l -> l.contains("cannot run")).count() == 2);
    }

    @Test
    void workerStopsOnSigtermAndTheManagerForgetsIt() throws Exception {
        Launcher.Background worker = launcher.startWorker(manager, 1, "worker", "--port", port, "--", "cat");

        worker.close();

        await().atMost(Duration.ofSeconds(10)).until(() -> manager.stats().workers().isEmpty());
        assertThat(worker.process.exitValue()).isEqualTo(143);
    }

    private void startScriptWorker(Path pids) throws Exception {
        Path script = dir.resolve("script.sh");
        Files.writeString(script, "PIDS='" + pids + "'\n" + SCRIPT + "\n");
        launcher.startWorker(manager, 1, "worker", "--port", port, "--", "sh", script.toString());
    }

    /** The shell and its sleep, recorded by the script, are both gone. */
    private static void assertProcessesGone(Path pids) throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            try (var files = Files.list(pids)) {
                return files.findAny().isPresent();
            }
        });
        List<Long> recorded;
        try (var files = Files.list(pids)) {
            recorded = files.flatMap(f -> {
                try {
                    return java.util.Arrays.stream(Files.readString(f).trim().split(" "));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).map(Long::parseLong).toList();
        }
        assertThat(recorded).hasSize(2);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(recorded)
                .allSatisfy(pid -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid " + pid).isFalse()));
    }

    private static List<JsonNode> parse(List<String> lines) {
        return lines.stream().map(l -> {
            try {
                return Json.MAPPER.readTree(l);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + l, e);
            }
        }).toList();
    }
}
