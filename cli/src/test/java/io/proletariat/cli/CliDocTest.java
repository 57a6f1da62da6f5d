package io.proletariat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * docs/cli.md shows what the commands print: each line it shows here is printed by the program,
 * once ports and connection ids are made the same on both sides. And every option of every command
 * is documented.
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

    @Test
    void everyOptionOfEveryCommandIsDocumented() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        String performance = Files.readString(Path.of("..", "docs", "performance.md"), StandardCharsets.UTF_8);
        // The manager's options are listed in README.md, the bench's in performance.md, the others' here.
        Map<String, String> docs = Map.of("manager", doc + readme, "bench", doc + performance);
        for (Map.Entry<String, CommandLine> command : Main.commandLine(Map.of()).getSubcommands().entrySet()) {
            if (command.getKey().equals("help")) {
                continue;
            }
            String text = docs.getOrDefault(command.getKey(), doc);
            for (OptionSpec option : command.getValue().getCommandSpec().options()) {
                String name = option.longestName();
                if (option.usageHelp() || option.versionHelp() || !name.startsWith("--")) {
                    continue;
                }
                assertThat(Pattern.compile("(?<![\\w-])" + Pattern.quote(name) + "(?![\\w-])").matcher(text).find())
                        .as("proletariat %s %s is documented", command.getKey(), name).isTrue();
            }
        }
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
