package io.proletariat.cli;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.proletariat.client.Client;
import io.proletariat.client.ClientOptions;
import io.proletariat.client.ConnectionException;
import io.proletariat.client.ConnectionListener;
import io.proletariat.client.ConnectionOptions;
import io.proletariat.client.WorkOptions;
import io.proletariat.client.WorkResult;
import io.proletariat.client.WorkSubmission;
import io.proletariat.protocol.JsonWriter;
import io.proletariat.protocol.ProletariatException;
import io.proletariat.protocol.RawJson;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code proletariat push [JSON...]}: pushes works as one group and prints their results.
 *
 * <p>The works are the arguments, or, without arguments, one per line of standard input (blank
 * lines skipped). Each must be one JSON value; it is sent verbatim. The results are printed one
 * per line as {@code {"err":..,"data":..}} in input order, or with {@code --each} as each finishes,
 * as {@code {"index":N,"err":..,"data":..}}. When standard error is a terminal, a progress line
 * (done/total, rate) is refreshed there during long runs.
 *
 * <pre>{@code
 * proletariat push '{"n":1}' '{"n":2}'
 * seq 1000 | jq -c '{n: .}' | proletariat push --each --run-timeout 5000
 * proletariat push --retries 3 --backoff 100ms --retry-on error,ETO --delay 5s '{"n":1}'
 * }</pre>
 */
@Command(name = "push", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Push works as one group and print their results, one JSON line each.",
                "%nThe works are the JSON arguments, or one per line of standard input when there are none (blank lines "
                        + "skipped). Results are printed as {\"err\":..,\"data\":..} in input order, or with --each as each "
                        + "finishes, as {\"index\":N,\"err\":..,\"data\":..}. A progress line is shown on standard error when it is a terminal."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:every work succeeded",
                "1:at least one work failed (its line has a non-null err), or the manager refused the push",
                "2:bad usage or input (unknown flag, a work that is not JSON, no works)",
                "3:the manager is unreachable when the push starts (a connection lost later is retried until --timeout)"})
final class PushCommand implements Callable<Integer> {
    /** Connection attempts that may fail in a row before {@code sysmsg} fails with exit code 3. */
    static final int MAX_RETRIES = 2;
    /** Wait between connection attempts. */
    static final Duration RETRY_DELAY = Duration.ofMillis(500);
    /**
     * A push that lost the manager keeps reconnecting, for as long as its {@code --timeout} allows
     * (its works then fail with ECSTO) or, without one, until the manager is back: waits double from
     * {@link #RETRY_DELAY} up to this.
     */
    static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(3);

    @Mixin
    ManagerAddress manager = new ManagerAddress();

    @Option(names = "--manager-silence", paramLabel = "MS", description = ManagerAddress.SILENCE_DESCRIPTION)
    long managerSilence = ConnectionOptions.DEFAULT_MANAGER_SILENCE.toMillis();

    @Option(names = "--priority", paramLabel = "N", description = "Priority of the works, >= 0; higher goes first (default: 0).")
    Integer priority;

    @Option(names = "--type", paramLabel = "TYPE", description = "Work type of the works: only workers started with --type TYPE take them "
            + "(1 to 64 characters of A-Z a-z 0-9 _ . : -; default: untyped).")
    String type;

    @Option(names = "--timeout", paramLabel = "MS", description = "Overall timeout: works unanswered after MS fail with ECSTO and are aborted.")
    Long timeout;

    @Option(names = "--run-timeout", paramLabel = "MS", description = "Run timeout: a worker that takes longer answers ETO (and kills the process of a command worker).")
    Long runTimeout;

    @Option(names = "--assign-timeout", paramLabel = "MS", description = "Works that no worker took within MS fail with EATO.")
    Long assignTimeout;

    @Option(names = "--retries", paramLabel = "N", description = "The manager retries a failed attempt up to N times (0 to 1000), after a backoff; the result is the last attempt's, with attempts and lastError on its line (default: the manager's, none unless it runs with --retries).")
    Integer retries;

    @Option(names = "--backoff", paramLabel = "DURATION", converter = Durations.class, description = "With --retries: the wait before the first retry (e.g. 100ms, 2s), doubling per attempt up to --backoff-max (default: the manager's, 1s).")
    Duration backoff;

    @Option(names = "--backoff-max", paramLabel = "DURATION", converter = Durations.class, description = "With --retries: the longest wait between attempts (default: the manager's, 60s).")
    Duration backoffMax;

    @Option(names = "--retry-on", paramLabel = "KINDS", split = ",", description = "With --retries: which failed attempts are retried, comma-separated: error, ETO, lost (default: the manager's, all three).")
    List<String> retryOn;

    @Option(names = "--delay", paramLabel = "DURATION", converter = Durations.class, description = "The works become eligible this long after the push (e.g. 5s, 2h; at most 30d).")
    Duration delay;

    @Option(names = "--not-before", paramLabel = "INSTANT", description = "The works become eligible at this time, ISO-8601 (e.g. 2026-12-01T10:00:00Z); at most 30 days ahead.")
    String notBefore;

    @Option(names = "--each", description = "Print each result as it finishes, tagged with its index: {\"index\":N,\"err\":..,\"data\":..}.")
    boolean each;

    @Option(names = "--progress", description = "Print the progress workers report, to standard error, one line per report: "
            + "{\"index\":N,\"id\":\"W..\",\"progress\":..}.")
    boolean progressLines;

    @Parameters(arity = "0..*", paramLabel = "JSON", description = "The works, one JSON value each; read from standard input, one per line, when none is given.")
    List<String> works = new ArrayList<>();

    /** The retry and delay options into the builder; an {@link IllegalArgumentException} naming the option for a bad value. */
    private void retriesAndDelay(WorkOptions.Builder b) {
        if (retries != null) {
            b.retries(retries);
        }
        if (backoff != null && backoffMax != null) {
            b.backoff(backoff, backoffMax);
        } else if (backoff != null) {
            b.backoff(backoff);
        } else if (backoffMax != null) {
            b.backoff(null, backoffMax);
        }
        if (retryOn != null) {
            List<WorkOptions.RetryOn> kinds = new ArrayList<>();
            for (String name : retryOn) {
                WorkOptions.RetryOn kind = null;
                for (WorkOptions.RetryOn k : WorkOptions.RetryOn.values()) {
                    if (k.wireName().equals(name.trim())) {
                        kind = k;
                    }
                }
                if (kind == null) {
                    throw new IllegalArgumentException("--retry-on takes error, ETO and lost, comma-separated: '" + name + "'");
                }
                kinds.add(kind);
            }
            if (kinds.isEmpty()) {
                throw new IllegalArgumentException("--retry-on needs at least one of error, ETO, lost");
            }
            b.retryOn(kinds.get(0), kinds.toArray(new WorkOptions.RetryOn[0]));
        }
        if (delay != null) {
            b.delay(delay);
        }
        if (notBefore != null) {
            java.time.Instant at;
            try {
                at = java.time.Instant.parse(notBefore);
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("--not-before takes an ISO-8601 instant such as 2026-12-01T10:00:00Z: '" + notBefore + "'");
            }
            if (at.isAfter(java.time.Instant.now().plus(WorkOptions.MAX_DELAY))) {
                throw new IllegalArgumentException("--not-before must be at most 30 days ahead: " + notBefore);
            }
            b.notBefore(at);
        }
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        WorkOptions options;
        List<RawJson> group;
        try {
            String bad = manager.validate();
            if (bad == null) {
                bad = ManagerAddress.checkSilence(managerSilence);
            }
            if (bad != null) {
                throw new IllegalArgumentException(bad);
            }
            WorkOptions.Builder b = WorkOptions.builder();
            if (priority != null) {
                b.priority(priority);
            }
            if (type != null) {
                b.type(type);
            }
            if (timeout != null) {
                b.overallTimeout(timeout);
            }
            if (runTimeout != null) {
                b.runTimeout(runTimeout);
            }
            if (assignTimeout != null) {
                b.assignTimeout(assignTimeout);
            }
            retriesAndDelay(b);
            if (progressLines) {
                // On the client's callback thread, in order; one line each, so that lines of works never mix.
                PrintStream err = System.err;
                b.onProgress((index, id, value) -> err.println("{\"index\":" + index + ",\"id\":" + RawJson.ofString(id) + ",\"progress\":" + value + "}"));
            }
            options = b.build();
            group = works.isEmpty() ? readStdin() : readArguments();
            if (group.isEmpty()) {
                throw new IllegalArgumentException("no works: give JSON arguments or lines on standard input");
            }
        } catch (IllegalArgumentException | Json.BadJsonException e) {
            System.err.println("proletariat push: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        String unreachable = manager.checkReachable();
        if (unreachable != null) {
            System.err.println("proletariat push: " + unreachable);
            return Main.EXIT_UNAVAILABLE;
        }
        ClientOptions clientOptions = manager.applyTo(ClientOptions.builder()).managerSilence(Duration.ofMillis(managerSilence))
                .maxRetries(Integer.MAX_VALUE).retryDelay(RETRY_DELAY).retryBackoff(MAX_RETRY_DELAY).build();
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), false, StandardCharsets.UTF_8);
        Client client = new Client(clientOptions);
        // Ctrl-C: closing the client makes the manager abort the works still running.
        AtomicBoolean interrupted = new AtomicBoolean();
        Thread hook = new Thread(() -> {
            interrupted.set(true);
            client.close();
        }, "proletariat-push-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Progress progress = stderrIsTerminal() && !progressLines ? new Progress(group.size()) : null; // one use of stderr at a time
        WaitNotice waiting = new WaitNotice(manager, group.size(), type);
        client.addConnectionListener(waiting);
        try {
            List<WorkResult> results;
            if (each || progress != null) {
                WorkSubmission submission = client.submitIndividual(group, options);
                for (CompletableFuture<WorkResult> f : submission.works()) {
                    // Runs on the client's single callback thread, in the order results arrive.
                    f.thenAccept(r -> {
                        if (progress != null) {
                            progress.done();
                        }
                        if (each) {
                            out.println(indexed(r));
                            out.flush();
                        }
                    });
                }
                results = submission.all().get();
            } else {
                results = client.submit(group, options).get();
            }
            if (progress != null) {
                progress.close();
            }
            boolean failed = false;
            for (WorkResult r : results) {
                failed |= r.isFailure();
                if (!each) {
                    out.println(line(r));
                }
            }
            out.flush();
            return failed ? Main.EXIT_FAILURE : 0;
        } catch (ExecutionException | CompletionException e) {
            if (progress != null) {
                progress.close();
            }
            out.flush();
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (interrupted.get()) {
                return Main.EXIT_FAILURE; // Ctrl-C: the JVM exits with 130 anyway, and nothing went wrong to report
            }
            if (cause instanceof ConnectionException) {
                System.err.println("proletariat push: " + manager.unreachable(cause));
                return Main.EXIT_UNAVAILABLE;
            }
            String code = cause instanceof ProletariatException p && p.code() != null ? p.code() + ": " : "";
            System.err.println("proletariat push: the manager refused the push: " + code + cause.getMessage());
            return Main.EXIT_FAILURE;
        } finally {
            waiting.close();
            client.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running already.
            }
        }
    }

    /** {@code {"index":N,"err":..,"data":..}} (and the attempts, as {@link #line}). */
    static RawJson indexed(WorkResult r) {
        JsonWriter w = JsonWriter.toBytes().beginObject().name("index").value(r.index())
                .name("err").raw(r.error() == null ? RawJson.NULL : r.error()).name("data").raw(r.data());
        return attempts(w, r).endObject().toRawJson();
    }

    /** {@code {"err":..,"data":..}}, with {@code "attempts"} and {@code "lastError"} for a work the manager retried. */
    static RawJson line(WorkResult r) {
        if (r.attempts() == 0 && r.lastError() == null) {
            return r.toJson();
        }
        JsonWriter w = JsonWriter.toBytes().beginObject().name("err").raw(r.error() == null ? RawJson.NULL : r.error()).name("data").raw(r.data());
        return attempts(w, r).endObject().toRawJson();
    }

    private static JsonWriter attempts(JsonWriter w, WorkResult r) {
        if (r.attempts() > 0) {
            w.name("attempts").value(r.attempts());
        }
        if (r.lastError() != null) {
            w.name("lastError").raw(r.lastError());
        }
        return w;
    }

    /** One work: a JSON value other than null (the protocol has no null work). */
    private static RawJson work(String text, String what) throws Json.BadJsonException {
        RawJson work = Json.parse(text, what);
        if (work.isNull()) {
            throw new Json.BadJsonException(what + " is null: a work must be a JSON value other than null");
        }
        return work;
    }

    private List<RawJson> readArguments() throws Json.BadJsonException {
        List<RawJson> group = new ArrayList<>(works.size());
        for (int i = 0; i < works.size(); i++) {
            group.add(work(works.get(i), "argument " + (i + 1)));
        }
        return group;
    }

    private static List<RawJson> readStdin() throws IOException, Json.BadJsonException {
        List<RawJson> group = new ArrayList<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        int lineNumber = 0;
        for (String line; (line = in.readLine()) != null; ) {
            lineNumber++;
            if (!line.isBlank()) {
                group.add(work(line, "line " + lineNumber));
            }
        }
        return group;
    }

    /**
     * The progress line on standard error: {@code done/total, rate/s}, refreshed in place every
     * 200 ms once the push has taken more than a second, then erased. Its timer is a daemon thread.
     */
    static final class Progress implements AutoCloseable {
        private final int total;
        private final long start = System.nanoTime();
        private final java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
        private final AtomicBoolean shown = new AtomicBoolean();
        private final java.util.concurrent.ScheduledExecutorService timer;

        Progress(int total) {
            this.total = total;
            this.timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("proletariat-push-progress", true));
            timer.scheduleAtFixedRate(this::show, 1000, 200, java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        void done() {
            done.incrementAndGet();
        }

        private void show() {
            shown.set(true);
            double seconds = (System.nanoTime() - start) / 1e9;
            int n = done.get();
            System.err.printf("\r%d/%d done, %.0f/s   ", n, total, n / seconds);
            System.err.flush();
        }

        @Override
        public void close() {
            timer.shutdownNow();
            if (shown.get()) {
                System.err.print("\r\033[K");
                System.err.flush();
            }
        }
    }

    /**
     * Says on standard error why works wait, when they do: {@value #FIRST_NOTICE_SECONDS} s after
     * the push and then every {@value #NOTICE_INTERVAL_SECONDS} s, it asks the manager's status (on
     * a connection of its own) and tells whether any worker is connected and how many slots are
     * free. As the client's connection listener it says when the manager is lost and found again.
     * Its timer is a daemon thread.
     */
    static final class WaitNotice implements ConnectionListener, AutoCloseable {
        static final long FIRST_NOTICE_SECONDS = 3;
        static final long NOTICE_INTERVAL_SECONDS = 10;
        private final ManagerAddress manager;
        private final int works;
        /** The works' type; null for untyped works. */
        private final String type;
        private final long start = System.nanoTime();
        private final java.util.concurrent.ScheduledExecutorService timer;

        /** The connection was lost and is not back yet: the reconnection notices speak, not the waiting one. */
        private volatile boolean lost;

        WaitNotice(ManagerAddress manager, int works) {
            this(manager, works, null);
        }

        WaitNotice(ManagerAddress manager, int works, String type) {
            this.manager = manager;
            this.works = works;
            this.type = type;
            this.timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("proletariat-push-notice", true));
            timer.scheduleWithFixedDelay(this::tell, FIRST_NOTICE_SECONDS, NOTICE_INTERVAL_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        }

        @Override
        public void onDisconnected() {
            lost = true;
            System.err.println("proletariat push: lost the manager at " + manager + "; reconnecting (until --timeout, if given)");
        }

        @Override
        public void onReconnected() {
            lost = false;
            System.err.println("proletariat push: connected to the manager at " + manager + " again; the unanswered works are pushed again");
        }

        private void tell() {
            if (lost) {
                return; // the reconnection notice said it
            }
            long waited = java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            String what = works == 1 ? "the work is not" : "the " + works + " works are not all";
            String why;
            try {
                com.fasterxml.jackson.databind.JsonNode status = Json.MAPPER.readTree(StatusCommand.ask(manager, 2_000));
                int workers = status.path("workers").size();
                boolean orphan = false;
                for (com.fasterxml.jackson.databind.JsonNode t : status.path("typesWithoutWorkers")) {
                    orphan |= t.asText().equals(type);
                }
                why = orphan && workers > 0
                        ? "no worker connected to the manager at " + manager + " takes type " + type
                                + " (start one: proletariat worker --type " + type + " -- COMMAND)"
                        : workers == 0
                        ? "no worker is connected to the manager at " + manager + " (start one: proletariat worker -- COMMAND)"
                        : workers + (workers == 1 ? " worker is" : " workers are") + " connected, "
                                + status.path("globalAvailableSlots").asLong() + " slots free, "
                                + status.path("pendingWorks").asLong() + " works waiting in all";
            } catch (IOException | RuntimeException e) {
                why = "the manager's status is not available (" + e.getMessage() + ")";
            }
            System.err.println("proletariat push: " + what + " answered after " + waited + " s: " + why);
        }

        @Override
        public void close() {
            timer.shutdownNow();
        }
    }

    /**
     * Whether standard error is a terminal, whatever stdin and stdout are (works are often piped
     * in and results redirected): on Linux from what fd 2 points to, elsewhere from the console.
     */
    static boolean stderrIsTerminal() {
        try {
            String target = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
    }
}
