package io.proletariat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * docs/cli.md shows what the commands print: each line it shows here is printed by the program,
 * once ports and connection ids are made the same on both sides.
 */
class CliDocTest extends ManagerTestBase {
    private static final Path DOC = Path.of("..", "docs", "cli.md");

    String doc;

    @BeforeEach
    void readDoc() throws Exception {
        doc = normalise(Files.readString(DOC, StandardCharsets.UTF_8));
    }

    @Test
    void errorMessagesShownInTheDocAreTheProgramsOwn() throws Exception {
        String p = port;
        assertShown(launcher.run(null, "manager", "--port", p, "--http-port", "0").stderr());
        assertShown(launcher.run(null, "push", "--port", p, "hello").stderr());
        assertShown(launcher.run(null, "worker", "--port", p, "--", "resize.sh").stderr());
        assertShown(launcher.run(null, "sysmsg", "--port", p, "--to", "C1796051883561.7", "1").stderr());
        assertShown(launcher.run(null, "sysmsg", "--port", p, "--to", "MANAGER", "\"hello\"").stdout());
    }

    @Test
    void pushNoticeShownInTheDocIsTheProgramsOwn() throws Exception {
        Launcher.Background push = launcher.start("push", "--port", port, "{\"a\":1}");
        await().atMost(Duration.ofSeconds(30)).until(() -> push.stderr().contains("no worker is connected"));
        assertShown(push.stderr());
    }

    @Test
    void exitCodesTableMatchesTheLauncher() {
        assertThat(doc).contains("| " + Main.EXIT_FAILURE + " | a work failed", "| " + Main.EXIT_USAGE + " | bad usage",
                "| " + Main.EXIT_UNAVAILABLE + " | the manager is unreachable");
    }

    private void assertShown(String output) {
        String line = normalise(output.strip());
        assertThat(line).isNotEmpty();
        assertThat(doc).as("docs/cli.md shows this output of the program").contains(line);
    }

    /** The doc's port is 1917 and its ids are examples: make both sides the same. */
    private String normalise(String text) {
        return text.replace(":" + port, ":1917").replaceAll("C\\d+\\.\\d+", "C<id>");
    }
}
