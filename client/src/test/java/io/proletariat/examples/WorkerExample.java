package io.proletariat.examples;

import io.proletariat.worker.Worker;
import io.proletariat.worker.WorkerOptions;
import java.util.Map;

/** The original README's worker, in Java. */
public final class WorkerExample {
    private WorkerExample() {
    }

    public static Worker start(int port) {
        Worker worker = new Worker(WorkerOptions.builder().slots(100).host("127.0.0.1").port(port).build());

        // New work arrives (on the worker's executor: blocking is fine)
        worker.onWork((w, handler) -> {
            // This will take time
            Thread.sleep(1000);
            handler.done(null, "Greetings, comrade!");
        });

        // System messages
        worker.onSystemMessage(msg -> System.out.println("System message: " + msg.content()));

        // Start it
        worker.start();
        return worker;
    }

    /** The README's {@code worker.systemMessage({"do":"something"},{},function(){...})}. */
    public static void broadcast(Worker worker) {
        worker.systemMessage(Map.of("do", "something"), null,
                (err, receipt) -> System.out.println("Everybody got the message"));
    }
}
