package io.proletariat.cli;

import io.proletariat.worker.Worker;
import io.proletariat.worker.WorkerOptions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code proletariat worker -- COMMAND [ARG...]}: a worker that runs a program once per work.
 *
 * <p>Each work starts {@code COMMAND} (no shell: write {@code sh -c '...'} for one) with the work's
 * args as JSON on its standard input; its standard output is the result, a non-zero exit an error
 * ({@code EEXIT}, with the exit code and the tail of standard error). See {@link CommandRunner}.
 * Up to {@code --slots} processes run at once. The run timeout of a work and an abort kill its
 * process. Runs until Ctrl-C, which stops it cleanly (running works are requeued by the manager).
 *
 * <pre>{@code
 * proletariat worker --slots 4 -- sh -c 'jq .n'
 * }</pre>
 */
@Command(name = "worker", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a worker that runs COMMAND once per work, up to --slots at a time.",
                "%nThe work's args arrive as JSON on COMMAND's standard input; its standard output is the result "
                        + "(JSON when it parses, else a string, one trailing newline removed); a non-zero exit is the error "
                        + "{\"code\":\"EEXIT\",\"exitCode\":N,\"stderr\":\"<tail>\",\"message\":...}. No shell: write sh -c '...' for one. "
                        + "The run timeout and an abort kill the process. Ctrl-C stops the worker; its running works go back to the queue."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "2:bad usage (unknown flag, bad --priority-slots, no COMMAND)",
                "3:the manager is unreachable at start",
                "130:stopped by Ctrl-C (143: by SIGTERM); running works go back to the queue"})
final class WorkerCommand implements Callable<Integer> {
    @Mixin
    ManagerAddress manager = new ManagerAddress();

    @Option(names = "--slots", paramLabel = "N", description = "Works run at once (default: the number of CPUs, ${DEFAULT-VALUE}).")
    int slots = Runtime.getRuntime().availableProcessors();

    @Option(names = "--priority-slots", paramLabel = "PRIO=N", split = ",",
            description = "Slots guaranteed to priorities, e.g. 1=30,2=20 (of --slots; the rest take any priority).")
    Map<Integer, Integer> prioritySlots;

    @Option(names = "--answer-threshold", paramLabel = "N", description = "ANSWER_THRESHOLD: results sent per done message (default: ${DEFAULT-VALUE}).")
    int answerThreshold = WorkerOptions.DEFAULT_ANSWER_THRESHOLD;

    @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "The program to run for each work, and its arguments.")
    List<String> command;

    @Override
    public Integer call() throws InterruptedException {
        String bad = manager.validate();
        WorkerOptions options = null;
        if (bad == null) {
            try {
                WorkerOptions.Builder b = WorkerOptions.builder().host(manager.host).port(manager.port).slots(slots)
                        .answerThreshold(answerThreshold);
                if (prioritySlots != null) {
                    b.prioritySlots(prioritySlots);
                }
                options = b.build();
            } catch (IllegalArgumentException | IllegalStateException e) {
                bad = e.getMessage();
            }
        }
        if (bad != null) {
            System.err.println("proletariat worker: " + bad);
            return Main.EXIT_USAGE;
        }
        String unreachable = manager.checkReachable();
        if (unreachable != null) {
            System.err.println("proletariat worker: " + unreachable);
            return Main.EXIT_UNAVAILABLE;
        }
        CommandRunner runner = new CommandRunner(command);
        Worker worker = new Worker(options).onWork(runner);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            worker.stop();
            runner.close();
            stopped.countDown();
        }, "proletariat-worker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        worker.start();
        // Say when the manager accepted the offer, so that a user sees it is connected.
        for (int i = 0; i < 100 && !worker.isReady() && stopped.getCount() > 0; i++) {
            stopped.await(100, TimeUnit.MILLISECONDS);
        }
        System.err.println("proletariat worker " + (worker.isReady() ? worker.id() : "(connecting)") + " at " + manager
                + ": " + options.slots() + " slots, running " + String.join(" ", command));
        stopped.await();
        return 0;
    }
}
