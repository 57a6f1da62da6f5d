package io.proletariat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.proletariat.protocol.BlockingConnection;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code proletariat manager --zookeeper} processes on a three-server ZooKeeper ensemble in
 * the test JVM, under a steady load from the libraries: one ZooKeeper server lost changes nothing;
 * all of them lost holds the leader (its lease runs out), and service resumes once they are back.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS) // more than the default 60 s, for a machine shared with other builds
class ClusterEnsembleProcessTest {
    private static final Pattern MODE = Pattern.compile("Mode: (\\w+)");

    @TempDir
    Path dir;
    private TestingCluster zookeeper;
    private Launcher launcher;
    private ManagerProcesses cluster;
    private SteadyLoad load;

    @BeforeEach
    void startTheCluster() throws Exception {
        zookeeper = new TestingCluster(3);
        zookeeper.start();
        launcher = new Launcher(dir);
        cluster = ManagerProcesses.start(launcher, zookeeper.getConnectString(), "ensemble", 3, ClusterFailoverProcessTest.SESSION);
    }

    @AfterEach
    void stopAll(TestInfo test) throws Exception {
        if (load != null) {
            load.close();
        }
        if (cluster != null) {
            cluster.keepLogs(test.getTestMethod().orElseThrow().getName());
        }
        launcher.closeAll();
        zookeeper.close();
    }

    @Test
    void oneZooKeeperServerLostChangesNothingAndAllLostHoldTheLeaderUntilTheyAreBack() throws Exception {
        ManagerProcesses.Leader leader = cluster.awaitLeader(1, Duration.ofSeconds(30));
        load = new SteadyLoad(cluster.managers(), 30_000, ClusterFailoverProcessTest.SILENCE).start();
        await().atMost(Duration.ofSeconds(30)).until(() -> load.answered.get() >= 500);

        // One server of three, not ZooKeeper's leader: the quorum stays, the managers' sessions move to another server.
        InstanceSpec follower = zookeeper.getInstances().stream().filter(s -> "follower".equals(mode(s))).findFirst().orElseThrow();
        assertThat(zookeeper.killServer(follower)).isTrue();
        int atKill = load.answered.get();
        await().atMost(Duration.ofSeconds(20)).until(() -> load.answered.get() >= atKill + 1_000);
        ManagerProcesses.Leader current = cluster.awaitLeader(1, Duration.ofSeconds(30));
        boolean churn = cluster.sessionsLostBesides(null);
        if (!churn) {
            JsonNode role = current.node().leaderRole();
            assertThat(current.node()).as("the same leader").isSameAs(leader.node());
            assertThat(current.epoch()).as("no failover: the same epoch").isEqualTo(leader.epoch());
            assertThat(role.path("failovers").asLong()).isZero();
        }
        // The leader may hold for a moment while its session moves to another server: then it answers again.
        await().atMost(Duration.ofSeconds(10)).until(() -> pingAnswered(current.node()));

        // Every server: the leader cannot renew its lease and holds everything.
        int logged = current.node().log().length();
        long downAt = System.nanoTime();
        for (InstanceSpec s : zookeeper.getInstances()) {
            if (!s.equals(follower)) {
                assertThat(zookeeper.killServer(s)).isTrue();
            }
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> current.node().log().substring(logged)
                .contains("the leader's lease ran out: holding every dispatch and write until ZooKeeper confirms this manager still leads"));
        assertThat(pingAnswered(current.node())).as("a ping to the leader without ZooKeeper is answered").isFalse();
        int held = load.answered.get();

        for (InstanceSpec s : zookeeper.getInstances()) {
            assertThat(zookeeper.restartServer(s)).isTrue();
        }
        long outage = Duration.ofNanos(System.nanoTime() - downAt).toMillis();
        // Service resumes: the works pushed all along are answered, once each.
        await().atMost(Duration.ofSeconds(40)).until(() -> load.answered.get() >= held + 1_000);
        int pushed = load.stopPushing();
        load.assertEveryWorkAnsweredOnceRightly(Duration.ofSeconds(40));
        ManagerProcesses.Leader after = cluster.awaitLeader(1, Duration.ofSeconds(30));
        // Whether the leader kept its leadership depends on how long ZooKeeper was gone: past the session
        // timeout, Curator counts the session lost, and the managers elect again (a new epoch).
        System.out.printf("ZooKeeper ensemble: %d works answered once; ZooKeeper gone for %d ms; then the leader is %s at epoch %d"
                + " (was %s at epoch %d); %d extra handler runs%s%n", pushed, outage, after.node().address(), after.epoch(),
                current.node().address(), current.epoch(), load.extraRuns(),
                churn ? "; sessions were lost with only one ZooKeeper server down (machine overloaded?)" : "");
        assertThat(load.extraRuns()).as("extra runs").isZero();
    }

    /**
     * Whether the manager answers a {@code ping} within half a second, on a connection of its own.
     * A manager that holds for its lease writes nothing; one that just lost its leadership closes
     * the connection or sends {@code ENOTLEADER}: neither is an answer.
     */
    private static boolean pingAnswered(ManagerProcesses.Node node) throws IOException {
        try (BlockingConnection c = BlockingConnection.connect("127.0.0.1", node.port, Duration.ofSeconds(1))) {
            c.writeFrame("{\"command\":\"ping\"}");
            long deadline = System.nanoTime() + Duration.ofMillis(500).toNanos();
            while (System.nanoTime() < deadline) {
                byte[] frame;
                try {
                    frame = c.pollFrame(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                } catch (IOException closed) {
                    return false;
                }
                if (frame != null && "ping".equals(Json.MAPPER.readTree(new String(frame, StandardCharsets.UTF_8)).path("to").asText())) {
                    return true;
                }
            }
            return false;
        }
    }

    /** ZooKeeper's {@code srvr} four-letter command: the server's mode (leader, follower), or null. */
    private static String mode(InstanceSpec server) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.getPort()), 1_000);
            s.setSoTimeout(2_000);
            s.getOutputStream().write("srvr".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            Matcher m = MODE.matcher(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
            return m.find() ? m.group(1) : null;
        } catch (IOException e) {
            return null;
        }
    }
}
