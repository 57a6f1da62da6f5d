package io.proletariat.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Properties;
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
                BenchCommand.class, LimitCommand.class, ZookeeperCommand.class, WorksCommand.class, CancelCommand.class,
                CommandLine.HelpCommand.class})
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
        return commandLine(System.getenv()).execute(args);
    }

    /**
     * The launcher's command line, ready to {@code execute}; {@code env} stands for the process
     * environment ({@code PROLETARIAT_*} variables of the manager), so tests can pass their own.
     */
    static CommandLine commandLine(Map<String, String> env) {
        // The libraries log connection events at INFO; the tools say what matters themselves.
        quietLogger("io.proletariat.worker");
        quietLogger("io.proletariat.client");
        CommandLine cli = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
        // `proletariat worker sh -c '...'`: everything from the command on belongs to the command.
        cli.getSubcommands().get("worker").setStopAtPositional(true);
        cli.getSubcommands().get("manager").setDefaultValueProvider(new ManagerConfiguration(env));
        cli.setParameterExceptionHandler(Main::usageError);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            System.err.println(prefix(cmd) + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return EXIT_FAILURE;
        });
        return cli;
    }

    /** A usage error as one line, with a pointer to the command's help: exit code {@value #EXIT_USAGE}. */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("bad usage");
        String help = " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')";
        if (e instanceof ManagerConfiguration.ConfigurationException) {
            help = ""; // the message names the file and what to do
        } else if (e instanceof CommandLine.UnmatchedArgumentException unmatched && cmd.getParent() == null
                && !unmatched.getUnmatched().isEmpty() && !unmatched.getUnmatched().get(0).startsWith("-")) {
            // The launcher itself takes no arguments: a word here is a command we do not have.
            String word = unmatched.getUnmatched().get(0);
            String near = cmd.getSubcommands().keySet().stream().filter(name -> editDistance(word, name) <= 2).findFirst().orElse(null);
            message = "unknown command '" + word + "'" + (near == null ? "" : "; did you mean '" + near + "'?");
            help = " (commands: " + String.join(", ", cmd.getSubcommands().keySet()) + "; see 'proletariat --help')";
        } else if (e.getArgSpec() != null && cmd.getDefaultValueProvider() instanceof ManagerConfiguration config
                && config.sourceOf(e.getArgSpec()) != null) {
            message += " (from " + config.sourceOf(e.getArgSpec()) + ")";
        }
        cmd.getErr().println(prefix(cmd) + ": " + message + help);
        cmd.getErr().flush();
        return EXIT_USAGE;
    }

    /** Levenshtein distance: a typo ({@code mangaer}) is within 2 of the command meant. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static void quietLogger(String name) {
        quietLogger(name, "warn");
    }

    /** Sets the simple logger's level of {@code name} unless a JVM option did; before the logger's first use. */
    static void quietLogger(String name, String level) {
        String key = "org.slf4j.simpleLogger.log." + name;
        if (System.getProperty(key) == null) {
            System.setProperty(key, level);
        }
    }

    private static String prefix(CommandLine cmd) {
        return cmd.getCommandSpec().qualifiedName();
    }

    /**
     * The version printed by {@code --version}, {@code proletariat 0.1.0 (commit 3194d8d)}: from
     * {@code version.properties}, which the build fills in; the commit is {@code unknown} when the
     * build had no git checkout.
     */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties built = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    built.load(in);
                }
            }
            return new String[] {"proletariat " + filled(built.getProperty("version"), "dev")
                    + " (commit " + filled(built.getProperty("commit"), "unknown") + ")"};
        }

        /** The value, or {@code otherwise} when the build left it empty or unfiltered ({@code ${...}}). */
        private static String filled(String value, String otherwise) {
            return value == null || value.isBlank() || value.startsWith("${") ? otherwise : value.strip();
        }
    }
}
