package io.proletariat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.proletariat.manager.Manager;
import io.proletariat.manager.ManagerOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code proletariat bench} run for real, briefly: it completes and reports sane figures (never a speed). */
class BenchCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Launcher launcher;

    @BeforeEach
    void setUp() {
        launcher = new Launcher(dir);
    }

    @AfterEach
    void tearDown() {
        launcher.closeAll();
    }

    @Test
    void embeddedRunReportsEveryFigureAsOneJsonLine() throws Exception {
        Launcher.Result r = launcher.run(null, "bench", "--embedded", "--works", "2000", "--concurrency", "20",
                "--workers", "2", "--slots", "10", "--warmup", "0", "--json");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        JsonNode run = JSON.readTree(r.lines().get(r.lines().size() - 1));
        assertThat(run.get("works").asLong()).isEqualTo(2000);
        assertThat(run.get("errors").asLong()).isZero();
        assertThat(run.get("worksPerSecond").asDouble()).isPositive();
        JsonNode latency = run.get("latencyMicros");
        assertThat(latency.get("p50").asDouble()).isPositive();
        assertThat(latency.get("p50").asDouble()).isLessThanOrEqualTo(latency.get("p99").asDouble());
        assertThat(latency.get("p99").asDouble()).isLessThanOrEqualTo(latency.get("max").asDouble());
        assertThat(run.get("managerCpuSeconds").asDouble()).isPositive();
        assertThat(run.get("workers").asInt()).isEqualTo(2);
    }

    @Test
    void groupsSlowWorksAndPrioritiesAgainstARunningManager() throws Exception {
        try (Manager manager = new Manager(ManagerOptions.builder().port(0).bindAddress("127.0.0.1").build()).start()) {
            Launcher.Result r = launcher.run(null, "bench", "--port", String.valueOf(manager.port()), "--works", "400",
                    "--group", "20", "--concurrency", "4", "--work-ms", "2", "--priorities", "0,2", "--payload", "100",
                    "--warmup", "0");
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            assertThat(r.stdout()).contains("400 works in").contains("group 20").contains("latency per work: p50")
                    .contains("work time on the workers").contains("errors: 0");
            assertThat(manager.stats().counters().finished()).isEqualTo(400);
        }
    }

    @Test
    void preloadQueuesEveryWorkBeforeTheWorkersDrainThem() throws Exception {
        Launcher.Result r = launcher.run(null, "bench", "--embedded", "--preload", "3000", "--group", "100",
                "--workers", "2", "--slots", "50", "--json");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stderr()).contains("queued 3,000 works");
        JsonNode drain = JSON.readTree(r.lines().get(r.lines().size() - 1));
        assertThat(drain.get("preloaded").asLong()).isEqualTo(3000);
        assertThat(drain.get("errors").asLong()).isZero();
        assertThat(drain.get("worksPerSecond").asDouble()).isPositive();
    }

    @Test
    void withoutATerminalStderrGetsPlainLinesPerPhaseAndNoCarriageReturns() throws Exception {
        // The launcher's stderr is a file here, as in a CI log; --duration makes the run outlast one progress refresh.
        Launcher.Result r = launcher.run(null, "bench", "--embedded", "--duration", "1.5", "--concurrency", "4",
                "--workers", "1", "--slots", "4", "--warmup", "0.2");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stderr()).doesNotContain("\r").doesNotContain("\u001b")
                .contains("bench: warming up for 0.2 s\n").contains("bench: measuring for 1.5 s\n");
        assertThat(r.stdout()).contains("works/s").doesNotContain("\r");
    }

    @Test
    void unreachableManagerAndBadFlagsExitWithTheirCodes() throws Exception {
        assertThat(launcher.run(null, "bench", "--port", "1", "--works", "10").exitCode()).isEqualTo(Main.EXIT_UNAVAILABLE);
        assertThat(InProcess.run(null, "bench", "--group", "0").exitCode()).isEqualTo(Main.EXIT_USAGE);
    }
}
