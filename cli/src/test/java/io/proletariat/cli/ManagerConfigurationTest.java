package io.proletariat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.proletariat.manager.ManagerOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code proletariat manager} options from the {@code --config} file, {@code PROLETARIAT_*}
 * variables and flags: flags win over the environment, which wins over the file. In process, with
 * the environment passed as a map; one end-to-end run with a real environment.
 */
class ManagerConfigurationTest {
    @TempDir
    Path dir;
    private Launcher launcher;

    @AfterEach
    void tearDown() {
        if (launcher != null) {
            launcher.closeAll();
        }
    }

    /** The manager command as parsed from {@code args} with {@code env} as the environment (it is not run). */
    private static ManagerCommand parse(Map<String, String> env, String... args) {
        CommandLine cli = Main.commandLine(env);
        String[] all = new String[args.length + 1];
        all[0] = "manager";
        System.arraycopy(args, 0, all, 1, args.length);
        cli.parseArgs(all);
        return cli.getSubcommands().get("manager").getCommand();
    }

    /** Runs the launcher in process up to its first error: exit code and standard error. */
    private static String[] runForError(Map<String, String> env, String... args) {
        CommandLine cli = Main.commandLine(env);
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        int rc = cli.execute(args);
        return new String[] {Integer.toString(rc), err.toString()};
    }

    private Path config(String text) throws IOException {
        return Files.writeString(dir.resolve("proletariat.properties"), text);
    }

    @Test
    void withNothingSetTheBuiltInDefaultsApply() {
        ManagerCommand m = parse(Map.of());
        assertThat(m.port).isEqualTo(ManagerOptions.DEFAULT_PORT);
        assertThat(m.httpPort).isEqualTo(ManagerOptions.DEFAULT_HTTP_PORT);
        assertThat(m.sacredGuarantees).isFalse();
        assertThat(m.config).isNull();
    }

    @Test
    void fileValuesAreUsed() throws IOException {
        Path file = config("""
                # a comment
                port = 2000
                http-port=0
                bind = 127.0.0.1
                distrib-randmax = 250
                sacred-guarantees = true
                """);
        ManagerCommand m = parse(Map.of(), "--config", file.toString());
        assertThat(m.port).isEqualTo(2000);
        assertThat(m.httpPort).isZero();
        assertThat(m.bind).isEqualTo("127.0.0.1");
        assertThat(m.distribRandMax).isEqualTo(250);
        assertThat(m.sacredGuarantees).isTrue();
        assertThat(m.holdSimilarWork).isFalse();
        assertThat(m.availThreshold).isEqualTo(ManagerOptions.DEFAULT_AVAIL_THRESHOLD); // not in the file
    }

    @Test
    void environmentBeatsFileAndFlagBeatsEnvironment() throws IOException {
        Path file = config("port = 2000\nhttp-port = 2001\nmax-connections = 7\n");
        Map<String, String> env = Map.of("PROLETARIAT_PORT", "3000", "PROLETARIAT_HTTP_PORT", "3001",
                "PROLETARIAT_JAVA_OPTS", "-Xmx1g"); // the launcher's variable is no option, and is ignored
        ManagerCommand m = parse(env, "--config", file.toString(), "--http-port", "4001");
        assertThat(m.port).isEqualTo(3000);      // environment over file
        assertThat(m.httpPort).isEqualTo(4001);  // flag over environment
        assertThat(m.maxConnections).isEqualTo(7); // file over default
    }

    @Test
    void theFileCanBeNamedByTheEnvironment() throws IOException {
        Path file = config("port = 2000\n");
        assertThat(parse(Map.of("PROLETARIAT_CONFIG", file.toString())).port).isEqualTo(2000);
        Path other = Files.writeString(dir.resolve("other.properties"), "port = 2002\n");
        assertThat(parse(Map.of("PROLETARIAT_CONFIG", file.toString()), "--config", other.toString()).port).isEqualTo(2002);
    }

    @Test
    void booleanOptionsComeFromEveryLayerAndAFlagCanTurnThemOff() throws IOException {
        Path file = config("debug = true\nhold-similar-work = yes\n");
        ManagerCommand fromFile = parse(Map.of(), "--config", file.toString());
        assertThat(fromFile.debug).isTrue();
        assertThat(fromFile.holdSimilarWork).isTrue();

        ManagerCommand fromEnv = parse(Map.of("PROLETARIAT_SACRED_GUARANTEES", "1", "PROLETARIAT_DEBUG", "false"),
                "--config", file.toString());
        assertThat(fromEnv.sacredGuarantees).isTrue();
        assertThat(fromEnv.debug).isFalse(); // environment over file

        // A bare flag sets true whatever the layers below say (it never toggles); =false turns it off.
        ManagerCommand flags = parse(Map.of("PROLETARIAT_SACRED_GUARANTEES", "true"),
                "--config", file.toString(), "--sacred-guarantees", "--hold-similar-work=false", "--debug", "--port", "5");
        assertThat(flags.sacredGuarantees).isTrue();
        assertThat(flags.holdSimilarWork).isFalse();
        assertThat(flags.debug).isTrue();
        assertThat(flags.port).isEqualTo(5);
    }

    @Test
    void theClusterComesFromEveryLayerAndAnEmptyZookeeperIsNone() throws IOException {
        Path file = config("zookeeper =\ncluster = blue\nadvertise =\nzk-session-timeout = 2500\n");
        ManagerCommand fromFile = parse(Map.of(), "--config", file.toString());
        assertThat(fromFile.cluster).isEqualTo("blue");
        assertThat(fromFile.zkSessionTimeout).isEqualTo(2500);
        assertThat(fromFile.optionsBuilder().build().leadership()).as("the sample's empty zookeeper: alone").isNull();
        assertThat(fromFile.optionsBuilder().build().advertisedAddress()).isNull();

        ManagerCommand fromEnv = parse(Map.of("PROLETARIAT_ZOOKEEPER", "zk1:2181,zk2:2181", "PROLETARIAT_ADVERTISE", "m1:1917"),
                "--config", file.toString(), "--cluster", "green");
        assertThat(fromEnv.zookeeper).isEqualTo("zk1:2181,zk2:2181");
        assertThat(fromEnv.cluster).isEqualTo("green");
        ManagerOptions options = fromEnv.optionsBuilder().build();
        assertThat(options.leadership()).isNotNull();
        assertThat(options.advertisedAddress()).isEqualTo("m1:1917");
    }

    @Test
    void unknownKeyIsExitCode2NamingTheKeyAndTheFile() throws IOException {
        Path file = config("port = 2000\nprot = 2001\n");
        String[] r = runForError(Map.of(), "manager", "--config", file.toString());
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1].lines()).hasSize(1);
        assertThat(r[1]).startsWith("proletariat manager: unknown key 'prot' in " + file);
    }

    @Test
    void missingFileIsExitCode2WithAPlainMessage() {
        Path missing = dir.resolve("nope.properties");
        String[] r = runForError(Map.of(), "manager", "--config", missing.toString());
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).isEqualTo("proletariat manager: configuration file " + missing + " not found" + System.lineSeparator());
    }

    @Test
    void aBadValueNamesWhereItCameFrom() throws IOException {
        Path file = config("max-frame = lots\n");
        String[] fromFile = runForError(Map.of(), "manager", "--config", file.toString());
        assertThat(fromFile[0]).isEqualTo("2");
        assertThat(fromFile[1]).contains("'lots'").contains("(from " + file + ")");
        String[] fromEnv = runForError(Map.of("PROLETARIAT_PORT", "many"), "manager");
        assertThat(fromEnv[0]).isEqualTo("2");
        assertThat(fromEnv[1]).contains("'many'").contains("(from PROLETARIAT_PORT)");
    }

    @Test
    void theRealEnvironmentAndFileReachTheRunningManager() throws Exception {
        Path file = config("port = 0\nbind = 127.0.0.1\nhttp-port = 8917\n");
        launcher = new Launcher(dir);
        launcher.env.put("PROLETARIAT_SACRED_GUARANTEES", "true");
        launcher.env.put("PROLETARIAT_HTTP_PORT", "0"); // over the file's 8917: HTTP off
        Launcher.Background manager = launcher.start("manager", "--config", file.toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            if (!manager.process.isAlive()) {
                throw new AssertionError("manager exited " + manager.process.exitValue() + ": " + manager.stderr());
            }
            return manager.stdout().contains("listening on");
        });
        assertThat(manager.stdout()).containsPattern("listening on 127\\.0\\.0\\.1:\\d+ \\(\\w+, sacred guarantees\\)")
                .doesNotContain("dashboard:");
    }
}
