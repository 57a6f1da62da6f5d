package io.proletariat.cli;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds a program as {@code execve} would, so that a worker refuses to start on one that does not exist. */
final class Executables {
    private Executables() {
    }

    /** Null when {@code name} can be run, else a one-line reason. */
    static String check(String name) {
        if (name.isEmpty()) {
            return "COMMAND must not be empty";
        }
        if (name.contains(File.separator)) {
            Path p = Path.of(name);
            if (!Files.exists(p)) {
                return "command not found: " + name;
            }
            return Files.isRegularFile(p) && Files.isExecutable(p) ? null : "not an executable file: " + name;
        }
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "" : path).split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return null;
            }
        }
        return "command not found: " + name + " (not in any directory of PATH)";
    }
}
