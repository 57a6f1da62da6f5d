package io.proletariat.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.proletariat.manager.ClusterRole;
import io.proletariat.manager.Manager;
import io.proletariat.manager.ManagerOptions;
import io.proletariat.protocol.BlockingConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Managers of one cluster on a real (in-process) ZooKeeper: one leads, the others redirect, a takeover moves the epoch. */
class LeadershipTest {
    private static final Duration SESSION = Duration.ofSeconds(2);
    private TestingServer zk;
    private final List<Manager> managers = new ArrayList<>();

    @BeforeEach
    void zookeeper() throws Exception {
        zk = new TestingServer(true);
    }

    @AfterEach
    void close() throws Exception {
        managers.forEach(Manager::close);
        zk.close();
    }

    private Manager manager(String cluster) {
        Manager m = new Manager(ManagerOptions.builder().bindAddress("127.0.0.1").port(0)
                .leadership(new ZooKeeperLeadership(zk.getConnectString(), cluster, SESSION)).build()).start();
        managers.add(m);
        return m;
    }

    private static String address(Manager m) {
        return "127.0.0.1:" + m.port();
    }

    @Test
    void oneLeadsTheOtherRedirectsToIt() throws Exception {
        Manager first = manager("a");
        await().atMost(Duration.ofSeconds(20)).until(() -> first.role().kind() == ClusterRole.Kind.LEADER);
        Manager second = manager("a");
        await().atMost(Duration.ofSeconds(20)).until(() -> address(first).equals(second.role().leader()));
        assertThat(second.role().kind()).isEqualTo(ClusterRole.Kind.STANDBY);
        assertThat(first.role().epoch()).isEqualTo(1);
        assertThat(first.role().leader()).isEqualTo(address(first));

        try (BlockingConnection c = BlockingConnection.connect("127.0.0.1", second.port(), Duration.ofSeconds(5))) {
            String frame = new String(c.readFrame(Duration.ofSeconds(5)), StandardCharsets.UTF_8);
            assertThat(frame).contains("\"code\":\"ENOTLEADER\"").contains("\"leader\":\"" + address(first) + "\"");
            assertThat(c.awaitPeerClose(Duration.ofSeconds(5))).isTrue();
        }
        try (BlockingConnection c = BlockingConnection.connect("127.0.0.1", first.port(), Duration.ofSeconds(5))) {
            c.writeFrame("{\"command\":\"status\"}");
            String status = new String(c.readFrame(Duration.ofSeconds(5)), StandardCharsets.UTF_8);
            assertThat(status).contains("\"cluster\":{\"name\":\"a\",\"role\":\"leader\",\"epoch\":1,\"leader\":\"" + address(first) + "\"");
        }
    }

    @Test
    void aStandbyTakesOverWithTheNextEpochWhenTheLeaderLeaves() {
        Manager first = manager("b");
        await().atMost(Duration.ofSeconds(20)).until(() -> first.role().kind() == ClusterRole.Kind.LEADER);
        Manager second = manager("b");
        await().atMost(Duration.ofSeconds(20)).until(() -> second.role().leader() != null);

        first.close();
        await().atMost(Duration.ofSeconds(20)).until(() -> second.role().kind() == ClusterRole.Kind.LEADER);
        assertThat(second.role().epoch()).isEqualTo(2);
        assertThat(second.role().failovers()).isEqualTo(1);
        assertThat(second.role().leader()).isEqualTo(address(second));
    }

    @Test
    void clustersOfDifferentNamesElectApart() {
        Manager a = manager("c1");
        Manager b = manager("c2");
        await().atMost(Duration.ofSeconds(20)).until(() -> a.role().kind() == ClusterRole.Kind.LEADER
                && b.role().kind() == ClusterRole.Kind.LEADER);
        assertThat(a.role().epoch()).isEqualTo(1);
        assertThat(b.role().epoch()).isEqualTo(1);
    }

    @Test
    void aLeaderWithoutZooKeeperStopsServingAndResumesWhenItReturns() throws Exception {
        Manager m = manager("d");
        await().atMost(Duration.ofSeconds(20)).until(() -> m.role().kind() == ClusterRole.Kind.LEADER);
        try (BlockingConnection c = BlockingConnection.connect("127.0.0.1", m.port(), Duration.ofSeconds(5))) {
            c.writeFrame("{\"command\":\"ping\"}");
            assertThat(new String(c.readFrame(Duration.ofSeconds(5)), StandardCharsets.UTF_8)).contains("\"to\":\"ping\"");
            zk.stop();
            // The lease runs out within half a session: nothing more is written, not even a pong.
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                c.writeFrame("{\"command\":\"ping\"}");
                return c.pollFrame(Duration.ofMillis(SESSION.toMillis())) == null;
            });
            zk.restart();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> m.role().kind() == ClusterRole.Kind.LEADER);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            try (BlockingConnection c = BlockingConnection.connect("127.0.0.1", m.port(), Duration.ofSeconds(5))) {
                c.writeFrame("{\"command\":\"ping\"}");
                assertThat(new String(c.readFrame(Duration.ofSeconds(2)), StandardCharsets.UTF_8)).contains("\"to\":\"ping\"");
            }
        });
    }

    @Test
    void aChrootThatDoesNotExistYetIsMade() {
        Manager m = new Manager(ManagerOptions.builder().bindAddress("127.0.0.1").port(0)
                .leadership(new ZooKeeperLeadership(zk.getConnectString() + "/apps/jobs", "e", SESSION)).build()).start();
        managers.add(m);
        await().atMost(Duration.ofSeconds(20)).until(() -> m.role().kind() == ClusterRole.Kind.LEADER);
        assertThat(m.role().epoch()).isEqualTo(1);
    }
}
