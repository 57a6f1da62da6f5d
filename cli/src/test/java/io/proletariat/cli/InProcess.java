package io.proletariat.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;

/**
 * Runs the launcher in this JVM, as {@link Launcher#run} does in a new one: for commands that end
 * before they start anything (usage errors, validation, an unreachable manager, help). Standard
 * input, output and error are swapped for the run, so runs must not overlap (JUnit runs one test at
 * a time here).
 */
final class InProcess {
    private InProcess() {
    }

    /** The launcher as parsed from {@code args} (nothing is run); its subcommands hold the option values. */
    static CommandLine parse(String... args) {
        CommandLine cli = Main.commandLine(Map.of());
        cli.parseArgs(args);
        return cli;
    }

    /** The subcommand object {@code name} after parsing {@code name args...}. */
    static <T> T parsed(String name, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = name;
        System.arraycopy(args, 0, all, 1, args.length);
        return parse(all).getSubcommands().get(name).getCommand();
    }

    /** Runs the launcher with {@code stdin} (none when null), as if from a shell with an empty environment. */
    static synchronized Launcher.Result run(String stdin, String... args) {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        InputStream in = System.in;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            System.setIn(new ByteArrayInputStream((stdin == null ? "" : stdin).getBytes(StandardCharsets.UTF_8)));
            CommandLine cli = Main.commandLine(Map.of());
            cli.setOut(new PrintWriter(o, true));
            cli.setErr(new PrintWriter(e, true));
            int exitCode = cli.execute(args);
            return new Launcher.Result(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
            System.setIn(in);
        }
    }
}
