package io.proletariat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.proletariat.manager.ManagerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Work types and limits from the command line (issue 16): {@code worker --type/--untyped},
 * {@code push --type}, {@code manager --limit} (flag and configuration file) and {@code proletariat limit},
 * as subprocesses against a real manager.
 */
class WorkTypesCommandsTest extends ManagerTestBase {
    /** A worker command that answers with a fixed JSON string, naming which worker ran the work. */
    private static String[] answering(String name) {
        return new String[] {"sh", "-c", "read x; echo '\"" + name + "\"'"};
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void typedWorksRunOnTypedWorkersAndUntypedOnesElsewhere() throws Exception {
        launcher.startWorker(manager, 1, concat(new String[] {"worker", "--port", port, "--slots", "2", "--type", "resize", "--type", "crop", "--"},
                answering("typed")));
        launcher.startWorker(manager, 2, concat(new String[] {"worker", "--port", port, "--slots", "2", "--"}, answering("plain")));

        Launcher.Result typed = launcher.run(null, "push", "--port", port, "--type", "resize", "1", "2", "3", "4", "5");
        assertThat(typed.exitCode()).as(typed.stderr()).isZero();
        assertThat(typed.lines()).hasSize(5).allMatch(l -> l.equals("{\"err\":null,\"data\":\"typed\"}"));
        Launcher.Result crop = launcher.run(null, "push", "--port", port, "--type", "crop", "1");
        assertThat(crop.lines()).containsExactly("{\"err\":null,\"data\":\"typed\"}");
        Launcher.Result plain = launcher.run(null, "push", "--port", port, "1", "2", "3", "4", "5");
        assertThat(plain.exitCode()).as(plain.stderr()).isZero();
        assertThat(plain.lines()).hasSize(5).allMatch(l -> l.equals("{\"err\":null,\"data\":\"plain\"}"));

        Launcher.Result status = launcher.run(null, "status", "--port", port);
        assertThat(status.stdout()).contains("TYPES", "resize,crop", "untyped", "TYPE", "BY PRIORITY");
    }

    @Test
    void anUntypedWorkerOfTypesTakesBothAndATypeWithNoWorkerWaitsForItsAssignTimeout() throws Exception {
        launcher.startWorker(manager, 1, concat(new String[] {"worker", "--port", port, "--type", "resize", "--untyped", "--"}, answering("both")));
        assertThat(launcher.run(null, "push", "--port", port, "1").lines()).containsExactly("{\"err\":null,\"data\":\"both\"}");
        assertThat(launcher.run(null, "push", "--port", port, "--type", "resize", "1").lines())
                .containsExactly("{\"err\":null,\"data\":\"both\"}");
        Launcher.Result orphan = launcher.run(null, "push", "--port", port, "--type", "render", "--assign-timeout", "300", "1");
        assertThat(orphan.exitCode()).isEqualTo(Main.EXIT_FAILURE);
        assertThat(orphan.stdout()).contains("EATO");
        Launcher.Background waiting = launcher.start("push", "--port", port, "--type", "render", "1");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> waiting.stderr().contains("takes type render"));
        assertThat(waiting.stderr()).contains("no worker connected to the manager at 127.0.0.1:" + port
                + " takes type render (start one: proletariat worker --type render -- COMMAND)");
    }

    @Test
    void badTypesAreUsageErrors() throws Exception {
        Launcher.Result push = launcher.run(null, "push", "--port", port, "--type", "a b", "1");
        assertThat(push.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(push.stderr()).contains("invalid work type 'a b'");
        Launcher.Result worker = launcher.run(null, "worker", "--port", port, "--untyped", "--", "cat");
        assertThat(worker.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(worker.stderr()).contains("--untyped needs --type");
        Launcher.Result limit = launcher.run(null, "limit", "--port", port, "resize=many");
        assertThat(limit.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(limit.stderr()).contains("TYPE=MAX");
    }

    @Test
    void limitSetsRemovesAndPrintsTheLimitsInForce() throws Exception {
        Launcher.Result none = launcher.run(null, "limit", "--port", port);
        assertThat(none.exitCode()).as(none.stderr()).isZero();
        assertThat(none.stdout()).isEqualTo("no limits\n");

        Launcher.Result set = launcher.run(null, "limit", "--port", port, "resize=5", "thumbnail=0");
        assertThat(set.exitCode()).as(set.stderr()).isZero();
        assertThat(set.lines()).containsExactly("TYPE       MAX  RUNNING", "resize     5    0", "thumbnail  0    0");
        assertThat(manager.stats().types()).extracting(t -> t.type() + "=" + t.limit()).containsExactly("resize=5", "thumbnail=0");

        Launcher.Result removed = launcher.run(null, "limit", "--port", port, "resize=none");
        assertThat(removed.lines()).containsExactly("TYPE       MAX  RUNNING", "thumbnail  0    0");
        Launcher.Result status = launcher.run(null, "status", "--port", port);
        assertThat(status.stdout()).contains("thumbnail");
    }

    @Test
    void managerLimitsComeFromFlagsAndTheConfigurationFile() throws Exception {
        CommandLine cli = Main.commandLine(Map.of());
        cli.parseArgs("manager", "--limit", "resize=5,crop=1", "--limit", "thumb=0", "--max-work-types", "50");
        ManagerOptions options = ((ManagerCommand) cli.getSubcommands().get("manager").getCommand()).optionsBuilder().build();
        assertThat(options.typeLimits()).containsExactly(Map.entry("crop", 1), Map.entry("resize", 5), Map.entry("thumb", 0));
        assertThat(options.maxWorkTypes()).isEqualTo(50);

        Path file = Files.writeString(dir.resolve("proletariat.properties"), "limit = resize=7,thumb=2\n");
        CommandLine fromFile = Main.commandLine(Map.of());
        fromFile.parseArgs("manager", "--config", file.toString());
        assertThat(((ManagerCommand) fromFile.getSubcommands().get("manager").getCommand()).optionsBuilder().build().typeLimits())
                .containsExactly(Map.entry("resize", 7), Map.entry("thumb", 2));

        CommandLine bad = Main.commandLine(Map.of());
        bad.parseArgs("manager", "--limit", "a b=1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ((ManagerCommand) bad.getSubcommands().get("manager").getCommand()).optionsBuilder())
                .hasMessageContaining("--limit").hasMessageContaining("invalid work type");
    }
}
