package io.proletariat.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Java block of README.md, as written there, compiled and run as its own program: the
 * embedded manager, the worker against it, then both clients. The only change made to the text is
 * the port: the README's 1917 becomes an ephemeral one. So the README cannot drift from the API.
 */
class ReadmeExamplesTest {
    private static final Path README = Path.of("..", "README.md");
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern CLASS_NAME = Pattern.compile("public class (\\w+)");

    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killAll() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void everyJavaBlockOfTheReadmeCompilesAndRunsAgainstTheOthers() throws Exception {
        Map<String, String> programs = programs(Files.readString(README, StandardCharsets.UTF_8));
        assertThat(programs).containsOnlyKeys("GreetingWorker", "GreetingClient", "FuturesClient", "EmbeddedManager");

        Path classes = compile(programs, "0"); // the manager's own port is ephemeral: it prints it
        Process manager = run(classes, "EmbeddedManager");
        await().atMost(Duration.ofSeconds(30)).until(() -> read(manager, "out").contains("manager listening on port "));
        Matcher m = Pattern.compile("manager listening on port (\\d+)").matcher(read(manager, "out"));
        assertThat(m.find()).isTrue();
        Path connected = compile(programs, m.group(1));

        Process worker = run(connected, "GreetingWorker");
        Process callbacks = run(connected, "GreetingClient");
        assertThat(callbacks.waitFor(60, TimeUnit.SECONDS)).as("GreetingClient ends").isTrue();
        assertThat(callbacks.exitValue()).as(read(callbacks, "err")).isZero();
        assertThat(read(callbacks, "out")).contains("Result: [", "Greetings, comrade!", "work 2 finished: \"Greetings, comrade!\"",
                "all finished: [");

        Process futures = run(connected, "FuturesClient");
        assertThat(futures.waitFor(60, TimeUnit.SECONDS)).as("FuturesClient ends").isTrue();
        assertThat(futures.exitValue()).as(read(futures, "err")).isZero();
        assertThat(read(futures, "out")).contains("work 0: Greetings, comrade!", "work 1: Greetings, comrade!",
                "2 results, then: Greetings, comrade!");
        await().atMost(Duration.ofSeconds(20)).until(() -> read(manager, "out").contains("System message: {\"do\":\"something\"}"));

        // The worker stays up in its plain main until it is told to stop, then leaves cleanly.
        assertThat(worker.isAlive()).isTrue();
        worker.destroy(); // SIGTERM: its shutdown hook closes it
        assertThat(worker.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(read(worker, "err")).doesNotContain("Exception");
        manager.destroy();
        assertThat(manager.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    /** The README's Java blocks by class name. */
    static Map<String, String> programs(String readme) {
        Map<String, String> programs = new LinkedHashMap<>();
        Matcher block = JAVA_BLOCK.matcher(readme);
        while (block.find()) {
            Matcher name = CLASS_NAME.matcher(block.group(1));
            assertThat(name.find()).as("a README Java block is a whole program with a public class:%n%s", block.group(1)).isTrue();
            programs.put(name.group(1), block.group(1));
        }
        return programs;
    }

    /** Compiles every program with {@code 1917} replaced by {@code port}, into a directory of its own. */
    private Path compile(Map<String, String> programs, String port) throws IOException {
        Path src = Files.createDirectories(dir.resolve("src-" + port));
        Path out = Files.createDirectories(dir.resolve("classes-" + port));
        List<String> args = new ArrayList<>(List.of("-d", out.toString(), "-cp", System.getProperty("java.class.path"),
                "-proc:none", "-Xlint:none"));
        for (Map.Entry<String, String> p : programs.entrySet()) {
            Path file = src.resolve(p.getKey() + ".java");
            Files.writeString(file, p.getValue().replace("1917", port));
            args.add(file.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int rc = javac.run(null, errors, errors, args.toArray(String[]::new));
        assertThat(rc).as("javac: %s", errors.toString(StandardCharsets.UTF_8)).isZero();
        return out;
    }

    private Process run(Path classes, String main) throws IOException {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder b = new ProcessBuilder(javaBin.toString(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", classes + File.pathSeparator + System.getProperty("java.class.path"), main)
                .redirectOutput(dir.resolve(main + "-" + classes.getFileName() + ".out").toFile())
                .redirectError(dir.resolve(main + "-" + classes.getFileName() + ".err").toFile());
        Process p = b.start();
        processes.add(p);
        outputs.put(p, dir.resolve(main + "-" + classes.getFileName()));
        return p;
    }

    private final Map<Process, Path> outputs = new HashMap<>();

    private String read(Process p, String stream) {
        try {
            Path f = Path.of(outputs.get(p) + "." + stream);
            return Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
