package io.proletariat.cli;

import io.proletariat.manager.Manager;
import io.proletariat.manager.ManagerOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * For tests of the CLI against a real manager: one in-process manager per test on an ephemeral
 * loopback port, and a {@link Launcher} whose processes are stopped after the test.
 */
abstract class ManagerTestBase {
    @TempDir
    Path dir;
    Manager manager;
    Launcher launcher;
    /** The manager's port, as the CLI's {@code --port} takes it. */
    String port;

    @BeforeEach
    void startManagerAndLauncher() {
        manager = new Manager(ManagerOptions.builder().port(0).bindAddress("127.0.0.1").build()).start();
        port = Integer.toString(manager.address().getPort());
        launcher = new Launcher(dir);
    }

    @AfterEach
    void stopLauncherAndManager() {
        launcher.closeAll();
        manager.close();
    }
}
