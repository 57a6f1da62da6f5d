package io.proletariat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.proletariat.cluster.EmbeddedZooKeeper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code proletariat zookeeper} as a subprocess on an ephemeral loopback port, reached by a real
 * Curator client. Its class path is the CLI's, which has no Curator test jars: so this also shows that
 * the server needs no jar beyond those of ZooKeeper's client (no metrics-core, no snappy-java).
 */
class ZookeeperCommandTest {
    private static final Pattern LISTENING = Pattern.compile("proletariat zookeeper listening on 127\\.0\\.0\\.1:(\\d+), data in (.+?)( \\(temporary: deleted when it stops\\))?\\R");

    @TempDir
    Path dir;
    Launcher launcher;

    @BeforeEach
    void launcher() {
        launcher = new Launcher(dir);
    }

    @AfterEach
    void stop() {
        launcher.closeAll();
    }

    /** Waits for the line saying where it listens; its match. */
    private static Matcher listening(Launcher.Background zk) {
        Matcher[] line = new Matcher[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            if (!zk.process.isAlive()) {
                throw new AssertionError("zookeeper exited " + zk.process.exitValue() + ": " + zk.stderr());
            }
            line[0] = LISTENING.matcher(zk.stdout());
            return line[0].find();
        });
        return line[0];
    }

    private static CuratorFramework connect(String connectString) {
        CuratorFramework curator = CuratorFrameworkFactory.builder().connectString(connectString)
                .sessionTimeoutMs(10_000).connectionTimeoutMs(10_000).retryPolicy(new RetryOneTime(100))
                .waitForShutdownTimeoutMs(10_000).build();
        curator.start();
        return curator;
    }

    /** SIGTERM, as Ctrl-C or a supervisor would; the exit code. */
    private static int terminate(Launcher.Background zk) throws InterruptedException {
        zk.close();
        assertThat(zk.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return zk.process.exitValue();
    }

    @Test
    void servesCuratorClientsUntilSigtermAndKeepsTheDataGiven() throws Exception {
        Path data = dir.resolve("zk-data");
        Launcher.Background zk = launcher.start("zookeeper", "--port", "0", "--data", data.toString());
        Matcher line = listening(zk);
        assertThat(line.group(2)).isEqualTo(data.toAbsolutePath().toString());
        assertThat(line.group(3)).as("not temporary").isNull();
        String connectString = "127.0.0.1:" + line.group(1);
        try (CuratorFramework curator = connect(connectString)) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                curator.create().orSetData().creatingParentsIfNeeded().forPath("/proletariat/probe", "hi".getBytes(StandardCharsets.UTF_8));
                return "hi".equals(new String(curator.getData().forPath("/proletariat/probe"), StandardCharsets.UTF_8));
            });
        }
        assertThat(zk.stdout().lines()).as("one line").hasSize(1);
        assertThat(terminate(zk)).isEqualTo(128 + 15);
        assertThat(zk.stderr()).as("ZooKeeper's INFO lines are quiet").doesNotContain(" INFO ");
        assertThat(data.resolve("version-2")).isDirectory();
    }

    @Test
    void aTemporaryDataDirectoryIsDeletedWhenItStops() throws Exception {
        Launcher.Background zk = launcher.start("zookeeper", "--port", "0");
        Matcher line = listening(zk);
        assertThat(line.group(3)).isNotNull();
        Path data = Path.of(line.group(2));
        assertThat(data).isDirectory();
        try (CuratorFramework curator = connect("127.0.0.1:" + line.group(1))) {
            assertThat(curator.blockUntilConnected(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(terminate(zk)).isEqualTo(128 + 15);
        assertThat(Files.exists(data)).as(data + " deleted").isFalse();
    }

    @Test
    void aTakenPortExitsThreeWithTheLineOfTheDoc() throws Exception {
        try (EmbeddedZooKeeper other = EmbeddedZooKeeper.start()) {
            Launcher.Result r = launcher.run(null, "zookeeper", "--port", Integer.toString(other.port()));
            assertThat(r.exitCode()).as(r.stderr()).isEqualTo(Main.EXIT_UNAVAILABLE);
            assertThat(r.stdout()).isEmpty();
            assertThat(r.stderr().lines()).as(r.stderr()).hasSize(1);
            String message = r.stderr().strip();
            assertThat(message).isEqualTo("proletariat zookeeper: cannot listen on 127.0.0.1:" + other.port()
                    + ": the port is taken (is another ZooKeeper running? choose another with --port)");
            String doc = Files.readString(Path.of("..", "docs", "cli.md"), StandardCharsets.UTF_8);
            assertThat(doc).as("docs/cli.md shows the message").contains(message.replace(":" + other.port() + ":", ":2181:"));
        }
    }
}
