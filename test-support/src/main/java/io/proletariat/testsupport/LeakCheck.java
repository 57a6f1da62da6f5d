package io.proletariat.testsupport;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaves behind what it started: threads, sockets or child
 * processes that were not there before the class and are still there after it.
 *
 * <p>Registered for every test class through JUnit's extension autodetection (the parent pom turns
 * it on; this module's {@code META-INF/services} names this class). After the class, it waits up
 * to {@link #GRACE} for the leftovers to go, since managers, clients and workers shut down
 * asynchronously, and then names what is left:
 * <ul>
 *   <li>threads that are not daemons, or are named {@code proletariat-*}, or are Netty's (event
 *       loops, timers): daemon threads of the JDK and of tools (the common pool, Awaitility) come
 *       and go on their own;</li>
 *   <li>on Linux, TCP and UDP sockets (channels, servers, connections) from {@code /proc/self/fd},
 *       with their addresses from {@code /proc/self/net}. Selectors (epoll instances) are not
 *       counted: each of Netty's belongs to an event-loop thread, which is watched, and the JDK's
 *       HTTP client (the manager's HTTP tests) keeps one for the JVM's life, as JDK 17 cannot close it;</li>
 *   <li>child processes (the command-line tests start launchers and commands).</li>
 * </ul>
 * Things opened before the class (another class's shared state, the test runner's own) are not
 * counted, so a class is charged only with its own leaks.
 */
public final class LeakCheck implements BeforeAllCallback, AfterAllCallback {
    /** How long leftovers may take to go once the class is done. */
    static final Duration GRACE = Duration.ofSeconds(10);

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LeakCheck.class);
    private static final Path FDS = Path.of("/proc/self/fd");

    private final Duration grace;

    /** The check as JUnit creates it, with a grace of {@link #GRACE}. */
    public LeakCheck() {
        this(GRACE);
    }

    LeakCheck(Duration grace) {
        this.grace = grace;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NAMESPACE).put(context.getRequiredTestClass(), Snapshot.take());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Snapshot before = context.getStore(NAMESPACE).remove(context.getRequiredTestClass(), Snapshot.class);
        if (before == null) {
            return;
        }
        List<String> leaks = new ArrayList<>();
        try {
            await("the threads, sockets and processes of " + context.getRequiredTestClass().getSimpleName() + " to end")
                    .atMost(grace).pollInterval(Duration.ofMillis(50)).pollInSameThread()
                    .until(() -> {
                        leaks.clear();
                        leaks.addAll(Snapshot.take().leftSince(before));
                        return leaks.isEmpty();
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(context.getRequiredTestClass().getSimpleName() + " leaked, still there "
                    + grace.toMillis() + " ms after it:\n  " + String.join("\n  ", leaks));
        }
    }

    /** What the check watches, at one moment. */
    private record Snapshot(Set<Thread> threads, Set<String> descriptors, Set<Long> children) {
        static Snapshot take() {
            Set<Thread> threads = Thread.getAllStackTraces().keySet().stream()
                    .filter(LeakCheck::watched).collect(Collectors.toCollection(LinkedHashSet::new));
            Set<Long> children = ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                    .map(ProcessHandle::pid).collect(Collectors.toSet());
            return new Snapshot(threads, openDescriptors(), children);
        }

        /** A line for each thing here that was not in {@code before}. */
        List<String> leftSince(Snapshot before) {
            List<String> left = new ArrayList<>();
            for (Thread t : threads) {
                if (!before.threads.contains(t) && t.isAlive()) {
                    left.add(describe(t));
                }
            }
            List<String> opened = descriptors.stream().filter(d -> !before.descriptors.contains(d)).toList();
            if (!opened.isEmpty()) {
                Map<String, String> sockets = inetSockets();
                for (String d : opened) {
                    String inode = d.substring(d.indexOf(' ') + 1).replaceAll("\\D", "");
                    // Not there: a Unix socket, the JDK's own (the first child process started opens one for the JVM's life).
                    if (sockets.containsKey(inode)) {
                        left.add("file descriptor " + d + " " + sockets.get(inode));
                    }
                }
            }
            for (long pid : children) {
                if (!before.children.contains(pid)) {
                    ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(p -> left.add("child process " + pid + ": "
                            + p.info().commandLine().orElse("?")));
                }
            }
            return left;
        }
    }

    /**
     * Threads that must not outlive the test class that started them. JUnit's own ({@code
     * junit-jupiter-timeout-watcher}, started by the first test with a timeout and kept for the run)
     * are not the tests' doing.
     */
    private static boolean watched(Thread t) {
        return t.isAlive() && !t.getName().startsWith("junit-")
                && (!t.isDaemon() || t.getName().startsWith("proletariat-") || isNetty(t));
    }

    /** Netty's threads (DefaultThreadFactory makes them) are FastThreadLocalThreads; no Netty dependency needed to tell. */
    private static boolean isNetty(Thread t) {
        for (Class<?> c = t.getClass(); c != null; c = c.getSuperclass()) {
            if (c.getName().equals("io.netty.util.concurrent.FastThreadLocalThread")) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Thread t) {
        String stack = Arrays.stream(t.getStackTrace()).limit(6).map(f -> "\n      at " + f).collect(Collectors.joining());
        return "thread \"" + t.getName() + "\" (" + (t.isDaemon() ? "daemon, " : "") + t.getState() + ")" + stack;
    }

    /** The TCP and UDP sockets of this process's network namespace, by inode: {@code tcp 127.0.0.1:41234 -> 127.0.0.1:1917 ESTABLISHED}. */
    private static Map<String, String> inetSockets() {
        Map<String, String> byInode = new java.util.HashMap<>();
        for (String table : List.of("tcp", "tcp6", "udp", "udp6")) {
            lines(Path.of("/proc/self/net", table)).forEach(line -> {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && f[1].contains(":")) {
                    byInode.put(f[9], table + " " + address(f[1]) + " -> " + address(f[2]) + " " + TCP_STATES.getOrDefault(f[3], f[3]));
                }
            });
        }
        return byInode;
    }

    private static final Map<String, String> TCP_STATES = Map.of("01", "ESTABLISHED", "06", "TIME_WAIT", "07", "CLOSE",
            "08", "CLOSE_WAIT", "0A", "LISTEN", "04", "FIN_WAIT1", "05", "FIN_WAIT2", "09", "LAST_ACK", "02", "SYN_SENT");

    /** {@code 0100007F:0779} (IPv4, little-endian; also mapped into IPv6) as {@code 127.0.0.1:1913}; other IPv6 in hex. */
    private static String address(String hex) {
        String[] parts = hex.split(":");
        int port = Integer.parseInt(parts[1], 16);
        String host = parts[0].startsWith("0000000000000000FFFF0000") ? parts[0].substring(24) : parts[0];
        if (host.length() == 8) {
            long ip = Long.parseLong(host, 16);
            return (ip & 0xFF) + "." + (ip >> 8 & 0xFF) + "." + (ip >> 16 & 0xFF) + "." + (ip >> 24 & 0xFF) + ":" + port;
        }
        return "[" + parts[0] + "]:" + port;
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /**
     * Open sockets, as {@code "fd target"} (e.g. {@code "42 socket:[1234]"}),
     * from {@code /proc/self/fd}; empty where there is no such directory. The descriptor number is
     * part of the key, so a socket closed and another opened in its place count as one new.
     */
    private static Set<String> openDescriptors() {
        if (!Files.isDirectory(FDS)) {
            return Set.of();
        }
        try (Stream<Path> fds = Files.list(FDS)) {
            Set<String> open = new LinkedHashSet<>();
            fds.forEach(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:")) {
                        open.add(fd.getFileName() + " " + target);
                    }
                } catch (IOException | UnsupportedOperationException gone) {
                    // closed while listing
                }
            });
            return open;
        } catch (IOException e) {
            return Set.of();
        }
    }
}
