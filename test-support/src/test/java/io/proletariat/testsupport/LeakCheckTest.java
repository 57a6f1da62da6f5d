package io.proletariat.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;

/** {@link LeakCheck} around a pretend test class, with a short grace. */
class LeakCheckTest {
    private final LeakCheck check = new LeakCheck(Duration.ofMillis(300));
    private final ExtensionContext context = context();

    /** Just what the check uses of a class's context: its store and its class. */
    private static ExtensionContext context() {
        Map<Object, Object> values = new HashMap<>();
        ExtensionContext.Store store = (ExtensionContext.Store) Proxy.newProxyInstance(LeakCheckTest.class.getClassLoader(),
                new Class<?>[] {ExtensionContext.Store.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "put" -> values.put(args[0], args[1]);
                    case "remove" -> values.remove(args[0]);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return (ExtensionContext) Proxy.newProxyInstance(LeakCheckTest.class.getClassLoader(), new Class<?>[] {ExtensionContext.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getStore" -> store;
                    case "getRequiredTestClass" -> PretendTest.class;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static final class PretendTest {
    }

    private static Thread started(String name, boolean daemon, CountDownLatch until) {
        Thread t = new Thread(() -> {
            try {
                until.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name);
        t.setDaemon(daemon);
        t.start();
        return t;
    }

    @Test
    void aThreadLeftRunningFailsTheClassNamingIt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        check.beforeAll(context);
        Thread leaked = started("leaky-worker", false, release);
        try {
            assertThatThrownBy(() -> check.afterAll(context)).isInstanceOf(AssertionError.class)
                    .hasMessageStartingWith("PretendTest leaked, still there 300 ms after it:")
                    .hasMessageContaining("thread \"leaky-worker\" (WAITING)")
                    .hasMessageContaining("at java.base");
        } finally {
            release.countDown();
            leaked.join();
        }
    }

    @Test
    void daemonThreadsCountWhenTheyAreTheProjects() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        check.beforeAll(context);
        Thread ours = started("proletariat-test-1", true, release);
        Thread tools = started("some-tool-daemon", true, release);
        try {
            assertThatThrownBy(() -> check.afterAll(context)).hasMessageContaining("proletariat-test-1")
                    .hasMessageNotContaining("some-tool-daemon");
        } finally {
            release.countDown();
            ours.join();
            tools.join();
        }
    }

    @Test
    void whatEndsWithinTheGracePasses() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        check.beforeAll(context);
        Thread ending = started("ending-soon", false, release);
        release.countDown();
        check.afterAll(context);
        assertThat(ending.isAlive()).isFalse();
    }

    @Test
    void whatWasThereBeforeTheClassIsNotCharged() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Thread before = started("there-before", false, release);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            check.beforeAll(context);
            check.afterAll(context);
        } finally {
            release.countDown();
            before.join();
        }
    }

    @Test
    void aSocketLeftOpenFailsNamingItsAddresses() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "Linux only");
        check.beforeAll(context);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                Socket accepted = server.accept()) {
            int port = server.getLocalPort();
            assertThatThrownBy(() -> check.afterAll(context)).hasMessageMatching("(?s).*127\\.0\\.0\\.1:" + port + " -> \\S+:0 LISTEN.*")
                    .hasMessageContaining(":" + client.getLocalPort() + " -> 127.0.0.1:" + port + " ESTABLISHED")
                    .hasMessageContaining("127.0.0.1:" + port + " -> 127.0.0.1:" + client.getLocalPort() + " ESTABLISHED");
        }
    }

    @Test
    void aChildProcessLeftRunningFails() throws Exception {
        check.beforeAll(context);
        Process sleep = new ProcessBuilder(List.of("sleep", "30")).start();
        try {
            assertThatThrownBy(() -> check.afterAll(context)).hasMessageContaining("child process " + sleep.pid() + ": ")
                    .hasMessageContaining("sleep");
        } finally {
            sleep.destroyForcibly();
            assertThat(sleep.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
