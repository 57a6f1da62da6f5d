package io.proletariat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.proletariat.manager.ClusterRole;
import io.proletariat.manager.Manager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Standby managers from the command line: two managers of one cluster, built in process from
 * {@code proletariat manager --zookeeper ...} against an in-process ZooKeeper, and the tools, as
 * subprocesses, given both with {@code --managers} standby first: they reach the leader.
 */
class ClusterCommandsTest {
    @TempDir
    Path dir;
    private TestingServer zookeeper;
    private final List<Manager> managers = new ArrayList<>();
    private Launcher launcher;
    private Manager leader;
    private Manager standby;

    @BeforeEach
    void startTheCluster() throws Exception {
        zookeeper = new TestingServer(true);
        launcher = new Launcher(dir);
        leader = manager();
        await().atMost(Duration.ofSeconds(30)).until(() -> leader.role().kind() == ClusterRole.Kind.LEADER);
        standby = manager();
        await().atMost(Duration.ofSeconds(30)).until(() -> address(leader).equals(standby.role().leader()));
        assertThat(standby.role().kind()).isEqualTo(ClusterRole.Kind.STANDBY);
    }

    @AfterEach
    void stopAll() throws Exception {
        launcher.closeAll();
        managers.forEach(Manager::close);
        zookeeper.close();
    }

    /** A manager as {@code proletariat manager} builds it from its flags (it is not run: its daemon's run never returns). */
    private Manager manager() {
        ManagerCommand command = InProcess.parsed("manager", "--port", "0", "--bind", "127.0.0.1", "--http-port", "0",
                "--zookeeper", zookeeper.getConnectString(), "--cluster", "cli", "--zk-session-timeout", "2000");
        Manager m = new Manager(command.optionsBuilder().exitOnFatalError(false).build()).start();
        managers.add(m);
        return m;
    }

    private static String address(Manager m) {
        return "127.0.0.1:" + m.port();
    }

    /** The standby first, so that every tool meets it before the leader. */
    private String standbyThenLeader() {
        return address(standby) + "," + address(leader);
    }

    @Test
    void statusAsksTheLeaderWhenTheStandbyComesFirst() throws Exception {
        Launcher.Result r = launcher.run(null, "status", "--managers", standbyThenLeader());

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("cluster cli: role leader, epoch 1, leader " + address(leader) + ", failovers 0")
                .contains("pending 0, running 0");

        Launcher.Result json = launcher.run(null, "status", "--managers", address(standby), "--json");
        assertThat(json.exitCode()).as(json.stderr()).isZero();
        assertThat(Json.MAPPER.readTree(json.stdout()).get("cluster").get("role").asText())
                .as("a lone standby sends the request to its leader").isEqualTo("leader");
    }

    @Test
    void pushAndWorkerGiveTheStandbyFirstReachTheLeader() throws Exception {
        launcher.startWorker(leader, 1, "worker", "--managers", standbyThenLeader(), "--manager-silence", "3000", "--", "cat");

        Launcher.Result r = launcher.run(null, "push", "--managers", standbyThenLeader(), "{\"n\":1}");

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.lines()).containsExactly("{\"err\":null,\"data\":{\"n\":1}}");
        assertThat(leader.stats().counters().finished()).isEqualTo(1);
    }

    @Test
    void theDaemonSaysItsClusterAndStandsByWhileAnotherLeads() throws Exception {
        Launcher.Background daemon = launcher.startLogging("info", "manager", "--port", "0", "--bind", "127.0.0.1", "--http-port", "0",
                "--zookeeper", zookeeper.getConnectString(), "--cluster", "cli");
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            if (!daemon.process.isAlive()) {
                throw new AssertionError("manager exited " + daemon.process.exitValue() + ": " + daemon.stderr());
            }
            return daemon.stderr().contains("this manager is standby");
        });
        assertThat(daemon.stdout()).contains("cluster cli on ZooKeeper " + zookeeper.getConnectString()
                + ": standing by until elected leader (meanwhile peers are sent to the leader)");
        assertThat(daemon.stderr()).contains("cluster cli: this manager is standby (epoch 1, leader " + address(leader) + ")")
                .as("ZooKeeper's and Curator's chatter is left out").doesNotContain("org.apache.zookeeper", "org.apache.curator");
    }

    @Test
    void noneOfTheManagersReachableIsExitCodeThree() throws Exception {
        int gone = standby.port();
        standby.close();

        Launcher.Result r = launcher.run(null, "status", "--managers", "127.0.0.1:" + gone + ",127.0.0.1:" + gone);

        assertThat(r.exitCode()).isEqualTo(Main.EXIT_UNAVAILABLE);
        assertThat(r.stderr().strip()).startsWith("proletariat status: cannot reach any of the managers at 127.0.0.1:" + gone
                + ",127.0.0.1:" + gone + " (");
    }
}
