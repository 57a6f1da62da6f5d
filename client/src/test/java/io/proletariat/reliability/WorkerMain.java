package io.proletariat.reliability;

import io.proletariat.worker.Worker;
import io.proletariat.worker.WorkerOptions;
import java.time.Duration;

/**
 * A worker in a JVM of its own, for tests that kill a worker process with SIGKILL:
 * {@code java -cp <test classpath> io.proletariat.reliability.WorkerMain <port> <slots> <tag>}.
 * It runs the {@link AnswerChecker} echo handler and prints {@code READY <id>} once its offer is accepted.
 */
public final class WorkerMain {
    private WorkerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = Integer.parseInt(args[0]);
        int slots = Integer.parseInt(args[1]);
        String tag = args[2];
        Worker worker = new Worker(WorkerOptions.builder().host("127.0.0.1").port(port).slots(slots)
                .retryDelay(Duration.ofMillis(100)).build()).onWork(new AnswerChecker().echo(tag)).start();
        while (!worker.isReady()) {
            Thread.sleep(10);
        }
        System.out.println("READY " + worker.id());
        System.out.flush();
        Thread.currentThread().join(); // until killed
    }
}
