package io.proletariat.cli;

import io.proletariat.client.Client;
import io.proletariat.client.ClientOptions;
import io.proletariat.client.WorkResult;
import io.proletariat.worker.Worker;
import io.proletariat.worker.WorkerOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code proletariat manager --demo}: shows a manager working, over its real port.
 *
 * <p>Starts a {@link Worker} with {@value #SLOTS} slots whose handler answers
 * {@code "Greetings, comrade!"} (the original README's worker) and a {@link Client} that pushes a
 * group of {@value #WORKS} works and prints their results. The client then leaves; the worker stays
 * connected, so {@code proletariat push '{"comrade":"you"}'} from another shell gets greeted too.
 * Runs on the calling thread; the worker is stopped by a shutdown hook.
 */
final class Demo {
    /** The demo worker's slots. */
    static final int SLOTS = 3;
    /** Works in the demo group. */
    static final int WORKS = 5;
    /** The greeting, as in the original README. */
    static final String GREETING = "Greetings, comrade!";

    private Demo() {
    }

    /** Runs the demo against the manager listening on {@code address}; returns false when it failed. */
    static boolean run(InetSocketAddress address) {
        InetAddress a = address.getAddress();
        String host = a == null || a.isAnyLocalAddress() ? InetAddress.getLoopbackAddress().getHostAddress() : a.getHostAddress();
        int port = address.getPort();
        Worker worker = new Worker(WorkerOptions.builder().host(host).port(port).slots(SLOTS).build())
                .onWork((work, done) -> done.success(GREETING));
        Runtime.getRuntime().addShutdownHook(new Thread(worker::stop, "proletariat-demo-shutdown"));
        worker.start();
        System.out.println("demo: a worker with " + SLOTS + " slots that greets, and a client pushing " + WORKS + " works:");
        List<Map<String, Object>> group = List.of(Map.of("comrade", "Ada"), Map.of("comrade", "Boris"),
                Map.of("comrade", "Clara"), Map.of("comrade", "Dmitri"), Map.of("comrade", "Emma"));
        try (Client client = new Client(ClientOptions.builder().host(host).port(port).build())) {
            List<WorkResult> results = client.submit(group).get(30, TimeUnit.SECONDS);
            for (WorkResult r : results) {
                System.out.println("demo: " + Json.MAPPER.writeValueAsString(group.get(r.index())) + " -> " + r.toJson());
            }
            System.out.println("demo: the greeting worker stays connected; from another shell try: bin/proletariat push '{\"comrade\":\"you\"}'");
            System.out.flush();
            return true;
        } catch (Exception e) {
            System.err.println("proletariat manager: the demo failed: " + e);
            return false;
        }
    }
}
