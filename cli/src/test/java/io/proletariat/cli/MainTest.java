package io.proletariat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The launcher itself: {@code --version} and unknown commands, in process. */
class MainTest {
    /** Exit code, standard output and standard error of one in-process run. */
    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        CommandLine cli = Main.commandLine(Map.of());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int rc = cli.execute(args);
        return new Run(rc, out.toString(), err.toString());
    }

    @Test
    void versionNamesTheBuildVersionAndCommit() {
        Run r = run("--version");
        assertThat(r.exitCode()).isZero();
        // The commit of the checkout it was built from; "unknown" only when built without git
        // (.ci/run builds a copy without .git and passes the commit in).
        assertThat(r.out().strip()).matches("proletariat \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(commit (\\p{XDigit}{7,}|unknown)\\)");
    }

    @Test
    void unknownCommandIsNamedWithTheListOfCommands() {
        Run r = run("frobnicate");
        assertThat(r.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).startsWith("proletariat: unknown command 'frobnicate'")
                .contains("manager, worker, push, status, sysmsg, bench")
                .contains("see 'proletariat --help'")
                .doesNotContain("Unmatched argument")
                .doesNotContain("did you mean"); // nothing near enough
    }

    @Test
    void aMistypedCommandGetsASuggestion() {
        Run r = run("mangaer", "--port", "1");
        assertThat(r.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err()).startsWith("proletariat: unknown command 'mangaer'; did you mean 'manager'?");
    }

    @Test
    void editDistanceCountsSingleCharacterEdits() {
        assertThat(Main.editDistance("manager", "manager")).isZero();
        assertThat(Main.editDistance("mangaer", "manager")).isEqualTo(2);
        assertThat(Main.editDistance("stat", "status")).isEqualTo(2);
        assertThat(Main.editDistance("", "push")).isEqualTo(4);
    }

    @Test
    void unknownOptionsStillGetTheUsualMessage() {
        Run r = run("--frobnicate");
        assertThat(r.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err()).startsWith("proletariat: Unknown option: '--frobnicate'");
    }
}
