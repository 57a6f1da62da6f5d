package io.proletariat.cli;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The managers of one cluster as real processes: {@code proletariat manager --zookeeper ...}, each
 * on loopback and a port of its own choosing ({@code --port 0}, read back from the line it prints),
 * logging at INFO (with the tests' timestamps, simplelogger.properties) so that a failure shows the
 * sequence. Each can be killed, paused
 * and resumed by its pid, and asked where it stands with the protocol's {@code status} command (a
 * standby answers {@code ENOTLEADER} with the leader's address).
 */
final class ManagerProcesses {
    private static final Pattern LISTENING = Pattern.compile("proletariat manager listening on 127\\.0\\.0\\.1:(\\d+) ");
    /** How long one status question waits for the connection and again for the answer. */
    private static final int ASK_MILLIS = 1_000;

    final List<Node> nodes = new ArrayList<>();

    /** One manager process. */
    static final class Node {
        final Launcher.Background process;
        final int port;
        /** Set while the process is stopped (SIGSTOP) or once it is killed: it is not asked then. */
        volatile boolean silent;

        Node(Launcher.Background process, int port) {
            this.process = process;
            this.port = port;
        }

        String address() {
            return "127.0.0.1:" + port;
        }

        long pid() {
            return process.process.pid();
        }

        /** SIGKILL: the process ends at once, its sockets reset, its ZooKeeper session left to expire. */
        void kill() throws InterruptedException {
            silent = true;
            process.process.destroyForcibly(); // SIGKILL on Unix
            if (!process.process.waitFor(10, TimeUnit.SECONDS)) {
                throw new AssertionError("manager " + address() + " survived SIGKILL");
            }
        }

        /** SIGSTOP: the process freezes; its sockets stay open and the kernel still accepts connections for it. */
        void pause() throws Exception {
            silent = true;
            signal("STOP");
        }

        /** SIGCONT after {@link #pause()}. */
        void resume() throws Exception {
            signal("CONT");
            silent = false;
        }

        private void signal(String name) throws Exception {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new AssertionError("kill -" + name + " " + pid() + " failed: " + new String(kill.getInputStream().readAllBytes()));
            }
        }

        /** Its answer to {@code status}: the status (a leader, or a manager alone) or, from a standby, its leader. */
        StatusCommand.Answer ask() throws IOException {
            return StatusCommand.ask(new ManagerAddress.Endpoint("127.0.0.1", port), ASK_MILLIS);
        }

        /** Its {@code cluster} member when it answers as leader; null when it stands by, is silent or does not answer. */
        JsonNode leaderRole() {
            if (silent) {
                return null;
            }
            try {
                StatusCommand.Answer a = ask();
                if (a.status() == null) {
                    return null;
                }
                JsonNode cluster = Json.MAPPER.readTree(a.status()).get("cluster");
                return cluster != null && "leader".equals(cluster.path("role").asText()) ? cluster : null;
            } catch (IOException e) {
                return null;
            }
        }

        /** The leader it sends peers to while it stands by; null when it answers as leader or not at all. */
        String standsByFor() {
            try {
                StatusCommand.Answer a = ask();
                return a.status() == null ? a.leader() : null;
            } catch (IOException e) {
                return null;
            }
        }

        /** Its log (standard error). */
        String log() {
            return process.stderr();
        }
    }

    /** The leader as the cluster's managers see it: which one, its epoch. */
    record Leader(Node node, long epoch) {
    }

    /**
     * Starts {@code n} managers of cluster {@code name} on {@code zookeeper}, all at once, and waits
     * until each has printed its address.
     */
    static ManagerProcesses start(Launcher launcher, String zookeeper, String name, int n, Duration sessionTimeout) throws Exception {
        List<Launcher.Background> started = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            started.add(launcher.startLogging("info", "manager", "--port", "0", "--bind", "127.0.0.1", "--http-port", "0",
                    "--zookeeper", zookeeper, "--cluster", name, "--zk-session-timeout", Long.toString(sessionTimeout.toMillis())));
        }
        ManagerProcesses cluster = new ManagerProcesses();
        for (Launcher.Background b : started) {
            int[] port = new int[1];
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                if (!b.process.isAlive()) {
                    throw new AssertionError("manager exited " + b.process.exitValue() + ": " + b.stderr());
                }
                Matcher m = LISTENING.matcher(b.stdout());
                if (m.find()) {
                    port[0] = Integer.parseInt(m.group(1));
                    return true;
                }
                return false;
            });
            cluster.nodes.add(new Node(b, port[0]));
        }
        return cluster;
    }

    /** Every manager's address, comma-separated, as {@code --managers} and {@code ConnectionOptions.managers} take them. */
    String managers() {
        return nodes.stream().map(Node::address).collect(Collectors.joining(","));
    }

    /**
     * Waits until one manager answers as leader of epoch {@code minEpoch} or later and every other
     * one that is not silent stands by for it (so that a redirect leads there).
     */
    Leader awaitLeader(long minEpoch, Duration atMost) {
        Leader[] found = new Leader[1];
        await().atMost(atMost).pollInterval(Duration.ofMillis(50)).until(() -> {
            for (Node n : nodes) {
                JsonNode role = n.leaderRole();
                if (role != null && role.path("epoch").asLong() >= minEpoch) {
                    for (Node other : nodes) {
                        if (other != n && !other.silent && !n.address().equals(other.standsByFor())) {
                            return false;
                        }
                    }
                    found[0] = new Leader(n, role.path("epoch").asLong());
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    /**
     * Whether a manager other than {@code except} lost its ZooKeeper session, as its log says. On a
     * machine loaded past its cores, the test JVM (where ZooKeeper runs) or a manager may starve
     * beyond the short session timeout: ZooKeeper then rightly expires healthy managers' sessions,
     * and more elections follow than the test caused.
     */
    boolean sessionsLostBesides(Node except) {
        for (Node n : nodes) {
            String log = n.log();
            if (n != except && (log.contains("Session expired event received") || log.contains("Injecting a session expiration"))) {
                return true;
            }
        }
        return false;
    }

    /** Every manager's log, for a failure message. */
    String logs() {
        StringBuilder sb = new StringBuilder();
        for (Node n : nodes) {
            sb.append("\n--- manager ").append(n.address()).append(" (pid ").append(n.pid()).append(")\n").append(n.log());
        }
        return sb.toString();
    }

    /**
     * Keeps every manager's log in {@code target/cluster-logs/NAME.log} (the launcher's files go with
     * the test's temporary directory), to read after a failure.
     */
    void keepLogs(String name) throws IOException {
        java.nio.file.Path logs = java.nio.file.Files.createDirectories(java.nio.file.Path.of("target", "cluster-logs"));
        java.nio.file.Files.writeString(logs.resolve(name + ".log"), logs());
    }

    /** Resumes any paused manager, so that the launcher's SIGTERM can stop it. */
    void resumeAll() {
        for (Node n : nodes) {
            if (n.silent && n.process.process.isAlive()) {
                try {
                    n.resume();
                } catch (Exception e) {
                    n.process.process.destroyForcibly();
                }
            }
        }
    }
}
