package io.proletariat.manager.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.proletariat.manager.Manager;
import io.proletariat.manager.ManagerOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dashboard in a real headless Chromium (Debian's {@code chromium}; {@code .ci/run} installs it)
 * while works flow: the page must show the workers and a non-zero throughput. Also writes
 * {@code target/dashboard.png} for a person to look at.
 */
class DashboardBrowserTest {
    private static final Pattern FINISHED_RATE = Pattern.compile("id=\"rate-finished\" data-value=\"([0-9.eE+-]+)\"");

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void dashboardShowsWorkersAndThroughputWhileWorksFlow() throws Exception {
        String chromium = chromium();
        ManagerOptions options = ManagerOptions.builder().port(0).bindAddress("127.0.0.1").httpPort(0).build();
        try (Manager manager = new Manager(options).start();
             BackgroundLoad load = new BackgroundLoad(manager, "{'0':4,'2':2,'5':2}", "{'0':3,'5':1}")) {
            // Rates count full seconds: wait until the last one saw results.
            await().atMost(Duration.ofSeconds(20)).until(() -> manager.stats().rates().finishedPerSecond() > 0);
            await().atMost(Duration.ofSeconds(20)).until(() -> manager.stats().queued().values().stream().mapToLong(Long::longValue).sum() > 50);
            String url = "http://127.0.0.1:" + manager.httpAddress().getPort() + "/";

            String dom = run(chromium, "--virtual-time-budget=5000", "--dump-dom", url);
            for (String id : load.workerIds()) {
                assertThat(dom).as("the workers table shows %s", id).contains("data-worker=\"" + id + "\"");
            }
            Matcher rate = FINISHED_RATE.matcher(dom);
            assertThat(rate.find()).as("finished/s element in %s", dom).isTrue();
            assertThat(Double.parseDouble(rate.group(1))).as("finished per second").isPositive();
            assertThat(dom).contains("class=\"line\""); // the charts have lines
            assertThat(dom).contains("data-priority=\""); // a queue bar
            assertThat(dom).contains("EBOOM"); // the latest errors

            // For the picture: let the manager's one-point-a-second history fill a little first.
            await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofSeconds(1)).until(() ->
                    HttpTestSupport.JSON.readTree(HttpTestSupport.get(manager, "/api/history").body()).get("points").size() >= 20);
            Path png = Paths.get("target", "dashboard.png").toAbsolutePath();
            Files.deleteIfExists(png);
            run(chromium, "--virtual-time-budget=8000", "--hide-scrollbars", "--window-size=1280,900",
                    "--screenshot=" + png, url);
            assertThat(png).exists();
            assertThat(Files.size(png)).isGreaterThan(10_000);
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void withATokenTheDashboardAsksForItAndShowsTheStatusOnceGiven() throws Exception {
        String chromium = chromium();
        String token = "dashboard-test-token-4711";
        ManagerOptions options = ManagerOptions.builder().port(0).bindAddress("127.0.0.1").httpPort(0).httpToken(token).build();
        try (Manager manager = new Manager(options).start()) {
            String url = "http://127.0.0.1:" + manager.httpAddress().getPort() + "/";
            String asks = run(chromium, "--virtual-time-budget=3000", "--dump-dom", url);
            assertThat(asks).contains("token needed").contains("<form id=\"token-form\" class=\"token\">");
            String shows = run(chromium, "--virtual-time-budget=3000", "--dump-dom", url + "#token=" + token);
            assertThat(shows).contains("port " + manager.address().getPort()).contains("<form id=\"token-form\" class=\"token\" hidden=\"\">");
            assertThat(shows).doesNotContain(token); // taken off the address, never written into the page
        }
    }

    /** Runs one headless Chromium with a fresh profile; returns its standard output. */
    private static String run(String chromium, String... args) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("proletariat-chromium");
        List<String> command = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile));
        command.addAll(List.of(args));
        Path err = Files.createTempFile("chromium", ".log");
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        boolean exited = p.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
        }
        deleteTree(profile);
        String stderr = Files.readString(err);
        Files.deleteIfExists(err);
        assertThat(exited).as("chromium finished; stderr:%n%s", stderr).isTrue();
        assertThat(p.exitValue()).as("chromium exit code; stderr:%n%s", stderr).isZero();
        return new String(out, StandardCharsets.UTF_8);
    }

    /** Debian's chromium; failing, not skipping, when it is missing: CI installs it. */
    private static String chromium() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path candidate = Paths.get(dir, name);
                if (Files.isExecutable(candidate)) {
                    return candidate.toString();
                }
            }
        }
        throw new AssertionError("chromium is not installed: this test opens the dashboard in a real headless browser."
                + " Install it with `apt-get update && apt-get install -y chromium` (.ci/run does this when it is missing).");
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
