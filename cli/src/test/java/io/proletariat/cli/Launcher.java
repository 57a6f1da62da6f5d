package io.proletariat.cli;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the real launcher, {@code java io.proletariat.cli.Main ...}, as a subprocess on the test
 * class path. Standard input, output and error go through files in a temporary directory, so that
 * no pump threads are needed and a background process's output can be polled.
 */
final class Launcher {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private final Path dir;
    private final List<Background> started = new ArrayList<>();
    /** The class whose main the processes run: the real launcher unless a test says otherwise. */
    String mainClass = "io.proletariat.cli.Main";
    /** Environment variables added to every process started from now on. */
    final Map<String, String> env = new HashMap<>();

    Launcher(Path dir) {
        this.dir = dir;
    }

    /** The output of a finished run. */
    record Result(int exitCode, String stdout, String stderr) {
        List<String> lines() {
            return stdout.lines().toList();
        }
    }

    /** A launcher process still running; {@link #close()} stops it with SIGTERM (as Ctrl-C would). */
    final class Background implements AutoCloseable {
        final Process process;
        private final Path out;
        private final Path err;

        Background(Process process, Path out, Path err) {
            this.process = process;
            this.out = out;
            this.err = err;
        }

        String stdout() {
            return read(out);
        }

        String stderr() {
            return read(err);
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Runs the launcher with {@code stdin} (none when null) and waits for it, at most 45 s. */
    Result run(String stdin, String... args) throws Exception {
        int n = SEQ.incrementAndGet();
        Path in = dir.resolve("in-" + n);
        Files.writeString(in, stdin == null ? "" : stdin);
        Path out = dir.resolve("out-" + n);
        Path err = dir.resolve("err-" + n);
        Process p = builder(args).redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(45, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("launcher did not finish: " + String.join(" ", args) + "\nstderr: " + read(err));
        }
        return new Result(p.exitValue(), read(out), read(err));
    }

    /** Starts the launcher in the background; stopped by {@link #closeAll()}. */
    Background start(String... args) throws IOException {
        return startLogging("warn", args);
    }

    /** {@link #start}, with the launcher's log level at {@code level} instead of the tests' {@code warn}. */
    Background startLogging(String level, String... args) throws IOException {
        return startWithInput("", level, args);
    }

    /** {@link #startLogging}, with {@code stdin} as the process's standard input. */
    Background startWithInput(String stdin, String level, String... args) throws IOException {
        int n = SEQ.incrementAndGet();
        Path out = dir.resolve("out-" + n);
        Path err = dir.resolve("err-" + n);
        Path in = dir.resolve("in-" + n);
        Files.writeString(in, stdin);
        ProcessBuilder builder = builder(args);
        builder.command().add(1, "-Dorg.slf4j.simpleLogger.defaultLogLevel=" + level);
        Process p = builder.redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        Background b = new Background(p, out, err);
        started.add(b);
        return b;
    }

    /** Starts a command worker and waits until the manager has it ({@code workers} is the count expected then). */
    Background startWorker(io.proletariat.manager.Manager manager, int workers, String... args) throws IOException {
        Background b = start(args);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            if (!b.process.isAlive()) {
                throw new AssertionError("worker exited " + b.process.exitValue() + ": " + b.stderr());
            }
            return manager.stats().workers().size() >= workers;
        });
        return b;
    }

    /** Stops every background process started here. */
    void closeAll() {
        started.forEach(Background::close);
        started.clear();
    }

    private ProcessBuilder builder(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k",
                "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(cmd);
        builder.environment().putAll(env);
        return builder;
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
