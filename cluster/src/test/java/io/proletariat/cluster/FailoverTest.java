package io.proletariat.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.proletariat.client.Client;
import io.proletariat.client.ClientOptions;
import io.proletariat.client.WorkResult;
import io.proletariat.manager.ClusterRole;
import io.proletariat.manager.Manager;
import io.proletariat.manager.ManagerOptions;
import io.proletariat.worker.Worker;
import io.proletariat.worker.WorkerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Libraries against a cluster of two managers on a real ZooKeeper: the leader leaves under load, the
 * standby takes over, and every work is answered once with its own result; a work runs twice only
 * when the new leader counts it as a rerun.
 */
class FailoverTest {
    private TestingServer zk;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void zookeeper() throws Exception {
        zk = new TestingServer(true);
    }

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        zk.close();
    }

    private final List<ZooKeeperLeadership> leaderships = new ArrayList<>();

    /** A manager's counter, or 0 once it is closed. */
    private static long rerunOf(Manager m) {
        try {
            return m.stats().counters().rerun();
        } catch (RuntimeException closed) {
            return 0;
        }
    }

    private static long resumedOf(Manager m) {
        try {
            return m.stats().counters().resumed();
        } catch (RuntimeException closed) {
            return 0;
        }
    }

    private static boolean leads(Manager m) {
        try {
            return m.role().kind() == ClusterRole.Kind.LEADER;
        } catch (RuntimeException closed) {
            return false;
        }
    }

    private static long epochOf(Manager m) {
        try {
            return m.role().epoch();
        } catch (RuntimeException closed) {
            return 0;
        }
    }

    private Manager manager() {
        ZooKeeperLeadership leadership = new ZooKeeperLeadership(zk.getConnectString(), "f", Duration.ofSeconds(2));
        leaderships.add(leadership);
        Manager m = new Manager(ManagerOptions.builder().bindAddress("127.0.0.1").port(0).distribRandMax(Duration.ZERO)
                .leadership(leadership).build()).start();
        open.add(m);
        return m;
    }

    @Test
    void everyWorkIsAnsweredOnceWhenTheLeaderLeavesUnderLoad() throws Exception {
        runUnderLoad(first -> first.close());
    }

    @Test
    void everyWorkIsAnsweredOnceWhenTheLeaderLosesItsSessionUnderLoad() throws Exception {
        // As after a pause or a partition: ZooKeeper expires the leader's session; it steps down by itself.
        runUnderLoad(first -> {
            try {
                leaderships.get(0).expireSession();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    private void runUnderLoad(java.util.function.Consumer<Manager> loseTheLeader) throws Exception {
        Manager first = manager();
        await().atMost(Duration.ofSeconds(20)).until(() -> first.role().kind() == ClusterRole.Kind.LEADER);
        Manager second = manager();
        await().atMost(Duration.ofSeconds(20)).until(() -> second.role().leader() != null);
        String managers = "127.0.0.1:" + second.port() + ",127.0.0.1:" + first.port(); // the standby first: a redirect

        Map<Integer, AtomicInteger> runs = new ConcurrentHashMap<>();
        Map<Integer, List<String>> ranAs = new ConcurrentHashMap<>();
        Worker worker = new Worker(WorkerOptions.builder().managers(managers).slots(8).retryDelay(Duration.ofMillis(100)).build())
                .onWork((work, done) -> {
                    int v = ((Number) work.args(Map.class).get("v")).intValue();
                    runs.computeIfAbsent(v, k -> new AtomicInteger()).incrementAndGet();
                    ranAs.computeIfAbsent(v, k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(work.id() + "@" + System.nanoTime() / 1_000_000);
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // a little work
                    done.success(Map.of("v", v, "twice", v * 2));
                });
        open.add(worker);
        worker.start();
        Client client = new Client(ClientOptions.builder().managers(managers).retryDelay(Duration.ofMillis(100)).maxRetries(1000).build());
        open.add(client);

        int n = 2_000;
        List<CompletableFuture<WorkResult>> results = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            results.add(client.submitOne(Map.of("v", i)));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> runs.size() >= n / 10);
        loseTheLeader.accept(first);

        for (int i = 0; i < n; i++) {
            Map<?, ?> data = results.get(i).get(60, TimeUnit.SECONDS).get(Map.class);
            assertThat(data).isEqualTo(Map.of("v", i, "twice", i * 2));
        }
        // On a loaded machine a short session may expire again: some manager leads, with a later epoch.
        await().atMost(Duration.ofSeconds(20)).until(() -> leads(first) || leads(second));
        assertThat(Math.max(second.role().epoch(), epochOf(first))).isGreaterThanOrEqualTo(2);
        assertThat(runs).hasSize(n);
        long extraRuns = runs.values().stream().mapToInt(AtomicInteger::get).sum() - n;
        long rerun = second.stats().counters().rerun() + rerunOf(first);
        System.out.printf("failover: %d works, %d resumed, %d reruns counted, %d extra runs%n", n,
                second.stats().counters().resumed() + resumedOf(first), rerun, extraRuns);
        ranAs.forEach((v, ids) -> {
            if (ids.size() > 1) {
                System.out.println("ran twice: " + v + " as " + ids);
            }
        });
        assertThat(extraRuns).isEqualTo(rerun);
    }
}
