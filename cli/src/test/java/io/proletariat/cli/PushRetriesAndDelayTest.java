package io.proletariat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.proletariat.client.WorkOptions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** {@code proletariat push}'s retry and delay options: parsed, checked, and carried out by a real manager and worker. */
class PushRetriesAndDelayTest extends ManagerTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aWorkThatFailsOnceIsRetriedAndItsLineCarriesTheAttempts() throws Exception {
        // Fails the first time (no marker yet), echoes after.
        String script = "read x; if [ -e '" + dir.resolve("ran") + "' ]; then echo \"$x\"; else touch '" + dir.resolve("ran")
                + "'; echo doomed >&2; exit 3; fi";
        launcher.startWorker(manager, 1, "worker", "--port", port, "--", "sh", "-c", script);

        Launcher.Result r = launcher.run(null, "push", "--port", port, "--retries", "2", "--backoff", "10ms", "--backoff-max", "1s",
                "--retry-on", "error,ETO", "{\"a\":1}");

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.lines()).hasSize(1);
        JsonNode line = JSON.readTree(r.lines().get(0));
        assertThat(line.get("err").isNull()).isTrue();
        assertThat(line.get("data")).isEqualTo(JSON.readTree("{\"a\":1}"));
        assertThat(line.get("attempts").asInt()).isEqualTo(2);
        assertThat(line.get("lastError").isObject()).isTrue();
        assertThat(manager.stats().waiting().retried()).isEqualTo(1);
    }

    @Test
    void aDelayedPushRunsNoEarlierThanItsDelay() throws Exception {
        launcher.startWorker(manager, 1, "worker", "--port", port, "--", "cat");
        long before = System.currentTimeMillis();
        Launcher.Result r = launcher.run(null, "push", "--port", port, "--delay", "1s", "\"later\"");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.lines()).containsExactly("{\"err\":null,\"data\":\"later\"}");
        assertThat(System.currentTimeMillis() - before).isGreaterThanOrEqualTo(1000);
    }

    @Test
    void theOptionsAreParsedIntoWorkOptions() {
        PushCommand push = InProcess.parsed("push", "--retries", "3", "--backoff", "100ms", "--backoff-max", "2m", "--retry-on",
                "error,lost", "--delay", "5s", "--not-before", "2026-12-01T10:00:00Z", "1");
        assertThat(push.retries).isEqualTo(3);
        assertThat(push.backoff).isEqualTo(Duration.ofMillis(100));
        assertThat(push.backoffMax).isEqualTo(Duration.ofMinutes(2));
        assertThat(push.retryOn).containsExactly("error", "lost");
        assertThat(push.delay).isEqualTo(Duration.ofSeconds(5));
        assertThat(push.notBefore).isEqualTo("2026-12-01T10:00:00Z");
        assertThat(Durations.parse("250")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Durations.parse("30d")).isEqualTo(Duration.ofDays(30));
        assertThat(Durations.parse("PT5S")).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void theManagersRetryAndDelayOptionsReachItsOptions() {
        io.proletariat.manager.ManagerOptions defaults = InProcess.<ManagerCommand>parsed("manager").optionsBuilder().build();
        assertThat(defaults.retries()).isZero();
        assertThat(defaults.maxDelayed()).isEqualTo(io.proletariat.manager.ManagerOptions.DEFAULT_MAX_DELAYED);
        io.proletariat.manager.ManagerOptions o = InProcess.<ManagerCommand>parsed("manager", "--retries", "2", "--backoff", "50ms",
                "--backoff-max", "2s", "--retry-on", "lost,ETO", "--max-delayed", "10").optionsBuilder().build();
        assertThat(o.retries()).isEqualTo(2);
        assertThat(o.backoff()).isEqualTo(Duration.ofMillis(50));
        assertThat(o.backoffMax()).isEqualTo(Duration.ofSeconds(2));
        assertThat(o.retryOn()).containsExactlyInAnyOrder("lost", "ETO");
        assertThat(o.maxDelayed()).isEqualTo(10);
        Launcher.Result bad = InProcess.run(null, "manager", "--port", "0", "--http-port", "0", "--retry-on", "sometimes");
        assertThat(bad.exitCode()).as(bad.stderr()).isEqualTo(Main.EXIT_USAGE);
        assertThat(bad.stderr()).contains("retryOn");
    }

    @Test
    void statusSaysHowManyWorksWaitForATimeOnlyWhileSomeDo() throws Exception {
        JsonNode none = JSON.readTree("{\"pendingWorks\":0,\"globalRunningWorks\":0,\"globalAvailableSlots\":0,\"globalWorksOnHold\":0,"
                + "\"finishCount\":0,\"workers\":[],\"clients\":[],\"queues\":{},\"ranges\":[]}");
        assertThat(StatusCommand.render(none)).contains("on hold 0, finished 0").doesNotContain("delayed");
        JsonNode some = ((com.fasterxml.jackson.databind.node.ObjectNode) none.deepCopy()).put("globalWorksDelayed", 120)
                .put("globalWorksWaitingRetry", 2);
        assertThat(StatusCommand.render(some)).contains("on hold 0, delayed 120, waiting to retry 2, finished 0");
    }

    @Test
    void badValuesExitTwoNamingTheOption() {
        String far = Instant.now().plus(WorkOptions.MAX_DELAY).plus(Duration.ofDays(1)).toString();
        String[][] bad = {
            {"--retries", "1001"},
            {"--retries", "-1"},
            {"--backoff", "soon"},
            {"--backoff", "2d"},
            {"--backoff", "2s", "--backoff-max", "1s"},
            {"--retry-on", "error,oops"},
            {"--delay", "31d"},
            {"--delay", "-5s"},
            {"--not-before", "tomorrow"},
            {"--not-before", far},
        };
        for (String[] options : bad) {
            String[] args = new String[options.length + 4];
            args[0] = "push";
            args[1] = "--port";
            args[2] = "1";
            System.arraycopy(options, 0, args, 3, options.length);
            args[args.length - 1] = "1";
            Launcher.Result r = InProcess.run(null, args);
            assertThat(r.exitCode()).as(String.join(" ", options) + ": " + r.stderr()).isEqualTo(Main.EXIT_USAGE);
            assertThat(r.stderr()).as(String.join(" ", options)).containsAnyOf(options[0], options[0].substring(2));
        }
    }
}
