package io.proletariat.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/** An Error on the dispatch core stops an embedded manager, never the process (issue 12, item 1). */
class FatalErrorTest {

    @Test
    void anErrorFromTheWorkSelectorStopsTheEmbeddedManager() throws Exception {
        ManagerOptions options = ManagerOptions.builder().port(0).bindAddress("127.0.0.1")
                .workSelector((work, candidates, total) -> {
                    throw new StackOverflowError("thrown by the test's work selector");
                })
                .build();
        assertThat(options.exitOnFatalError()).as("default").isFalse();
        try (Manager m = new Manager(options).start(); RawPeer worker = new RawPeer(m); RawPeer client = new RawPeer(m)) {
            int port = m.port();
            worker.offer("1");
            client.push("r", "[1]", "");
            Thread waiter = new Thread(() -> {
                try {
                    m.awaitTermination();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            waiter.start();
            await().until(() -> !waiter.isAlive());
            assertThat(m.fatalError()).isInstanceOf(StackOverflowError.class);
            assertThat(worker.closedByPeer()).isTrue();
            assertThatThrownBy(() -> new Socket().connect(new InetSocketAddress("127.0.0.1", port), 2000))
                    .isInstanceOf(IOException.class);
        }
    }
}
