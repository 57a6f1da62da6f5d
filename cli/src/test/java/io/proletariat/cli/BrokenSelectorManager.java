package io.proletariat.cli;

import io.proletariat.manager.ManagerOptions;
import java.util.Arrays;
import picocli.CommandLine;

/**
 * {@code proletariat manager} as the launcher runs it, with a work selector that throws an
 * {@link Error} (as an out-of-memory error would arise) on the dispatch core: for {@link FatalErrorTest}.
 */
public final class BrokenSelectorManager {
    private BrokenSelectorManager() {
    }

    public static void main(String[] args) throws Exception {
        ManagerCommand command = new ManagerCommand();
        new CommandLine(command).parseArgs(Arrays.copyOfRange(args, 1, args.length)); // args[0] is "manager"
        ManagerOptions options = command.optionsBuilder()
                .workSelector((work, candidates, total) -> {
                    throw new OutOfMemoryError("Java heap space (thrown by the test's work selector)");
                })
                .build();
        System.exit(command.run(options));
    }
}
