package io.proletariat.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code proletariat} launcher: one executable with a subcommand per tool.
 *
 * <p>Exit codes: 0 success; 1 a work failed or the command could not complete; 2 bad usage
 * (unknown flag, malformed argument); 3 the manager is unreachable or the port is taken.
 */
@Command(name = "proletariat", mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Distributed job processing made simple.",
        subcommands = {ManagerCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    /** Exit code: bad usage. */
    static final int EXIT_USAGE = 2;
    /** Exit code: the manager is unreachable, or its port is taken. */
    static final int EXIT_UNAVAILABLE = 3;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the launcher and returns its exit code (used by tests). */
    public static int run(String... args) {
        return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"proletariat " + (v == null ? "dev" : v)};
        }
    }
}
