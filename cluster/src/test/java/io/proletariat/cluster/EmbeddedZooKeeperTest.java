package io.proletariat.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The development ZooKeeper on loopback and ephemeral ports, reached with a real Curator client. */
class EmbeddedZooKeeperTest {
    @TempDir
    Path dir;

    private static CuratorFramework connect(EmbeddedZooKeeper zk) throws InterruptedException {
        CuratorFramework curator = CuratorFrameworkFactory.builder().connectString(zk.connectString())
                .sessionTimeoutMs(10_000).connectionTimeoutMs(10_000).retryPolicy(new RetryOneTime(100))
                .waitForShutdownTimeoutMs(10_000) // close() waits for ZooKeeper's client threads
                .build();
        curator.start();
        assertThat(curator.blockUntilConnected(30, java.util.concurrent.TimeUnit.SECONDS)).as("connected to " + zk).isTrue();
        return curator;
    }

    @Test
    void aCuratorClientCreatesAndReadsAZnode() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        Path data;
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start()) {
            assertThat(zk.port()).isPositive();
            assertThat(zk.connectString()).isEqualTo("127.0.0.1:" + zk.port());
            assertThat(zk.address().getAddress().isLoopbackAddress()).isTrue();
            assertThat(zk.temporaryData()).isTrue();
            assertThat(zk.isRunning()).isTrue();
            data = zk.dataDirectory();
            try (CuratorFramework curator = connect(zk)) {
                curator.create().creatingParentsIfNeeded().forPath("/proletariat/hello", "comrade".getBytes(StandardCharsets.UTF_8));
                assertThat(new String(curator.getData().forPath("/proletariat/hello"), StandardCharsets.UTF_8)).isEqualTo("comrade");
            }
        }
        assertThat(data).as("the temporary data directory is deleted").doesNotExist();
        // LeakCheck sees only non-daemon threads; ZooKeeper's selector and workers are daemons, so look at all of them
        // (Curator's own executors end shortly after its close returns).
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !before.contains(t) && t.isAlive() && !t.getName().startsWith("junit-") && !t.getName().startsWith("ForkJoinPool")
                        && !t.getName().startsWith("awaitility"))
                .map(t -> t.getName() + (t.isDaemon() ? " (daemon)" : ""))).as("threads left by the server and the client").isEmpty());
    }

    @Test
    void dataInAGivenDirectoryOutlivesTheServer() throws Exception {
        Path data = dir.resolve("zk");
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start("127.0.0.1", 0, data); CuratorFramework curator = connect(zk)) {
            assertThat(zk.temporaryData()).isFalse();
            assertThat(zk.dataDirectory()).isEqualTo(data);
            curator.create().forPath("/kept", new byte[] {42});
        }
        assertThat(data).isDirectory();
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start("127.0.0.1", 0, data); CuratorFramework curator = connect(zk)) {
            assertThat(curator.getData().forPath("/kept")).containsExactly(42);
        }
    }

    @Test
    void aTakenPortIsABindExceptionAndLeavesNothingBehind() throws Exception {
        try (EmbeddedZooKeeper first = EmbeddedZooKeeper.start()) {
            Path data = dir.resolve("second");
            assertThatThrownBy(() -> EmbeddedZooKeeper.start("127.0.0.1", first.port(), data)).isInstanceOf(BindException.class);
            try (var files = Files.list(dir)) {
                assertThat(files.filter(p -> p.getFileName().toString().equals("second")).flatMap(EmbeddedZooKeeperTest::children).toList())
                        .as("no data written").isEmpty();
            }
            assertThat(first.isRunning()).isTrue();
        }
    }

    @Test
    void twoServersRunSideBySideInOneJvm() throws Exception {
        try (EmbeddedZooKeeper a = EmbeddedZooKeeper.start(); EmbeddedZooKeeper b = EmbeddedZooKeeper.start();
                CuratorFramework toA = connect(a); CuratorFramework toB = connect(b)) {
            assertThat(a.port()).isNotEqualTo(b.port());
            assertThat(a.dataDirectory()).isNotEqualTo(b.dataDirectory());
            toA.create().forPath("/only-in-a");
            assertThat(toB.checkExists().forPath("/only-in-a")).isNull();
        }
    }

    @Test
    void closeEndsAwaitTermination() throws Exception {
        EmbeddedZooKeeper zk = EmbeddedZooKeeper.start();
        Thread waiter = new Thread(() -> {
            try {
                zk.awaitTermination();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "proletariat-test-waiter");
        waiter.start();
        zk.close();
        waiter.join(30_000);
        assertThat(waiter.isAlive()).isFalse();
        assertThat(zk.isRunning()).isFalse();
        zk.close(); // idempotent
    }

    @Test
    void aPortOutOfRangeIsRefused() {
        assertThatThrownBy(() -> EmbeddedZooKeeper.start(null, 70_000, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("70000");
    }

    private static java.util.stream.Stream<Path> children(Path dir) {
        try {
            return Files.list(dir).toList().stream();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
