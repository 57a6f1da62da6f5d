package io.proletariat.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tarball {@code mvn package} built, unpacked and run as a user would: {@code bin/proletariat}
 * with only {@code java}, {@code bash} and {@code readlink} on the PATH (no Maven, no JAVA_HOME),
 * so the launcher can only run from {@code lib/}. Loopback and ephemeral ports only.
 */
class DistributionIT {
    private static final String VERSION = System.getProperty("proletariat.version");
    private static final AtomicInteger SEQ = new AtomicInteger();

    @TempDir
    static Path work;
    /** The unpacked proletariat-VERSION directory. */
    static Path home;
    /** The only directory on the launcher's PATH. */
    static Path pathDir;

    @BeforeAll
    static void unpack() throws Exception {
        Path tarball = Path.of(System.getProperty("proletariat.tarball"));
        assertThat(tarball).exists();
        Process tar = new ProcessBuilder("tar", "-xzf", tarball.toString(), "-C", work.toString()).inheritIO().start();
        assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).isZero();
        home = work.resolve("proletariat-" + VERSION);
        pathDir = Files.createDirectory(work.resolve("path"));
        Files.createSymbolicLink(pathDir.resolve("java"), Path.of(System.getProperty("java.home"), "bin", "java"));
        Files.createSymbolicLink(pathDir.resolve("bash"), firstExisting("/bin/bash", "/usr/bin/bash"));
        Files.createSymbolicLink(pathDir.resolve("readlink"), firstExisting("/bin/readlink", "/usr/bin/readlink"));
    }

    /** The links point outside the temporary directory: remove them first, quietly. */
    @AfterAll
    static void removeLinks() throws IOException {
        for (Path dir : List.of(pathDir, work.resolve("usr-local-bin"))) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> links = Files.list(dir)) {
                    for (Path link : links.toList()) {
                        Files.delete(link);
                    }
                }
            }
        }
    }

    private static Path firstExisting(String... candidates) {
        return Stream.of(candidates).map(Path::of).filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new AssertionError("none of " + List.of(candidates)));
    }

    @Test
    void layoutIsBinLibConf() throws IOException {
        Path launcher = home.resolve("bin/proletariat");
        assertThat(Files.getPosixFilePermissions(launcher)).contains(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);
        Set<String> jars;
        try (Stream<Path> lib = Files.list(home.resolve("lib"))) {
            jars = lib.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
        assertThat(jars).contains("proletariat-cli-" + VERSION + ".jar", "proletariat-manager-" + VERSION + ".jar",
                "proletariat-client-" + VERSION + ".jar", "proletariat-protocol-" + VERSION + ".jar");
        assertThat(jars).anyMatch(j -> j.startsWith("netty-transport-native-epoll-") && j.endsWith("linux-x86_64.jar"))
                .anyMatch(j -> j.startsWith("picocli-")).anyMatch(j -> j.startsWith("slf4j-simple-"))
                .anyMatch(j -> j.startsWith("prometheus-metrics-instrumentation-jvm-"))
                .noneMatch(j -> j.startsWith("junit") || j.startsWith("assertj") || j.startsWith("awaitility") || j.startsWith("jmh"));
        // ZooKeeper's jars split packages: apart in lib/zookeeper/ (class path only), so that lib/ stays a module path.
        assertThat(jars).contains("zookeeper").noneMatch(j -> j.matches("(zookeeper|curator|proletariat-cluster).*\\.jar"));
        Set<String> zookeeperJars;
        try (Stream<Path> lib = Files.list(home.resolve("lib/zookeeper"))) {
            zookeeperJars = lib.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
        assertThat(zookeeperJars).contains("proletariat-cluster-" + VERSION + ".jar")
                .anyMatch(j -> j.matches("zookeeper-\\d.*\\.jar")).anyMatch(j -> j.startsWith("zookeeper-jute-"))
                .anyMatch(j -> j.startsWith("curator-recipes-")).anyMatch(j -> j.startsWith("metrics-core-"))
                .anyMatch(j -> j.startsWith("snappy-java-"))
                .noneMatch(j -> j.startsWith("netty") || j.startsWith("slf4j") || j.startsWith("proletariat-manager"));
        assertThat(home.resolve("conf/proletariat.properties")).isRegularFile();
        assertThat(home.resolve("conf/simplelogger.properties")).isRegularFile();
        assertThat(home.resolve("README.md")).isRegularFile();
        String unit = Files.readString(home.resolve("conf/proletariat-manager.service"));
        assertThat(unit).containsPattern("(?m)^ExecStart=\\S*/bin/proletariat manager --config \\S*/conf/proletariat\\.properties$")
                .containsPattern("(?m)^User=proletariat$")
                .containsPattern("(?m)^Restart=on-failure$")
                .containsPattern("(?m)^LimitNOFILE=\\d+$")
                .containsPattern("(?m)^WantedBy=multi-user\\.target$");
    }

    @Test
    void versionComesFromTheJarsWithConfOnTheClassPath() throws Exception {
        Result r = run(List.of("JAVA_OPTS=-XshowSettings:properties"), home.resolve("bin/proletariat").toString(), "--version");
        assertThat(r.exitCode).as(r.stderr).isZero();
        assertThat(r.stdout.strip()).matches("proletariat " + Pattern.quote(VERSION) + " \\(commit (\\p{XDigit}{7,}|unknown)\\)");
        // JAVA_OPTS reached the JVM, whose class path starts with conf/ (for simplelogger.properties).
        assertThat(r.stderr).contains("java.class.path = " + home.resolve("conf"));
    }

    @Test
    void launcherWorksThroughASymlink() throws Exception {
        Path link = Files.createSymbolicLink(Files.createDirectory(work.resolve("usr-local-bin")).resolve("proletariat"),
                home.resolve("bin/proletariat"));
        Result r = run(List.of(), link.toString(), "--version");
        assertThat(r.exitCode).as(r.stderr).isZero();
        assertThat(r.stdout).startsWith("proletariat " + VERSION);
    }

    @Test
    void theManagerExitsOnOutOfMemoryWithTheHeapOfItsConfiguration() throws Exception {
        // Issue 12, item 1: out of memory must end the manager, not leave a zombie listening.
        Path config = Files.writeString(work.resolve("heap-" + SEQ.incrementAndGet() + ".properties"), "heap = 96m\n");
        String launcher = home.resolve("bin/proletariat").toString();
        List<String> flags = List.of("JAVA_OPTS=-XX:+PrintCommandLineFlags");
        Result fromFile = run(flags, launcher, "manager", "--config", config.toString(), "--help");
        assertThat(fromFile.exitCode).as(fromFile.stderr).isZero();
        assertThat(fromFile.stdout).contains("-XX:+ExitOnOutOfMemoryError").contains("-XX:MaxHeapSize=" + 96 * 1024 * 1024);
        Result fromEnv = run(List.of("JAVA_OPTS=-XX:+PrintCommandLineFlags", "PROLETARIAT_HEAP=80m"), launcher, "manager", "--help");
        assertThat(fromEnv.stdout).contains("-XX:MaxHeapSize=" + 80 * 1024 * 1024);
        Result fromFlag = run(List.of("JAVA_OPTS=-XX:+PrintCommandLineFlags", "PROLETARIAT_HEAP=80m"), launcher,
                "manager", "--heap=72m", "--config", config.toString(), "--help");
        assertThat(fromFlag.stdout).contains("-XX:MaxHeapSize=" + 72 * 1024 * 1024);
        Result other = run(flags, launcher, "--version");
        assertThat(other.stdout).doesNotContain("ExitOnOutOfMemoryError");
    }

    /**
     * The jars of {@code lib/} as modules: an application on the module path reaches the manager and
     * both libraries through their exported packages only, and what they reflect on is opened to Jackson.
     */
    @Test
    void librariesAndManagerRunOnTheModulePath() throws Exception {
        Path app = Path.of(System.getProperty("proletariat.itResources"), "ModulePathApp.java");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Result r = run(List.of(), java.toString(), "--module-path", home.resolve("lib").toString(),
                "--add-modules", "io.proletariat.manager,io.proletariat.client,java.net.http",
                app.toAbsolutePath().toString());
        assertThat(r.exitCode).as(r.stderr).isZero();
        assertThat(r.stdout).contains("result {echo=hello}")
                .contains("/api/status 200").contains("/api/history 200").contains("/metrics 200");
    }

    /** {@code proletariat zookeeper} from the tarball: lib/zookeeper/ holds every jar ZooKeeper's server needs. */
    @Test
    void zookeeperRunsFromLibAndServesACuratorClient() throws Exception {
        int n = SEQ.incrementAndGet();
        Path out = work.resolve("zookeeper-out-" + n);
        Path err = work.resolve("zookeeper-err-" + n);
        Process zk = builder(List.of(), home.resolve("bin/proletariat").toString(), "zookeeper", "--port", "0")
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            Pattern listening = Pattern.compile("proletariat zookeeper listening on (127\\.0\\.0\\.1:\\d+), data in ");
            String[] connectString = new String[1];
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                if (!zk.isAlive()) {
                    throw new AssertionError("zookeeper exited " + zk.exitValue() + ": " + read(err));
                }
                Matcher m = listening.matcher(read(out));
                connectString[0] = m.find() ? m.group(1) : null;
                return connectString[0] != null;
            });
            try (CuratorFramework curator = CuratorFrameworkFactory.builder().connectString(connectString[0])
                    .retryPolicy(new RetryOneTime(100)).waitForShutdownTimeoutMs(10_000).build()) {
                curator.start();
                assertThat(curator.blockUntilConnected(30, TimeUnit.SECONDS)).as(read(err)).isTrue();
                curator.create().forPath("/dist", new byte[] {1});
                assertThat(curator.getData().forPath("/dist")).containsExactly(1);
            }
        } finally {
            zk.destroy(); // SIGTERM
            if (!zk.waitFor(30, TimeUnit.SECONDS)) {
                zk.destroyForcibly();
                throw new AssertionError("zookeeper did not stop on SIGTERM: " + read(err));
            }
        }
        assertThat(zk.exitValue()).isEqualTo(128 + 15);
    }

    @Test
    void managerRunsWithTheShippedConfiguration() throws Exception {
        assertManagerStarts(home.resolve("conf/proletariat.properties"));
    }

    @Test
    void sampleConfigurationNamesEveryOptionWithAnAcceptedValue() throws Exception {
        Path sample = home.resolve("conf/proletariat.properties");
        List<String> sampleLines = Files.readAllLines(sample);
        Pattern setting = Pattern.compile("^#([a-z][a-z-]*) =(?: (.*))?$"); // "#heap =": unset by default
        Set<String> keys = new TreeSet<>();
        List<String> uncommented = new ArrayList<>();
        for (String line : sampleLines) {
            Matcher m = setting.matcher(line);
            if (m.matches()) {
                keys.add(m.group(1));
                uncommented.add(m.group(1) + " = " + (m.group(2) == null ? "" : m.group(2)));
            }
        }
        Result help = run(List.of(), home.resolve("bin/proletariat").toString(), "manager", "--help");
        assertThat(help.exitCode).isZero();
        Set<String> options = new TreeSet<>();
        Matcher option = Pattern.compile("(?<![\\w-])--([a-z][a-z-]+)").matcher(help.stdout.substring(help.stdout.indexOf("Run the manager")));
        while (option.find()) {
            options.add(option.group(1));
        }
        options.removeAll(Set.of("help", "version", "config"));
        assertThat(keys).as("every option of 'manager --help' in " + sample).isEqualTo(options);
        // Every value shown is accepted: the sample with every line uncommented starts a manager.
        assertManagerStarts(Files.write(work.resolve("uncommented-" + SEQ.incrementAndGet() + ".properties"), uncommented));
    }

    /** Starts the unpacked manager with {@code config} (flags keep it on loopback, ephemeral, HTTP off), waits until it listens, stops it. */
    private static void assertManagerStarts(Path config) throws Exception {
        int n = SEQ.incrementAndGet();
        Path out = work.resolve("manager-out-" + n);
        Path err = work.resolve("manager-err-" + n);
        Process manager = builder(List.of(), home.resolve("bin/proletariat").toString(), "manager", "--config", config.toString(),
                "--port", "0", "--http-port", "0", "--bind", "127.0.0.1")
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                if (!manager.isAlive()) {
                    throw new AssertionError("manager exited " + manager.exitValue() + ": " + read(err));
                }
                return read(out).contains("listening on");
            });
            assertThat(read(out)).containsPattern("proletariat manager listening on 127\\.0\\.0\\.1:\\d+ ")
                    .doesNotContain("dashboard:");
        } finally {
            manager.destroy(); // SIGTERM, as systemd stops it
            if (!manager.waitFor(30, TimeUnit.SECONDS)) {
                manager.destroyForcibly();
                throw new AssertionError("manager did not stop on SIGTERM: " + read(err));
            }
        }
    }

    /** The output of a finished run. */
    private record Result(int exitCode, String stdout, String stderr) {
    }

    private static Result run(List<String> env, String... command) throws Exception {
        int n = SEQ.incrementAndGet();
        Path out = work.resolve("out-" + n);
        Path err = work.resolve("err-" + n);
        Process p = builder(env, command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("did not finish: " + String.join(" ", command) + "\n" + read(err));
        }
        return new Result(p.exitValue(), read(out), read(err));
    }

    /** A clean environment: PATH holds java, bash and readlink only; {@code env} adds NAME=VALUE entries. */
    private static ProcessBuilder builder(List<String> env, String... command) {
        ProcessBuilder b = new ProcessBuilder(command).directory(work.toFile());
        b.environment().clear();
        b.environment().put("PATH", pathDir.toString());
        for (String entry : env) {
            int eq = entry.indexOf('=');
            b.environment().put(entry.substring(0, eq), entry.substring(eq + 1));
        }
        return b.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
