package io.proletariat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.proletariat.manager.Manager;
import io.proletariat.manager.ManagerOptions;
import io.proletariat.testsupport.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tools' {@code --tls}, {@code --tls-ca}, {@code --tls-cert/--tls-key}, and the manager's TLS options, as subprocesses. */
class TlsCommandsTest {
    @TempDir
    Path dir;
    TestCertificates certs;
    Launcher launcher;
    Manager manager;

    @BeforeEach
    void setUp() {
        certs = TestCertificates.create(dir);
        launcher = new Launcher(dir);
    }

    @AfterEach
    void tearDown() {
        launcher.closeAll();
        if (manager != null) {
            manager.close();
        }
    }

    @Test
    void workerPushAndStatusOverTlsAndMutualTls() throws Exception {
        manager = new Manager(ManagerOptions.builder().port(0).bindAddress("127.0.0.1")
                .tls(certs.serverCert(), certs.serverKey()).tlsClientCa(certs.ca()).build()).start();
        String port = Integer.toString(manager.port());
        String[] client = {"--tls-ca", certs.ca().toString(), "--tls-cert", certs.clientCert().toString(), "--tls-key", certs.clientKey().toString()};
        launcher.startWorker(manager, 1, concat(new String[] {"worker", "--port", port}, client, new String[] {"--", "cat"}));

        Launcher.Result pushed = launcher.run(null, concat(new String[] {"push", "--port", port, "--tls"}, client, new String[] {"\"hello\""}));
        assertThat(pushed.exitCode()).as(pushed.stderr()).isZero();
        assertThat(pushed.lines()).containsExactly("{\"err\":null,\"data\":\"hello\"}");

        Launcher.Result status = launcher.run(null, concat(new String[] {"status", "--port", port, "--json"}, client));
        assertThat(status.exitCode()).as(status.stderr()).isZero();
        assertThat(status.stdout()).contains("\"workers\"");
    }

    @Test
    void pushWithTlsAgainstTheManagerCommandAndAReloadOnSighup() throws Exception {
        Launcher.Background daemon = startTlsManager();
        String port = portOf(daemon);
        launcher.start("worker", "--port", port, "--tls-ca", certs.ca().toString(), "--", "cat");

        Launcher.Result r = launcher.run(null, "push", "--port", port, "--tls", "--tls-ca", certs.ca().toString(), "1", "2");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.lines()).containsExactly("{\"err\":null,\"data\":1}", "{\"err\":null,\"data\":2}");

        // A plaintext push is refused: the manager logs why.
        Launcher.Result plain = launcher.run(null, "status", "--port", port);
        assertThat(plain.exitCode()).isNotZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> daemon.stderr().contains("a plaintext peer connected to the TLS port"));

        new ProcessBuilder("kill", "-HUP", Long.toString(daemon.process.pid())).start().waitFor();
        await().atMost(Duration.ofSeconds(10)).until(() -> daemon.stderr().contains("TLS certificate reloaded"));
        assertThat(daemon.process.isAlive()).isTrue();
    }

    /** The "done when": a manager with --auth and TLS serves the tools with their tokens and refuses everyone else. */
    @Test
    void aManagerWithTokensAndTlsServesTheToolsWithTheirTokensOnly() throws Exception {
        String clientToken = "client-token-" + System.nanoTime();
        String workerToken = "worker-token-" + System.nanoTime();
        Path auth = Files.writeString(dir.resolve("auth"), "app client " + sha256(clientToken) + "\nrender worker " + sha256(workerToken) + "\n");
        Path workerTokenFile = Files.writeString(dir.resolve("worker.token"), workerToken + "\n");
        Launcher.Background daemon = startTlsManager("--auth", auth.toString());
        String port = portOf(daemon);
        assertThat(daemon.stdout()).contains("authentication on");
        launcher.start("worker", "--port", port, "--tls-ca", certs.ca().toString(), "--token-file", workerTokenFile.toString(), "--", "cat");

        Launcher.Result pushed = launcher.run(null, "push", "--port", port, "--tls-ca", certs.ca().toString(), "--token", clientToken, "\"secret\"");
        assertThat(pushed.exitCode()).as(pushed.stderr()).isZero();
        assertThat(pushed.lines()).containsExactly("{\"err\":null,\"data\":\"secret\"}");

        // A client's token does not open the status of everything (admin), nor does a wrong one, nor none.
        Launcher.Result status = launcher.run(null, "status", "--port", port, "--tls-ca", certs.ca().toString(), "--token", clientToken);
        assertThat(status.exitCode()).isNotZero();
        assertThat(status.stderr()).contains("EPERM");
        Launcher.Result wrong = launcher.run(null, "status", "--port", port, "--tls-ca", certs.ca().toString(), "--token", "not-" + clientToken);
        assertThat(wrong.exitCode()).isNotZero();
        assertThat(wrong.stderr()).contains("EAUTH");
        // Without TLS nothing is even read: the manager logs why.
        Launcher.Result plain = launcher.run(null, "status", "--port", port, "--token", clientToken);
        assertThat(plain.exitCode()).isNotZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> daemon.stderr().contains("a plaintext peer connected to the TLS port"));
        assertThat(daemon.stdout() + daemon.stderr()).doesNotContain(clientToken).doesNotContain(workerToken).doesNotContain("secret");
    }

    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+) \\([a-z]+, TLS\\)");

    /** The real {@code manager} command with TLS (and {@code more} options), once it listens. */
    private Launcher.Background startTlsManager(String... more) throws Exception {
        String[] base = {"manager", "--port", "0", "--bind", "127.0.0.1", "--http-port", "0",
            "--tls-cert", certs.serverCert().toString(), "--tls-key", certs.serverKey().toString()};
        Launcher.Background daemon = launcher.startLogging("info", concat(base, more));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            assertThat(daemon.process.isAlive()).as(daemon.stderr()).isTrue();
            return LISTENING.matcher(daemon.stdout()).find();
        });
        return daemon;
    }

    private static String portOf(Launcher.Background daemon) {
        Matcher m = LISTENING.matcher(daemon.stdout());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    private static String sha256(String token) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Test
    void badTlsOptionsAreUsageErrors() throws Exception {
        Path missing = dir.resolve("missing.pem");
        Launcher.Result r = InProcess.run(null, "manager", "--port", "0", "--http-port", "0", "--tls-cert", missing.toString(),
                "--tls-key", certs.serverKey().toString());
        assertThat(r.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.stderr()).contains("--tls-cert " + missing + ": no such file");
        r = InProcess.run(null, "manager", "--port", "0", "--http-port", "0", "--tls-cert", certs.serverCert().toString());
        assertThat(r.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.stderr()).contains("--tls-cert and --tls-key go together");
        r = InProcess.run(null, "manager", "--port", "0", "--http-port", "0", "--tls-cert", certs.serverCert().toString(),
                "--tls-key", certs.clientKey().toString());
        assertThat(r.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.stderr()).contains("does not match");
        Files.writeString(dir.resolve("junk.pem"), "junk");
        r = InProcess.run(null, "push", "--port", "1", "--tls-ca", dir.resolve("junk.pem").toString(), "1");
        assertThat(r.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.stderr()).contains("not a PEM certificate");
    }

    private static String[] concat(String[]... parts) {
        return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(String[]::new);
    }
}
