package io.proletariat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.proletariat.manager.ManagerOptions;
import io.proletariat.protocol.BlockingConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An Error on the daemon's dispatch core ends the process with a clear last line (issue 12, item 1). */
class FatalErrorTest {
    @TempDir
    Path dir;
    private Launcher launcher;

    @AfterEach
    void tearDown() {
        if (launcher != null) {
            launcher.closeAll();
        }
    }

    @Test
    void anErrorOnTheCoreThreadEndsTheDaemonWithAClearLastLine() throws Exception {
        assertThat(new ManagerCommand().optionsBuilder().build().exitOnFatalError()).as("the daemon's options").isTrue();
        launcher = new Launcher(dir);
        launcher.mainClass = BrokenSelectorManager.class.getName();
        Launcher.Background manager = launcher.start("manager", "--port", "0", "--bind", "127.0.0.1", "--http-port", "0");
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            if (!manager.process.isAlive()) {
                throw new AssertionError("manager exited " + manager.process.exitValue() + ": " + manager.stderr());
            }
            return manager.stdout().contains("listening on");
        });
        Matcher m = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)").matcher(manager.stdout());
        assertThat(m.find()).isTrue();
        int port = Integer.parseInt(m.group(1));
        try (BlockingConnection worker = BlockingConnection.connect("127.0.0.1", port, Duration.ofSeconds(10));
             BlockingConnection client = BlockingConnection.connect("127.0.0.1", port, Duration.ofSeconds(10))) {
            worker.writeFrame("{\"command\":\"offer\",\"slots\":1}");
            client.writeFrame("{\"command\":\"push\",\"rid\":\"r\",\"work\":[1]}");
            // The pass asks the selector, which throws: the process must end, not linger as a zombie.
            await().atMost(Duration.ofSeconds(30)).until(() -> !manager.process.isAlive());
        }
        assertThat(manager.process.exitValue()).isEqualTo(ManagerOptions.FATAL_ERROR_EXIT_CODE);
        List<String> lines = manager.stderr().lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines.get(lines.size() - 1))
                .contains("the manager cannot go on after a fatal error on thread proletariat-io")
                .contains("OutOfMemoryError")
                .endsWith("exiting with code 70");
    }
}
