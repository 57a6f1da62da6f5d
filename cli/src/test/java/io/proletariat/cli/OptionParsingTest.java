package io.proletariat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.proletariat.client.ConnectionOptions;
import io.proletariat.cluster.ZooKeeperLeadership;
import io.proletariat.manager.ManagerOptions;
import io.proletariat.protocol.Wire;
import io.proletariat.worker.WorkerOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each subcommand's options as picocli parses them, in process: the values the command gets, its
 * defaults, and the usage errors (exit code 2, one line naming the option and pointing to help).
 * The manager's options, with their file and environment layers, are in {@link ManagerConfigurationTest}.
 */
class OptionParsingTest {
    private static void assertUsageError(Launcher.Result r, String message, String command) {
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.stderr().lines()).as(r.stderr()).hasSize(1);
        assertThat(r.stderr()).startsWith("proletariat " + command + ": " + message)
                .endsWith("(see 'proletariat " + command + " --help')" + System.lineSeparator());
        assertThat(r.stdout()).isEmpty();
    }

    // ------------------------------------------------------------------ the managers of a cluster

    @Test
    void everyCommandThatTalksToAManagerTakesTheManagersOfACluster() {
        for (String command : List.of("worker", "push", "status", "sysmsg", "bench")) {
            String[] args = command.equals("worker") ? new String[] {"--managers", "m1:2000,[::1]:2001,m3", "cat"}
                    : command.equals("sysmsg") ? new String[] {"--managers", "m1:2000,[::1]:2001,m3", "1"}
                    : new String[] {"--managers", "m1:2000,[::1]:2001,m3"};
            ManagerAddress m = InProcess.parse(prepend(command, args)).getSubcommands().get(command)
                    .getCommandSpec().mixins().get("manager").userObject() instanceof ManagerAddress a ? a : null;
            assertThat(m).as(command).isNotNull();
            assertThat(m.managers).as(command).containsExactly("m1:2000", "[::1]:2001", "m3");
            assertThat(m.validate()).as(command).isNull();
            assertThat(m.managers).as("written back as host:port each").containsExactly("m1:2000", "[::1]:2001", "m3:" + Wire.DEFAULT_PORT);
            assertThat(m.endpoints()).containsExactly(new ManagerAddress.Endpoint("m1", 2000), new ManagerAddress.Endpoint("::1", 2001),
                    new ManagerAddress.Endpoint("m3", Wire.DEFAULT_PORT));
            assertThat(m.toString()).isEqualTo("m1:2000,[::1]:2001,m3:" + Wire.DEFAULT_PORT);
        }
        ManagerAddress alone = InProcess.<StatusCommand>parsed("status").manager;
        assertThat(alone.managers).isNull();
        assertThat(alone.endpoints()).containsExactly(new ManagerAddress.Endpoint("127.0.0.1", Wire.DEFAULT_PORT));
    }

    @Test
    void managerSilenceIsTakenByTheCommandsBuiltOnTheLibraries() {
        assertThat(InProcess.<WorkerCommand>parsed("worker", "--manager-silence", "3000", "cat").managerSilence).isEqualTo(3000);
        assertThat(InProcess.<PushCommand>parsed("push", "--manager-silence", "0").managerSilence).isZero();
        assertThat(InProcess.<BenchCommand>parsed("bench", "--manager-silence", "900").managerSilence).isEqualTo(900);
        long byDefault = ConnectionOptions.DEFAULT_MANAGER_SILENCE.toMillis();
        assertThat(InProcess.<WorkerCommand>parsed("worker", "cat").managerSilence).isEqualTo(byDefault);
        assertThat(InProcess.<PushCommand>parsed("push").managerSilence).isEqualTo(byDefault);
        assertThat(InProcess.<BenchCommand>parsed("bench").managerSilence).isEqualTo(byDefault);
    }

    @Test
    void managersUsageErrors() {
        Launcher.Result bad = InProcess.run(null, "status", "--managers", "m1:2000,m2:port");
        assertThat(bad.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(bad.stderr().strip()).isEqualTo("proletariat status: --managers: not a manager address (host:port): \"m2:port\": the port is not a number");
        Launcher.Result both = InProcess.run(null, "push", "--managers", "m1:2000", "--port", "2001", "1");
        assertThat(both.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(both.stderr().strip()).isEqualTo("proletariat push: --managers replaces --host and --port: give one or the other");
        Launcher.Result silence = InProcess.run(null, "worker", "--manager-silence", "10", "cat");
        assertThat(silence.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(silence.stderr().strip()).isEqualTo("proletariat worker: --manager-silence must be 0 (never) or at least 30: 10");
        assertUsageError(InProcess.run(null, "push", "--manager-silence", "6s", "1"),
                "Invalid value for option '--manager-silence': '6s' is not a long", "push");
    }

    @Test
    void managerReadsItsHttpTokenFromAFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("http-token");
        java.nio.file.Files.writeString(file, "  s3cret-http-token \nignored\n");
        ManagerOptions options = InProcess.<ManagerCommand>parsed("manager", "--http-token-file", file.toString(), "--http-open")
                .optionsBuilder().build();
        assertThat(options.httpToken()).isEqualTo("s3cret-http-token");
        assertThat(options.httpOpen()).isTrue();
        ManagerOptions none = InProcess.<ManagerCommand>parsed("manager", "--http-token-file", " ").optionsBuilder().build();
        assertThat(none.httpToken()).as("an empty value, as the sample configuration has, is none").isNull();
        assertThat(none.httpOpen()).isFalse();

        java.nio.file.Files.writeString(file, "\n");
        Launcher.Result empty = InProcess.run(null, "manager", "--http-token-file", file.toString());
        assertThat(empty.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(empty.stderr().strip()).isEqualTo("proletariat manager: --http-token-file: " + file
                + " must hold a token of 1 to 4096 characters without control characters on its first line");
        Launcher.Result missing = InProcess.run(null, "manager", "--http-token-file", dir.resolve("none").toString());
        assertThat(missing.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(missing.stderr()).contains("--http-token-file: cannot read " + dir.resolve("none"));
    }

    @Test
    void managerRefusesAnOpenHttpListenerOnTheNetwork() {
        Launcher.Result r = InProcess.run(null, "manager", "--port", "0", "--http-port", "18917", "--http-bind", "0.0.0.0");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stderr().strip()).isEqualTo("proletariat manager: the HTTP listener would serve 0.0.0.0 without a token:"
                + " give --http-token-file FILE (clients send Authorization: Bearer TOKEN), bind it to 127.0.0.1 (--http-bind),"
                + " or add --http-open if a proxy of yours authenticates (docs/security.md)");
    }

    @Test
    void managerJoinsAClusterWithZookeeper() {
        ManagerCommand m = InProcess.parsed("manager", "--zookeeper", "zk1:2181,zk2:2181,[::1]:2182/apps", "--cluster", "blue",
                "--advertise", "m1.example.com:1917", "--zk-session-timeout", "2500");
        assertThat(m.zookeeper).isEqualTo("zk1:2181,zk2:2181,[::1]:2182/apps");
        assertThat(m.cluster).isEqualTo("blue");
        assertThat(m.advertise).isEqualTo("m1.example.com:1917");
        assertThat(m.zkSessionTimeout).isEqualTo(2500);
        ManagerOptions options = m.optionsBuilder().build();
        assertThat(options.leadership()).isInstanceOf(ZooKeeperLeadership.class);
        assertThat(options.advertisedAddress()).isEqualTo("m1.example.com:1917");
        assertThat(m.clusterLine()).isEqualTo("cluster blue on ZooKeeper zk1:2181,zk2:2181,[::1]:2182/apps: standing by until elected leader"
                + " (meanwhile peers are sent to the leader)");

        ManagerCommand alone = InProcess.parsed("manager");
        assertThat(alone.zookeeper).isNull();
        assertThat(alone.cluster).isEqualTo(ZooKeeperLeadership.DEFAULT_CLUSTER);
        assertThat(alone.advertise).isNull();
        assertThat(alone.zkSessionTimeout).isEqualTo(ZooKeeperLeadership.DEFAULT_SESSION_TIMEOUT.toMillis());
        assertThat(alone.optionsBuilder().build().leadership()).as("serves alone").isNull();
        assertThat(InProcess.<ManagerCommand>parsed("manager", "--zookeeper", " ").optionsBuilder().build().leadership())
                .as("an empty value, as the sample configuration has, is none").isNull();
    }

    @Test
    void managerClusterValuesThatMakeNoSenseExitTwo() {
        String[][] cases = {
                {"--zookeeper", "zk1:2181,,zk2"}, {"--zookeeper must be HOST:PORT[,HOST:PORT...], e.g. zk1:2181,zk2:2181,zk3:2181: zk1:2181,,zk2"},
                {"--zookeeper", "zk1:two"}, {"--zookeeper must be HOST:PORT[,HOST:PORT...], e.g. zk1:2181,zk2:2181,zk3:2181: zk1:two"},
                {"--zookeeper", "zk1", "--cluster", "a/b"}, {"--cluster must be 1 to 64 of A-Z a-z 0-9 _ . -: a/b"},
                {"--zookeeper", "zk1", "--zk-session-timeout", "50"}, {"--zk-session-timeout must be at least 100 (ms): 50"},
                {"--advertise", "m1.example.com"}, {"--advertise must be HOST:PORT, e.g. manager1.example.com:1917: m1.example.com"},
        };
        for (int i = 0; i < cases.length; i += 2) {
            Launcher.Result r = InProcess.run(null, prepend("manager", cases[i]));
            assertThat(r.exitCode()).as(String.join(" ", cases[i])).isEqualTo(Main.EXIT_USAGE);
            assertThat(r.stderr().strip()).as(String.join(" ", cases[i])).isEqualTo("proletariat manager: " + cases[i + 1][0]);
        }
        assertUsageError(InProcess.run(null, "manager", "--zk-session-timeout", "4s"),
                "Invalid value for option '--zk-session-timeout': '4s' is not a long", "manager");
    }

    private static String[] prepend(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    // ------------------------------------------------------------------ worker

    @Test
    void workerTakesItsOptionsAndEverythingFromTheCommandOn() {
        WorkerCommand w = InProcess.parsed("worker", "-H", "jobs.example", "-p", "2000", "--slots", "3",
                "--priority-slots", "1=30,2=20", "--answer-threshold", "5", "--grace", "7", "sh", "-c", "echo --slots 9");
        assertThat(w.manager.host).isEqualTo("jobs.example");
        assertThat(w.manager.port).isEqualTo(2000);
        assertThat(w.slots).isEqualTo(3);
        assertThat(w.prioritySlots).containsExactly(Map.entry(1, 30), Map.entry(2, 20));
        assertThat(w.answerThreshold).isEqualTo(5);
        assertThat(w.graceSeconds).isEqualTo(7);
        assertThat(w.command).containsExactly("sh", "-c", "echo --slots 9");
    }

    @Test
    void workerOptionsAfterTheCommandBelongToTheCommand() {
        WorkerCommand w = InProcess.parsed("worker", "--slots", "2", "cat", "--slots", "4");
        assertThat(w.slots).isEqualTo(2);
        assertThat(w.command).containsExactly("cat", "--slots", "4");
        assertThat(InProcess.<WorkerCommand>parsed("worker", "--", "--odd-name").command).containsExactly("--odd-name");
    }

    @Test
    void workerDefaults() {
        WorkerCommand w = InProcess.parsed("worker", "cat");
        assertThat(w.manager.host).isEqualTo("127.0.0.1");
        assertThat(w.manager.port).isEqualTo(Wire.DEFAULT_PORT);
        assertThat(w.slots).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(w.prioritySlots).isNull();
        assertThat(w.answerThreshold).isEqualTo(WorkerOptions.DEFAULT_ANSWER_THRESHOLD);
        assertThat(w.graceSeconds).isEqualTo(WorkerOptions.DEFAULT_SHUTDOWN_GRACE.toSeconds());
    }

    @Test
    void workerUsageErrors() {
        assertUsageError(InProcess.run(null, "worker", "--slots", "many", "cat"),
                "Invalid value for option '--slots': 'many' is not an int", "worker");
        assertUsageError(InProcess.run(null, "worker", "--priority-slots", "1:30", "cat"),
                "Value for option option '--priority-slots' (PRIO=N) should be in KEY=VALUE[,KEY=VALUE]... format but was 1:30", "worker");
        assertUsageError(InProcess.run(null, "worker"), "Missing required parameter: 'COMMAND'", "worker");
    }

    @Test
    void workerValuesThatParseButMakeNoSenseExitTwo() {
        Launcher.Result grace = InProcess.run(null, "worker", "--grace", "-1", "cat");
        assertThat(grace.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(grace.stderr().strip()).isEqualTo("proletariat worker: --grace must be >= 0: -1");
        Launcher.Result port = InProcess.run(null, "worker", "--port", "70000", "cat");
        assertThat(port.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(port.stderr().strip()).isEqualTo("proletariat worker: --port must be between 1 and 65535: 70000");
    }

    // ------------------------------------------------------------------ push

    @Test
    void pushTakesWorkOptionsAndTheWorks() {
        PushCommand p = InProcess.parsed("push", "--host", "h", "--port", "3", "--priority", "2", "--timeout", "1000",
                "--run-timeout", "500", "--assign-timeout", "250", "--each", "{\"a\":1}", "\"text\"", "-1");
        assertThat(p.manager.host).isEqualTo("h");
        assertThat(p.manager.port).isEqualTo(3);
        assertThat(p.priority).isEqualTo(2);
        assertThat(p.timeout).isEqualTo(1000L);
        assertThat(p.runTimeout).isEqualTo(500L);
        assertThat(p.assignTimeout).isEqualTo(250L);
        assertThat(p.each).isTrue();
        assertThat(p.works).containsExactly("{\"a\":1}", "\"text\"", "-1");
    }

    @Test
    void pushDefaultsLeaveEveryWorkOptionToTheManager() {
        PushCommand p = InProcess.parsed("push");
        assertThat(p.priority).isNull();
        assertThat(p.timeout).isNull();
        assertThat(p.runTimeout).isNull();
        assertThat(p.assignTimeout).isNull();
        assertThat(p.each).isFalse();
        assertThat(p.works).as("read from standard input").isEmpty();
    }

    @Test
    void pushUsageErrors() {
        assertUsageError(InProcess.run(null, "push", "--priority", "high", "1"),
                "Invalid value for option '--priority': 'high' is not an int", "push");
        assertUsageError(InProcess.run(null, "push", "--timeout", "1.5", "1"),
                "Invalid value for option '--timeout': '1.5' is not a long", "push");
        assertUsageError(InProcess.run(null, "push", "--timeout"), "Missing required parameter for option '--timeout' (MS)", "push");
        Launcher.Result negative = InProcess.run(null, "push", "--port", "1", "--priority", "-1", "1");
        assertThat(negative.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(negative.stderr().lines()).hasSize(1);
        assertThat(negative.stderr()).startsWith("proletariat push: ").contains("priority");
    }

    // ------------------------------------------------------------------ status

    @Test
    void statusOptions() {
        StatusCommand s = InProcess.parsed("status", "-H", "::1", "-p", "4000", "--json", "--http", "http://127.0.0.1:8917/");
        assertThat(s.manager.toString()).isEqualTo("[::1]:4000");
        assertThat(s.json).isTrue();
        assertThat(s.http).isEqualTo("http://127.0.0.1:8917/");
        StatusCommand defaults = InProcess.parsed("status");
        assertThat(defaults.manager.toString()).isEqualTo("127.0.0.1:" + Wire.DEFAULT_PORT);
        assertThat(defaults.json).isFalse();
        assertThat(defaults.http).isNull();
    }

    @Test
    void statusUsageErrors() {
        assertUsageError(InProcess.run(null, "status", "extra"), "Unmatched argument at index 1: 'extra'", "status");
        Launcher.Result url = InProcess.run(null, "status", "--http", "ftp://x");
        assertThat(url.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(url.stderr().strip()).isEqualTo("proletariat status: --http needs a URL such as http://127.0.0.1:8917: ftp://x");
        Launcher.Result port = InProcess.run(null, "status", "--port", "0");
        assertThat(port.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(port.stderr().strip()).isEqualTo("proletariat status: --port must be between 1 and 65535: 0");
        Launcher.Result host = InProcess.run(null, "status", "--host", " ");
        assertThat(host.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(host.stderr().strip()).isEqualTo("proletariat status: --host must not be blank");
    }

    // ------------------------------------------------------------------ sysmsg

    @Test
    void sysmsgOptions() {
        SysmsgCommand s = InProcess.parsed("sysmsg", "--to", "MANAGER", "\"hi\"");
        assertThat(s.to).isEqualTo("MANAGER");
        assertThat(s.message).isEqualTo("\"hi\"");
        assertThat(InProcess.<SysmsgCommand>parsed("sysmsg", "{}").to).as("everybody else").isNull();
    }

    @Test
    void sysmsgUsageErrors() {
        assertUsageError(InProcess.run(null, "sysmsg"), "Missing required parameter: 'JSON'", "sysmsg");
        assertUsageError(InProcess.run(null, "sysmsg", "1", "2"), "Unmatched argument at index 2: '2'", "sysmsg");
        assertUsageError(InProcess.run(null, "sysmsg", "--to"), "Missing required parameter for option '--to' (ID|MANAGER)", "sysmsg");
    }

    // ------------------------------------------------------------------ bench

    @Test
    void benchOptions() {
        BenchCommand b = InProcess.parsed("bench", "--host", "h", "--port", "5", "--embedded", "--works", "10", "--duration", "1.5",
                "--group", "2", "--concurrency", "3", "--clients", "4", "--workers", "5", "--slots", "6", "--work-ms", "7",
                "--payload", "40", "--priorities", "0,0,2", "--warmup", "0.5", "--answer-threshold", "8", "--preload", "9",
                "--preload-hold", "2.5", "--json");
        assertThat(List.of(b.manager.host, b.manager.port, b.embedded, b.works, b.duration, b.group, b.concurrency, b.clients, b.workers, b.slots,
                b.workMs, b.payload, b.priorities, b.warmup, b.answerThreshold, b.preload, b.preloadHold, b.json))
                .containsExactly("h", 5, true, 10L, 1.5, 2, 3, 4, 5, 6, 7L, 40, List.of(0, 0, 2), 0.5, 8, 9L, 2.5, true);
    }

    @Test
    void benchDefaults() {
        BenchCommand b = InProcess.parsed("bench");
        assertThat(List.of(b.manager.host, b.manager.port, b.embedded, b.works, b.duration, b.group, b.concurrency, b.clients, b.workers, b.slots,
                b.workMs, b.payload, b.priorities, b.warmup, b.answerThreshold, b.preload, b.preloadHold, b.json))
                .containsExactly("127.0.0.1", Wire.DEFAULT_PORT, false, 100_000L, 0.0, 1, 100, 1, 1, 100, 0L, 30, List.of(0), 3.0, 1, 0L, 0.0, false);
    }

    @Test
    void benchUsageErrors() {
        assertUsageError(InProcess.run(null, "bench", "--priorities", "0,x"),
                "Invalid value for option '--priorities' (P,P,...): 'x' is not an int", "bench");
        for (String[] bad : new String[][] {{"--group", "0"}, {"--payload", "9"}, {"--work-ms", "-1"}, {"--clients", "0"}}) {
            Launcher.Result r = InProcess.run(null, "bench", bad[0], bad[1]);
            assertThat(r.exitCode()).as(String.join(" ", bad)).isEqualTo(Main.EXIT_USAGE);
            assertThat(r.stderr().strip()).as(String.join(" ", bad)).isEqualTo("proletariat bench: --group, --concurrency, --workers, "
                    + "--slots, --clients, --works must be >= 1, --payload >= 10, --work-ms >= 0");
        }
    }

    // ------------------------------------------------------------------ zookeeper

    @Test
    void zookeeperOptionsAndDefaults() {
        ZookeeperCommand z = InProcess.parsed("zookeeper", "--port", "0", "--data", "zk", "--bind", "0.0.0.0");
        assertThat(List.of(z.port, z.data.toString(), z.bind)).containsExactly(0, "zk", "0.0.0.0");
        ZookeeperCommand defaults = InProcess.parsed("zookeeper");
        assertThat(defaults.port).isEqualTo(2181);
        assertThat(defaults.data).as("a temporary directory").isNull();
        assertThat(defaults.bind).isEqualTo("127.0.0.1");
    }

    @Test
    void zookeeperUsageErrors() {
        assertUsageError(InProcess.run(null, "zookeeper", "--port", "zoo"), "Invalid value for option '--port': 'zoo' is not an int", "zookeeper");
        assertUsageError(InProcess.run(null, "zookeeper", "extra"), "Unmatched argument at index 1: 'extra'", "zookeeper");
        Launcher.Result port = InProcess.run(null, "zookeeper", "--port", "70000");
        assertThat(port.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(port.stderr().strip()).isEqualTo("proletariat zookeeper: --port must be between 0 and 65535: 70000");
    }

    // ------------------------------------------------------------------ the launcher

    @Test
    void helpListsTheCommandsAndHelpOfACommandIsItsUsage() {
        Launcher.Result all = InProcess.run(null, "--help");
        assertThat(all.exitCode()).isZero();
        assertThat(all.stdout()).contains("Usage: proletariat", "manager", "worker", "push", "status", "sysmsg", "bench", "zookeeper");
        Launcher.Result push = InProcess.run(null, "help", "push");
        assertThat(push.exitCode()).isZero();
        assertThat(push.stdout()).startsWith("Usage: proletariat push").contains("--run-timeout=MS", "--assign-timeout=MS");
    }
}
