package io.proletariat.cli;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.proletariat.protocol.RawJson;
import io.proletariat.worker.Work;
import io.proletariat.worker.WorkCompletion;
import io.proletariat.worker.WorkHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The work handler of {@code proletariat worker}: runs one process per work.
 *
 * <ul>
 *   <li>The process is started directly (no shell) with the work's args as JSON on its standard
 *       input, which is then closed.</li>
 *   <li>Exit 0: its standard output, with one trailing newline removed, is the result: as JSON when
 *       it is one JSON value, otherwise as a string; empty output gives {@code null}.</li>
 *   <li>Any other exit: the error {@code {"message":"exit N: <stderr tail>","code":"EEXIT","exitCode":N,"stderr":"<tail>"}},
 *       where the tail is the last {@value #STDERR_TAIL} characters of standard error.</li>
 *   <li>A command that cannot be started: the error {@code {"code":"ESPAWN","message":...}}.</li>
 *   <li>Every failed work is also one line on standard error: its id and why (the last line of
 *       its standard error).</li>
 *   <li>Output above {@value #MAX_OUTPUT} bytes: the error {@code {"code":"EOUTPUT",...}}.</li>
 *   <li>When the work is cancelled (run timeout, abort, disconnect, stop) the process and its
 *       descendants get SIGTERM, then SIGKILL after {@value #KILL_GRACE_MILLIS} ms; nothing is sent.</li>
 * </ul>
 *
 * <p>Threads: {@link #handle} blocks the worker's handler thread until the process ends; standard
 * output and standard error are drained by two threads of a cached pool owned by this runner.
 * Thread-safe.
 */
final class CommandRunner implements WorkHandler, AutoCloseable {
    /** Characters of standard error kept for the error result. */
    static final int STDERR_TAIL = 2_000;
    /** Largest standard output accepted as a result (the manager's frame limit is 20 MiB). */
    static final int MAX_OUTPUT = 16 * 1024 * 1024;
    /** Time between SIGTERM and SIGKILL when a work is cancelled. */
    static final long KILL_GRACE_MILLIS = 2_000;

    private final List<String> command;
    /** The command as started: in a session of its own where {@code setsid} exists (see {@link #SETSID}). */
    private final List<String> launch;
    /**
     * {@code setsid}, which runs the command in a session of its own (it becomes the command: no
     * fork, the same pid). Ctrl-C in the worker's terminal then reaches only the worker, which lets
     * running works finish as it promises, instead of killing them with the same signal.
     */
    static final String SETSID = java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/bin/setsid")) ? "/usr/bin/setsid"
            : java.nio.file.Files.isExecutable(java.nio.file.Path.of("/bin/setsid")) ? "/bin/setsid" : null;
    private final ExecutorService pumps;
    private final Set<Process> running = ConcurrentHashMap.newKeySet();
    private final AtomicInteger started = new AtomicInteger();

    /** The progress pipes ({@code --progress}), or null. */
    private final ProgressPipes progress;

    CommandRunner(List<String> command) {
        this(command, false);
    }

    /** @param progress whether descriptor {@value ProgressPipes#FD} of the command takes progress lines ({@link ProgressPipes}) */
    CommandRunner(List<String> command, boolean progress) {
        this.command = List.copyOf(command);
        this.launch = SETSID == null ? this.command
                : java.util.stream.Stream.concat(java.util.stream.Stream.of(SETSID), this.command.stream()).toList();
        this.pumps = Executors.newCachedThreadPool(new DefaultThreadFactory("proletariat-worker-pipe", true));
        try {
            this.progress = progress ? new ProgressPipes(pumps) : null;
        } catch (IOException e) {
            throw new IllegalStateException("cannot make the directory of the progress pipes: " + e.getMessage(), e);
        }
    }

    /** How many processes were started so far. */
    int startedCount() {
        return started.get();
    }

    @Override
    public void handle(Work work, WorkCompletion done) throws Exception {
        Process process;
        java.nio.file.Path pipe = null;
        java.util.concurrent.Future<?> progressReader = null;
        try {
            String missing = Executables.check(command.get(0));
            if (missing != null) {
                throw new IOException(missing);
            }
            if (progress == null) {
                process = new ProcessBuilder(launch).start();
            } else {
                pipe = progress.take();
                List<String> wrapped = ProgressPipes.wrap(pipe, command);
                ProcessBuilder pb = new ProcessBuilder(SETSID == null ? wrapped
                        : java.util.stream.Stream.concat(java.util.stream.Stream.of(SETSID), wrapped.stream()).toList());
                pb.environment().put(ProgressPipes.ENV, Integer.toString(ProgressPipes.FD));
                progressReader = progress.read(pipe, work);
                process = pb.start();
            }
        } catch (IOException | RuntimeException e) {
            if (progressReader != null) {
                ProgressPipes.unblock(pipe);
            }
            String message = "cannot run " + String.join(" ", command) + ": " + e.getMessage();
            WorkerCommand.say("work " + work.id() + " failed: " + message);
            done.fail(error("ESPAWN", message));
            return;
        }
        started.incrementAndGet();
        running.add(process);
        work.onAbort(() -> kill(process));
        try {
            var stdout = pumps.submit(() -> readCapped(process.getInputStream(), MAX_OUTPUT));
            var stderr = pumps.submit(() -> tail(process.getErrorStream()));
            try (OutputStream in = process.getOutputStream()) {
                in.write(work.args().toBytes());
                in.write('\n');
            } catch (IOException e) {
                // The command does not read its input, or exited early: its exit status tells.
            }
            int exit = process.waitFor();
            byte[] out = stdout.get();
            String err = stderr.get();
            if (progressReader != null) {
                awaitProgress(progressReader, pipe);
            }
            if (work.isCancelled()) {
                return;
            }
            if (exit != 0) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("message", "exit " + exit + (err.isEmpty() ? "" : ": " + err.strip()));
                e.put("code", "EEXIT");
                e.put("exitCode", exit);
                e.put("stderr", err);
                WorkerCommand.say("work " + work.id() + " failed: exit " + exit
                        + (err.isBlank() ? "" : ": " + err.strip().lines().reduce((a, b) -> b).orElse("")));
                done.fail(e);
            } else if (out == null) {
                kill(process);
                WorkerCommand.say("work " + work.id() + " failed: output larger than " + MAX_OUTPUT + " bytes");
                done.fail(error("EOUTPUT", "output larger than " + MAX_OUTPUT + " bytes"));
            } else {
                done.success(result(out));
            }
        } catch (InterruptedException e) {
            // Cancelled while waiting (run timeout, abort, stop): the result is not wanted.
            kill(process);
            Thread.currentThread().interrupt();
        } finally {
            running.remove(process);
        }
    }

    /**
     * Waits until the progress the command wrote before it ended is read, so that it reaches the
     * client before the result: the reader ends when every writer closed the pipe. A pipe that a
     * descendant still holds open is left to its reader after a second.
     */
    private static void awaitProgress(java.util.concurrent.Future<?> reader, java.nio.file.Path pipe) throws InterruptedException {
        try {
            reader.get(1, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            ProgressPipes.unblock(pipe); // the shell never opened it (it could not start): the reader waits for a writer
        } catch (java.util.concurrent.ExecutionException e) {
            // Reported by the reader.
        }
    }

    /** Standard output as a result: JSON when it is one JSON value, else the text; empty is null. */
    static Object result(byte[] out) {
        String text = new String(out, StandardCharsets.UTF_8);
        if (text.endsWith("\r\n")) {
            text = text.substring(0, text.length() - 2);
        } else if (text.endsWith("\n")) {
            text = text.substring(0, text.length() - 1);
        }
        if (text.isEmpty()) {
            return null;
        }
        if (!text.isBlank() && Json.check(text) == null) {
            return RawJson.of(text.strip());
        }
        return text;
    }

    private static Map<String, Object> error(String code, String message) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("message", message);
        e.put("code", code);
        return e;
    }

    /** Reads the stream to its end; null when it holds more than {@code max} bytes (the rest is drained). */
    private static byte[] readCapped(InputStream in, int max) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        boolean over = false;
        for (int n; (n = in.read(chunk)) >= 0; ) {
            if (!over && buf.size() + n > max) {
                over = true;
                buf = null;
            }
            if (!over) {
                buf.write(chunk, 0, n);
            }
        }
        return over ? null : buf.toByteArray();
    }

    /** Reads the stream to its end, keeping the last {@value #STDERR_TAIL} characters. */
    private static String tail(InputStream in) throws IOException {
        StringBuilder kept = new StringBuilder();
        byte[] chunk = new byte[8192];
        ByteArrayOutputStream window = new ByteArrayOutputStream();
        for (int n; (n = in.read(chunk)) >= 0; ) {
            window.write(chunk, 0, n);
            if (window.size() > 4 * STDERR_TAIL) {
                byte[] all = window.toByteArray();
                window.reset();
                window.write(all, all.length - 2 * STDERR_TAIL, 2 * STDERR_TAIL);
            }
        }
        kept.append(window.toString(StandardCharsets.UTF_8));
        return kept.length() <= STDERR_TAIL ? kept.toString() : kept.substring(kept.length() - STDERR_TAIL);
    }

    /** SIGTERM to the process and its descendants, SIGKILL to whatever is left after the grace time. */
    void kill(Process process) {
        if (!process.isAlive()) {
            return;
        }
        List<ProcessHandle> tree = process.descendants().toList();
        tree.forEach(ProcessHandle::destroy);
        process.destroy();
        pumps.execute(() -> {
            try {
                if (!process.waitFor(KILL_GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
            }
            tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        });
    }

    /** Kills every running process (used when the worker stops). */
    @Override
    public void close() {
        for (Process p : running) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        pumps.shutdown();
        if (progress != null) {
            progress.close();
        }
    }
}
