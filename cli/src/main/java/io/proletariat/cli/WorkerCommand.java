package io.proletariat.cli;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.proletariat.client.ConnectionListener;
import io.proletariat.client.ConnectionOptions;
import io.proletariat.worker.Worker;
import io.proletariat.worker.WorkerOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
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
 * process. It waits for a manager that is not up yet and reconnects to one it lost, saying so on
 * standard error. Ctrl-C or SIGTERM stops it gracefully: it takes no more works, lets the running
 * ones finish for up to {@code --grace} seconds, and hands back what still runs (the manager
 * requeues it at once).
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
                        + "The run timeout and an abort kill the process. The worker waits for its manager and reconnects when it is lost. "
                        + "Ctrl-C or SIGTERM stops it gracefully (see --grace)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "2:bad usage (unknown flag, bad --priority-slots, no COMMAND, COMMAND not found)",
                "130:stopped by Ctrl-C (143: by SIGTERM)"})
final class WorkerCommand implements Callable<Integer> {
    @Mixin
    ManagerAddress manager = new ManagerAddress();

    @Option(names = "--manager-silence", paramLabel = "MS", description = ManagerAddress.SILENCE_DESCRIPTION)
    long managerSilence = ConnectionOptions.DEFAULT_MANAGER_SILENCE.toMillis();

    @Option(names = "--slots", paramLabel = "N", description = "Works run at once (default: the number of CPUs, ${DEFAULT-VALUE}).")
    int slots = Runtime.getRuntime().availableProcessors();

    @Option(names = "--priority-slots", paramLabel = "PRIO=N", split = ",",
            description = "Slots guaranteed to priorities, e.g. 1=30,2=20 (of --slots; the rest take any priority).")
    Map<Integer, Integer> prioritySlots;

    @Option(names = "--type", paramLabel = "TYPE",
            description = "Take works of this work type (repeatable); then untyped works only with --untyped (default: untyped works only).")
    List<String> types;

    @Option(names = "--untyped", description = "With --type: take untyped works too.")
    boolean untyped;

    @Option(names = "--answer-threshold", paramLabel = "N", description = "ANSWER_THRESHOLD: results sent per done message (default: ${DEFAULT-VALUE}).")
    int answerThreshold = WorkerOptions.DEFAULT_ANSWER_THRESHOLD;

    @Option(names = "--prefetch", paramLabel = "N",
            description = "Works taken ahead beyond --slots, so the next is here when a slot frees (our managers only; "
                    + "default: a tenth of the slots, at least 1; 0: none; not with --priority-slots).")
    Integer prefetch;

    @Option(names = "--grace", paramLabel = "SECONDS",
            description = "On Ctrl-C or SIGTERM, take no more works and let running ones finish for up to this long; "
                    + "what still runs then goes back to the queue at once (default: ${DEFAULT-VALUE}).")
    long graceSeconds = WorkerOptions.DEFAULT_SHUTDOWN_GRACE.toSeconds();

    @Option(names = "--progress",
            description = "COMMAND may report progress: each line it writes to file descriptor 3 (named in $PROLETARIAT_PROGRESS_FD) "
                    + "goes to the work's client, as JSON when the line is one JSON value, else as a string.")
    boolean progress;

    @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "The program to run for each work, and its arguments.")
    List<String> command;

    @Override
    public Integer call() throws InterruptedException {
        String bad = manager.validate();
        WorkerOptions options = null;
        if (bad == null && graceSeconds < 0) {
            bad = "--grace must be >= 0: " + graceSeconds;
        }
        if (bad == null) {
            bad = ManagerAddress.checkSilence(managerSilence);
        }
        if (bad == null) {
            bad = Executables.check(command.get(0));
        }
        if (bad == null) {
            try {
                WorkerOptions.Builder b = manager.applyTo(WorkerOptions.builder()).managerSilence(Duration.ofMillis(managerSilence)).slots(slots)
                        .answerThreshold(answerThreshold).shutdownGrace(Duration.ofSeconds(graceSeconds));
                if (prioritySlots != null) {
                    b.prioritySlots(prioritySlots);
                }
                if (types != null) {
                    b.types(types).untyped(untyped);
                } else if (untyped) {
                    throw new IllegalArgumentException("--untyped needs --type: a worker without types takes untyped works already");
                }
                if (prefetch != null) {
                    b.prefetch(prefetch);
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
        // This command says itself what happens to its connection (below); the library's lines would repeat it.
        System.setProperty("org.slf4j.simpleLogger.log.io.proletariat.worker", "error");
        CommandRunner runner = new CommandRunner(command, progress);
        Worker worker = new Worker(options).onWork(runner);
        Thread hook = new Thread(() -> {
            say("stopping: taking no more works, letting " + worker.busySlots() + " running works finish (at most " + graceSeconds + " s)");
            worker.close();
            runner.close();
        }, "proletariat-worker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("proletariat-worker-notice", true));
        try {
            worker.addConnectionListener(new Notices(worker, options, timer));
            worker.start();
            worker.awaitTermination();
        } finally {
            timer.shutdownNow();
        }
        return 0;
    }

    /** Says when the worker connects, loses and regains its manager, and when it waits for one for a second. */
    private final class Notices implements ConnectionListener {
        private final Worker worker;
        private final WorkerOptions options;
        private final ScheduledExecutorService timer;
        private ScheduledFuture<?> waiting; // the "waiting for the manager" notice, while not connected

        Notices(Worker worker, WorkerOptions options, ScheduledExecutorService timer) {
            this.worker = worker;
            this.options = options;
            this.timer = timer;
            waitNotice();
        }

        @Override
        public synchronized void onConnected() {
            waiting.cancel(false);
            say(worker.id() + " connected to the manager at " + manager + ": " + options.slots() + " slots, running " + String.join(" ", command));
        }

        @Override
        public void onReconnected() {
            onConnected();
        }

        @Override
        public synchronized void onDisconnected() {
            say("lost the manager at " + manager + "; reconnecting every " + options.reconnectPolicy().retryDelay().toMillis()
                    + " ms (running works go on; their results go to the next manager)");
            waitNotice();
        }

        @Override
        public synchronized void onClosed() {
            waiting.cancel(false);
        }

        private void waitNotice() {
            waiting = timer.schedule(() -> say("waiting for the manager at " + manager + " (is `proletariat manager` running there?)"),
                    1, TimeUnit.SECONDS);
        }
    }

    static void say(String line) {
        System.err.println("proletariat worker: " + line);
    }
}
