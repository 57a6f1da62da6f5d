package io.proletariat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input: one line on stderr and the documented exit code. No manager is needed for these, and
 * nothing starts, so they run in process ({@link InProcess}); one runs the real launcher, to see
 * the exit code leave the JVM.
 */
class BadInputTest {
    static int closedPort;

    @TempDir
    Path dir;
    Launcher launcher;

    @BeforeAll
    static void findClosedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
    }

    @BeforeEach
    void setUp() {
        launcher = new Launcher(dir);
    }

    @Test
    void unreachableManagerExitsThreeForEveryClientCommand() throws Exception { // a worker waits for it instead (UserMessagesTest)
        String port = Integer.toString(closedPort);
        for (String[] args : new String[][] {
                {"push", "--port", port, "1"},
                {"status", "--port", port},
                {"sysmsg", "--port", port, "1"}}) {
            Launcher.Result r = InProcess.run(null, args);
            assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(Main.EXIT_UNAVAILABLE);
            assertOneLine(r, "cannot reach the manager at 127.0.0.1:" + port);
        }
    }

    @Test
    void malformedJsonArgumentExitsTwoNamingTheArgument() throws Exception {
        Launcher.Result r = InProcess.run(null, "push", "--port", "1", "{\"ok\":1}", "{bad");

        assertThat(r.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertOneLine(r, "proletariat push: argument 2 is not one JSON value");
    }

    @Test
    void malformedStdinLineExitsTwoNamingTheLine() throws Exception {
        Launcher.Result r = InProcess.run("1\n\n{\"a\":2}\nnot json\n", "push", "--port", "1");

        assertThat(r.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertOneLine(r, "proletariat push: line 4 is not one JSON value");
    }

    @Test
    void nullWorkAndEmptyInputExitTwo() throws Exception {
        assertOneLine(InProcess.run(null, "push", "null"), "argument 1 is null");
        Launcher.Result empty = InProcess.run("\n  \n", "push");
        assertThat(empty.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertOneLine(empty, "no works");
    }

    @Test
    void unknownFlagExitsTwoWithAPointerToHelp() throws Exception {
        Launcher.Result r = launcher.run(null, "push", "--bogus", "1"); // a real process: the exit code as a shell sees it

        assertThat(r.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertOneLine(r, "proletariat push: Unknown option: '--bogus' (see 'proletariat push --help')");
    }

    @Test
    void malformedSysmsgAndBadWorkerOptionsExitTwo() throws Exception {
        Launcher.Result sysmsg = InProcess.run(null, "sysmsg", "hello");
        assertThat(sysmsg.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertOneLine(sysmsg, "proletariat sysmsg: the message is not one JSON value");

        Launcher.Result slots = InProcess.run(null, "worker", "--slots", "0", "--", "cat");
        assertThat(slots.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertOneLine(slots, "slots must be > 0: 0");

        Launcher.Result noCommand = InProcess.run(null, "worker");
        assertThat(noCommand.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertOneLine(noCommand, "Missing required parameter");
    }

    @Test
    void helpOfEachCommandListsItsExitCodes() throws Exception {
        Launcher.Result r = InProcess.run(null, "push", "--help");

        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).contains("Exit codes:", "1   at least one work failed", "3   the manager is unreachable");
        for (String command : new String[] {"manager", "worker", "status", "sysmsg", "bench"}) {
            assertThat(InProcess.run(null, command, "--help").stdout()).as(command).contains("Exit codes:");
        }
    }

    private static void assertOneLine(Launcher.Result r, String expected) {
        assertThat(r.stderr().lines()).as(r.stderr()).hasSize(1);
        assertThat(r.stderr()).contains(expected);
    }
}
