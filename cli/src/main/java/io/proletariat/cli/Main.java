package io.proletariat.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code proletariat} launcher: one executable with a subcommand per tool.
 *
 * <p>Exit codes: 0 success; 1 a work failed or the command could not complete; 2 bad usage
 * (unknown flag, malformed argument); 3 the manager is unreachable or the port is taken. Errors
 * are one line on standard error, {@code proletariat <command>: <what went wrong>}.
 */
@Command(name = "proletariat", mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Distributed job processing made simple.",
        subcommands = {ManagerCommand.class, WorkerCommand.class, PushCommand.class, StatusCommand.class, SysmsgCommand.class,
                BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    /** Exit code: a work failed, or the command could not complete. */
    static final int EXIT_FAILURE = 1;
    /** Exit code: bad usage. */
    static final int EXIT_USAGE = 2;
    /** Exit code: the manager is unreachable, or its port is taken. */
    static final int EXIT_UNAVAILABLE = 3;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the launcher and returns its exit code (used by tests). */
    public static int run(String... args) {
        // The libraries log connection events at INFO; the tools say what matters themselves.
        quietLogger("io.proletariat.worker");
        quietLogger("io.proletariat.client");
        CommandLine cli = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
        // `proletariat worker sh -c '...'`: everything from the command on belongs to the command.
        cli.getSubcommands().get("worker").setStopAtPositional(true);
        cli.setParameterExceptionHandler(Main::usageError);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            System.err.println(prefix(cmd) + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return EXIT_FAILURE;
        });
        return cli.execute(args);
    }

    /** A usage error as one line, with a pointer to the command's help: exit code {@value #EXIT_USAGE}. */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("bad usage");
        System.err.println(prefix(cmd) + ": " + message + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
        return EXIT_USAGE;
    }

    private static void quietLogger(String name) {
        String key = "org.slf4j.simpleLogger.log." + name;
        if (System.getProperty(key) == null) {
            System.setProperty(key, "warn");
        }
    }

    private static String prefix(CommandLine cmd) {
        return cmd.getCommandSpec().qualifiedName();
    }

    /** The version printed by {@code --version}: the jar's implementation version, or {@code dev}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"proletariat " + (v == null ? "dev" : v)};
        }
    }
}
