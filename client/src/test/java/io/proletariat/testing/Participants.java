package io.proletariat.testing;

import io.proletariat.client.Client;
import io.proletariat.client.ClientOptions;
import io.proletariat.manager.Manager;
import io.proletariat.manager.ManagerOptions;
import io.proletariat.worker.WorkHandler;
import io.proletariat.worker.Worker;
import io.proletariat.worker.WorkerOptions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import static org.awaitility.Awaitility.await;

/** Starts a real manager and the workers and clients of a test, and closes them all afterwards. */
public final class Participants implements AutoCloseable {
    private final Deque<AutoCloseable> open = new ArrayDeque<>();
    private Manager manager;

    public Manager startManager() {
        return startManager(ManagerOptions.builder());
    }

    public Manager startManager(ManagerOptions.Builder options) {
        manager = new Manager(options.bindAddress("127.0.0.1").port(0).distribRandMax(Duration.ZERO).build()).start();
        open.push(manager);
        return manager;
    }

    /** Starts a manager again on the port of the previous one. */
    public Manager restartManager(int port) {
        manager = new Manager(ManagerOptions.builder().bindAddress("127.0.0.1").port(port).distribRandMax(Duration.ZERO).build()).start();
        open.push(manager);
        return manager;
    }

    public Manager manager() {
        return manager;
    }

    public WorkerOptions.Builder workerOptions() {
        return WorkerOptions.builder().host("127.0.0.1").port(manager.port()).retryDelay(Duration.ofMillis(100));
    }

    public ClientOptions.Builder clientOptions() {
        return ClientOptions.builder().host("127.0.0.1").port(manager.port()).retryDelay(Duration.ofMillis(100)).maxRetries(100);
    }

    /** A started worker, ready (its offer accepted). */
    public Worker worker(WorkerOptions options, WorkHandler handler) {
        Worker w = new Worker(options).onWork(handler);
        open.push(w);
        w.start();
        await().atMost(Duration.ofSeconds(20)).until(w::isReady);
        return w;
    }

    public Worker worker(int slots, WorkHandler handler) {
        return worker(workerOptions().slots(slots).build(), handler);
    }

    public Client client() {
        return client(clientOptions().build());
    }

    public Client client(ClientOptions options) {
        Client c = new Client(options);
        open.push(c);
        return c;
    }

    /** Registers anything else to close. */
    public <T extends AutoCloseable> T add(T closeable) {
        open.push(closeable);
        return closeable;
    }

    @Override
    public void close() {
        while (!open.isEmpty()) {
            try {
                open.pop().close();
            } catch (Exception e) {
                // best effort
            }
        }
    }
}
