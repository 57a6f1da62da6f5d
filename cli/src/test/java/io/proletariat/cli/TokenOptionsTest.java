package io.proletariat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.proletariat.manager.Manager;
import io.proletariat.manager.ManagerOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --token}, {@code --token-file} and {@code PROLETARIAT_TOKEN} against {@code proletariat manager --auth FILE} (docs/security.md). */
class TokenOptionsTest {
    @TempDir
    Path dir;
    Manager manager;
    Launcher launcher;
    String port;

    private static String sha256(String token) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    }

    @BeforeEach
    void start() throws Exception {
        Path auth = dir.resolve("auth");
        Files.write(auth, List.of("app client " + sha256("app-secret-1234567890"), "runner worker " + sha256("runner-secret-1234567890"),
                "ops admin " + sha256("ops-secret-1234567890")));
        // The manager as `proletariat manager --auth FILE` builds it from its flags.
        ManagerCommand command = InProcess.parsed("manager", "--port", "0", "--bind", "127.0.0.1", "--http-port", "0", "--auth", auth.toString(),
                "--trust", "10.0.0.0/8");
        manager = new Manager(command.optionsBuilder().exitOnFatalError(false).build()).start();
        port = Integer.toString(manager.port());
        launcher = new Launcher(dir);
    }

    @AfterEach
    void stop() {
        launcher.closeAll();
        manager.close();
    }

    @Test
    void workerPushAndStatusWithTheirTokens() throws Exception {
        Path tokenFile = dir.resolve("runner.token");
        Files.writeString(tokenFile, "runner-secret-1234567890\n");
        launcher.startWorker(manager, 1, "worker", "--port", port, "--token-file", tokenFile.toString(), "--", "cat");

        Launcher.Result pushed = launcher.run(null, "push", "--port", port, "--token", "app-secret-1234567890", "{\"a\":1}");
        assertThat(pushed.exitCode()).as(pushed.stderr()).isZero();
        assertThat(pushed.lines()).containsExactly("{\"err\":null,\"data\":{\"a\":1}}");

        launcher.env.put("PROLETARIAT_TOKEN", "ops-secret-1234567890");
        Launcher.Result status = launcher.run(null, "status", "--port", port);
        assertThat(status.exitCode()).as(status.stderr()).isZero();
        assertThat(status.stdout()).contains("manager up since");
        assertThat(manager.stats().security().authFailures()).isZero();
    }

    @Test
    void withoutTheRightTokenStatusSaysWhy() throws Exception {
        Launcher.Result none = launcher.run(null, "status", "--port", port);
        assertThat(none.exitCode()).isNotZero();
        assertThat(none.stderr()).contains("EAUTH");

        Launcher.Result client = launcher.run(null, "status", "--port", port, "--token", "app-secret-1234567890");
        assertThat(client.exitCode()).isNotZero();
        assertThat(client.stderr()).contains("EPERM", "admin");
        assertThat(client.stderr()).doesNotContain("app-secret");
    }

    @Test
    void theTokenOptionsAreCheckedBeforeConnecting() throws Exception {
        Launcher.Result both = launcher.run(null, "status", "--port", port, "--token", "x", "--token-file", "y");
        assertThat(both.exitCode()).isNotZero();
        assertThat(both.stderr()).contains("--token and --token-file");
        Launcher.Result missing = launcher.run(null, "push", "--port", port, "--token-file", dir.resolve("nope").toString(), "1");
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.stderr()).contains("--token-file: cannot read");
    }

    @Test
    void theDemoIsRefusedWithAuthenticationOrTls() {
        ManagerCommand withAuth = InProcess.parsed("manager", "--demo", "--auth", "/etc/auth");
        org.assertj.core.api.Assertions.assertThatThrownBy(withAuth::optionsBuilder).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--demo cannot be combined with --auth");
        ManagerCommand withTls = InProcess.parsed("manager", "--demo", "--tls-cert", "/etc/cert.pem", "--tls-key", "/etc/key.pem");
        org.assertj.core.api.Assertions.assertThatThrownBy(withTls::optionsBuilder).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--demo cannot be combined with --tls-cert");
        InProcess.<ManagerCommand>parsed("manager", "--demo").optionsBuilder().build(); // alone: fine
    }

    @Test
    void managerOptionsReachTheManager() {
        ManagerCommand command = InProcess.parsed("manager", "--auth", "/etc/auth", "--trust", "10.0.0.0/8,fd00::/8", "--sysmsg-roles", "admin,client");
        ManagerOptions o = command.optionsBuilder().build();
        assertThat(o.authFile()).isEqualTo(Path.of("/etc/auth"));
        assertThat(o.trustedNetworks()).containsExactly("10.0.0.0/8", "fd00::/8");
        assertThat(o.sysmsgRoles()).containsExactlyInAnyOrder("admin", "client");
        assertThat(ManagerCommand.securityLine(o)).contains("authentication on");
        ManagerCommand bad = InProcess.parsed("manager", "--trust", "example.com");
        org.assertj.core.api.Assertions.assertThatThrownBy(bad::optionsBuilder).hasMessageContaining("--trust").hasMessageContaining("example.com");
        assertThat(ManagerCommand.securityLine(InProcess.<ManagerCommand>parsed("manager").optionsBuilder().build()))
                .contains("protected mode", "docs/security.md");
    }
}
