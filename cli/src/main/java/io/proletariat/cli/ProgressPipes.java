package io.proletariat.cli;

import io.proletariat.protocol.RawJson;
import io.proletariat.worker.Work;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The progress channel of {@code proletariat worker --progress}: file descriptor {@value #FD} of each
 * command is the write end of a named pipe (FIFO) whose lines this class reads and hands to
 * {@link Work#progress}: a line that is one JSON value as that value, any other as a JSON string;
 * blank lines are skipped, and lines above {@link Work#MAX_PROGRESS_BYTES} bytes too (with a notice).
 *
 * <p>Java cannot hand a child process a descriptor beyond the standard three, so the command is
 * started through {@code sh -c 'exec 3>"$0" && exec "$@"' FIFO COMMAND...}: the shell opens the
 * pipe as descriptor 3 and becomes the command (same pid, nothing else changes). The pipes live in
 * a private temporary directory and are reused, one per running work; a pipe goes back to the pool
 * once its reader saw the end of the stream (every writer closed). Thread-safe.
 */
final class ProgressPipes implements AutoCloseable {
    /** The descriptor a command writes its progress lines to. */
    static final int FD = 3;
    /** The environment variable that names it for the command. */
    static final String ENV = "PROLETARIAT_PROGRESS_FD";

    private final Path dir;
    private final ConcurrentLinkedQueue<Path> free = new ConcurrentLinkedQueue<>();
    private final AtomicInteger made = new AtomicInteger();
    private final ExecutorService readers;

    ProgressPipes(ExecutorService readers) throws IOException {
        this.readers = readers;
        this.dir = Files.createTempDirectory("proletariat-worker-progress-"); // rwx for this user only
    }

    /** The command line that starts {@code command} with the pipe as descriptor {@value #FD}. */
    static List<String> wrap(Path pipe, List<String> command) {
        List<String> wrapped = new java.util.ArrayList<>(List.of("/bin/sh", "-c", "exec " + FD + ">\"$0\" && exec \"$@\"", pipe.toString()));
        wrapped.addAll(command);
        return wrapped;
    }

    /** A pipe for one work (made when none is free). */
    Path take() throws IOException {
        Path p = free.poll();
        if (p != null) {
            return p;
        }
        p = dir.resolve("p" + made.incrementAndGet());
        Process mkfifo = new ProcessBuilder("mkfifo", "-m", "600", p.toString()).redirectErrorStream(true).start();
        try {
            if (mkfifo.waitFor() != 0) {
                throw new IOException("mkfifo " + p + " failed: " + new String(mkfifo.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while making " + p);
        }
        return p;
    }

    /**
     * Reads the pipe's lines into the work's progress until every writer closed it, then gives the
     * pipe back to the pool. When the command never opened it (it could not start), {@link #unblock}
     * ends the wait.
     */
    java.util.concurrent.Future<?> read(Path pipe, Work work) {
        return readers.submit(() -> {
            try (InputStream in = Files.newInputStream(pipe)) {
                lines(in, work);
                free.add(pipe);
            } catch (IOException e) {
                WorkerCommand.say("work " + work.id() + ": cannot read its progress: " + e.getMessage());
            }
            return null;
        });
    }

    /** Opens the pipe for writing and closes it: a reader still waiting for a writer sees the end at once. */
    static void unblock(Path pipe) {
        try {
            Files.newOutputStream(pipe).close();
        } catch (IOException e) {
            // Gone: nothing waits.
        }
    }

    /** Splits the stream into lines and reports each; an overlong line is skipped whole. */
    static void lines(InputStream in, Work work) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        boolean overlong = false;
        byte[] chunk = new byte[8192];
        for (int n; (n = in.read(chunk)) >= 0; ) {
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (chunk[i] != '\n') {
                    continue;
                }
                overlong = append(line, chunk, start, i - start, overlong);
                if (!overlong) {
                    report(line.toString(StandardCharsets.UTF_8), work);
                } else {
                    WorkerCommand.say("work " + work.id() + ": a progress line longer than " + Work.MAX_PROGRESS_BYTES + " bytes was skipped");
                }
                line.reset();
                overlong = false;
                start = i + 1;
            }
            overlong = append(line, chunk, start, n - start, overlong);
        }
        if (line.size() > 0 && !overlong) {
            report(line.toString(StandardCharsets.UTF_8), work);
        }
    }

    private static boolean append(ByteArrayOutputStream line, byte[] chunk, int from, int length, boolean overlong) {
        if (overlong || line.size() + length > Work.MAX_PROGRESS_BYTES) {
            line.reset();
            return true;
        }
        line.write(chunk, from, length);
        return false;
    }

    /** One line: its JSON value, or the text as a JSON string. */
    static void report(String line, Work work) {
        String text = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        if (text.isBlank()) {
            return;
        }
        RawJson value = Json.check(text) == null ? RawJson.of(text.strip()) : RawJson.ofString(text);
        try {
            work.progress(value);
        } catch (IllegalArgumentException e) {
            WorkerCommand.say("work " + work.id() + ": progress skipped: " + e.getMessage()); // a string escaped beyond the bound
        }
    }

    /** Removes the pipes and their directory. */
    @Override
    public void close() {
        try (var files = Files.list(dir)) {
            files.forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Best effort: the directory is private and temporary.
        }
        dir.toFile().delete();
    }
}
