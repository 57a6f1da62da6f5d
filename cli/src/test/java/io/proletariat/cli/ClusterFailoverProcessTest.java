package io.proletariat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.proletariat.client.ConnectionOptions;
import io.proletariat.manager.ManagerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failover with real processes: three {@code proletariat manager --zookeeper} processes on a
 * ZooKeeper in the test JVM; the leader is killed (SIGKILL) or paused (SIGSTOP) under load, and
 * every work is still answered once, with its own result. Workers and clients are the libraries
 * in the test JVM, except in the last test, which is all command line.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS) // more than the default 60 s, for a machine shared with other builds
class ClusterFailoverProcessTest {
    /** The managers' ZooKeeper session timeout: short, to keep the tests quick. */
    static final Duration SESSION = Duration.ofMillis(2_000);
    /** The libraries' default: a worker or client leaves a manager silent for 6 s (a paused one). */
    static final Duration SILENCE = ConnectionOptions.DEFAULT_MANAGER_SILENCE;

    @TempDir
    Path dir;
    private TestingServer zookeeper;
    private Launcher launcher;
    private ManagerProcesses cluster;
    private SteadyLoad load;

    @BeforeEach
    void startTheCluster() throws Exception {
        zookeeper = new TestingServer(true);
        launcher = new Launcher(dir);
        cluster = ManagerProcesses.start(launcher, zookeeper.getConnectString(), "it", 3, SESSION);
    }

    @AfterEach
    void stopAll(TestInfo test) throws Exception {
        if (load != null) {
            load.close();
        }
        if (cluster != null) {
            cluster.keepLogs(test.getTestMethod().orElseThrow().getName());
            cluster.resumeAll();
        }
        launcher.closeAll();
        zookeeper.close();
    }

    @Test
    void everyWorkIsAnsweredOnceWhenTheLeaderProcessIsKilledUnderLoad() throws Exception {
        ManagerProcesses.Leader first = cluster.awaitLeader(1, Duration.ofSeconds(30));
        load = new SteadyLoad(cluster.managers(), 4_000, SILENCE).start();
        await().atMost(Duration.ofSeconds(30)).until(() -> load.answered.get() >= 1_000);

        long killedAt = System.nanoTime();
        first.node().kill();

        ManagerProcesses.Leader second = cluster.awaitLeader(first.epoch() + 1, Duration.ofSeconds(30));
        load.assertEveryWorkAnsweredOnceRightly(Duration.ofSeconds(40));
        assertThat(second.node()).isNotSameAs(first.node());
        long[] silence = load.longestSilence(killedAt);
        boolean churn = cluster.sessionsLostBesides(first.node());
        System.out.printf("SIGKILL of the leader: %d works; answers stopped for %d ms (from %+d ms to %+d ms of the kill);"
                + " epoch %d -> %d; %d extra handler runs; the client reconnected %d times%s%n",
                load.pushed(), silence[0], silence[1], silence[2], first.epoch(), second.epoch(), load.extraRuns(),
                load.clientReconnects.get(), churn ? "; other sessions were lost too (machine overloaded?)" : "");
        // The one worker survives the leader and hands its results to the next one: no work runs twice
        // (the new leader's rerun counter, which no status or metric shows, would be 0 too).
        assertThat(load.extraRuns()).as("extra runs").isZero();
        if (!churn) {
            assertThat(second.epoch()).as("the epoch rose by one").isEqualTo(first.epoch() + 1);
            // The longest silence is the failover: the dead leader's session must expire (SESSION, plus up
            // to one tick of ZooKeeper's session tracker, 1 s in curator-test's server), a standby is
            // elected, and the works the client resends wait the new leader's resumeGrace for workers
            // coming back with results (the daemon has no flag for it: the default, 2 s); new works
            // flow meanwhile. 2 s more for the rest: the election, the reconnections, the JVMs.
            assertThat(silence[0]).as("the gap in answers, ms").isLessThanOrEqualTo(
                    SESSION.toMillis() + ManagerOptions.DEFAULT_RESUME_GRACE.toMillis() + 2_000);
        }
    }

    @Test
    void aPausedLeaderIsReplacedAndStepsDownWhenItResumes() throws Exception {
        ManagerProcesses.Leader first = cluster.awaitLeader(1, Duration.ofSeconds(30));
        load = new SteadyLoad(cluster.managers(), 3_000, SILENCE).start();
        await().atMost(Duration.ofSeconds(30)).until(() -> load.answered.get() >= 600);

        long pausedAt = System.nanoTime();
        first.node().pause();
        // Past the session timeout: ZooKeeper expires the paused leader's session and a standby takes over.
        ManagerProcesses.Leader second = cluster.awaitLeader(first.epoch() + 1, Duration.ofSeconds(30));
        first.node().resume();

        // Resumed, the old leader finds its lease run out and its session gone: it steps down by itself
        // and stands by, sending peers to the new leader.
        await().atMost(Duration.ofSeconds(20)).until(() -> first.node().log().contains(
                "cluster it: this manager lost its leadership (epoch " + first.epoch() + ")"));
        assertThat(first.node().log()).contains("the leader's lease ran out: holding every dispatch and write");
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            String leader = first.node().standsByFor();
            return leader != null && !leader.equals(first.node().address());
        });
        load.assertEveryWorkAnsweredOnceRightly(Duration.ofSeconds(40));
        long[] silence = load.longestSilence(pausedAt);
        boolean churn = cluster.sessionsLostBesides(first.node());
        System.out.printf("SIGSTOP of the leader: %d works; answers stopped for %d ms (from %+d ms to %+d ms of the pause);"
                + " epoch %d -> %d; %d extra handler runs; the client reconnected %d times%s%n",
                load.pushed(), silence[0], silence[1], silence[2], first.epoch(), second.epoch(), load.extraRuns(),
                load.clientReconnects.get(), churn ? "; other sessions were lost too (machine overloaded?)" : "");
        assertThat(load.extraRuns()).as("extra runs").isZero();
        if (!churn) {
            assertThat(second.epoch()).as("the epoch rose by one").isEqualTo(first.epoch() + 1);
            assertThat(first.node().standsByFor()).isEqualTo(second.node().address());
        }
    }

    @Test
    void pushAndCatWorkerFromTheCommandLineAnswerEveryLineOnceInOrderAcrossAKilledLeader() throws Exception {
        ManagerProcesses.Leader first = cluster.awaitLeader(1, Duration.ofSeconds(30));
        Launcher.Background worker = launcher.start("worker", "--managers", cluster.managers(), "--slots", "8", "--", "cat");
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            if (!worker.process.isAlive()) {
                throw new AssertionError("worker exited " + worker.process.exitValue() + ": " + worker.stderr());
            }
            return worker.stderr().contains("connected to the manager");
        });
        int n = 3_000;
        String input = IntStream.range(0, n).mapToObj(i -> "{\"n\":" + i + "}").collect(Collectors.joining("\n", "", "\n"));
        Launcher.Background push = launcher.startWithInput(input, "warn", "push", "--managers", cluster.managers());
        // Killed once a fifth of the lines were taken from the queue: the rest are queued or running.
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            long queued = queued(first.node());
            return queued > 0 && queued <= n * 4 / 5;
        });

        first.node().kill();

        await().atMost(Duration.ofSeconds(50)).until(() -> !push.process.isAlive());
        assertThat(push.process.exitValue()).as(push.stderr()).isZero();
        List<String> lines = push.stdout().lines().toList();
        assertThat(lines).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(lines.get(i)).isEqualTo("{\"err\":null,\"data\":{\"n\":" + i + "}}");
        }
        ManagerProcesses.Leader second = cluster.awaitLeader(first.epoch() + 1, Duration.ofSeconds(10));
        System.out.printf("push across a killed leader: %d lines in order; new leader %s at epoch %d; push said %d times that it lost the manager%n",
                n, second.node().address(), second.epoch(), push.stderr().lines().filter(l -> l.contains("lost the manager")).count());
    }

    /** The works in the manager's queue ({@code pendingWorks}), or -1 when it does not answer as leader. */
    private static long queued(ManagerProcesses.Node node) {
        try {
            StatusCommand.Answer a = node.ask();
            return a.status() == null ? -1 : Json.MAPPER.readTree(a.status()).path("pendingWorks").asLong();
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
