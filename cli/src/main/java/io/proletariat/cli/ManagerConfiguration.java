package io.proletariat.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where {@code proletariat manager} takes the options it was not given as flags: picocli asks this
 * provider for the default of every option left unset on the command line.
 *
 * <p>Order, first wins: the flag; the environment variable {@code PROLETARIAT_<OPTION>} (the long
 * option in capitals, dashes as underscores: {@code --http-port} is {@code PROLETARIAT_HTTP_PORT});
 * the configuration file, a properties file whose keys are the long options without
 * {@code --} ({@code http-port = 8917}), named by {@code --config FILE} or
 * {@code PROLETARIAT_CONFIG}; the built-in default.
 *
 * <p>A key in the file that is no option is an error naming the key and the file, as is a file
 * that cannot be read: both are {@link ConfigurationException}s, exit code 2. Unknown
 * {@code PROLETARIAT_*} variables are ignored (the environment is shared, e.g. with
 * {@code PROLETARIAT_JAVA_OPTS} of the launcher). Boolean options also accept {@code yes/no},
 * {@code on/off}, {@code 1/0}. An empty environment variable counts as unset.
 *
 * <p>Used on the parsing thread only; one instance per command line.
 */
final class ManagerConfiguration implements CommandLine.IDefaultValueProvider {
    static final String ENV_PREFIX = "PROLETARIAT_";
    static final String CONFIG_OPTION = "--config";

    private final Map<String, String> env;
    /** The file read so far, and its values (keys checked); reloaded when --config names another. */
    private Path loadedPath;
    private Map<String, String> fileValues = Map.of();
    /** For error messages: where each option's value came from, when it came from here. */
    private final Map<ArgSpec, String> sources = new HashMap<>();

    ManagerConfiguration(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** A configuration file that cannot be read or names an unknown key. */
    static final class ConfigurationException extends CommandLine.ParameterException {
        private static final long serialVersionUID = 1L;

        ConfigurationException(CommandLine cmd, String message) {
            super(cmd, message);
        }
    }

    @Override
    public String defaultValue(ArgSpec arg) throws IOException {
        if (!(arg instanceof OptionSpec option) || !configurable(option)) {
            return null;
        }
        String key = key(option);
        String fromEnv = env.get(envName(key));
        if (fromEnv != null && !fromEnv.isBlank()) {
            return found(option, fromEnv.strip(), envName(key));
        }
        if (CONFIG_OPTION.equals(option.longestName())) {
            return null;
        }
        Map<String, String> file = file(option.command());
        String fromFile = file.get(key);
        return fromFile == null ? null : found(option, fromFile, loadedPath.toString());
    }

    /** Where the value of {@code arg} came from ({@code PROLETARIAT_PORT}, a file name), or null when not from here. */
    String sourceOf(ArgSpec arg) {
        return sources.get(arg);
    }

    /** {@code PROLETARIAT_HTTP_PORT} for the key {@code http-port}. */
    static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    private String found(OptionSpec option, String value, String source) {
        sources.put(option, source);
        return isBoolean(option) ? booleanWord(value) : value;
    }

    /** Every long option but help, version and --config itself can come from the file. */
    private static boolean configurable(OptionSpec option) {
        return option.longestName().startsWith("--") && !option.usageHelp() && !option.versionHelp();
    }

    private static String key(OptionSpec option) {
        return option.longestName().substring(2);
    }

    private static boolean isBoolean(OptionSpec option) {
        return option.type() == boolean.class || option.type() == Boolean.class;
    }

    /** yes/on/1 and no/off/0 as picocli's true and false; anything else is left for picocli to refuse. */
    private static String booleanWord(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "yes", "on", "1" -> "true";
            case "no", "off", "0" -> "false";
            default -> value;
        };
    }

    /** The configuration file's values, read once; empty when there is no file. */
    private Map<String, String> file(CommandSpec command) throws IOException {
        Path path = configPath(command);
        if (path == null) {
            return Map.of();
        }
        if (!path.equals(loadedPath)) {
            fileValues = read(command, path);
            loadedPath = path;
        }
        return fileValues;
    }

    /** --config if given, else PROLETARIAT_CONFIG, else none. */
    private Path configPath(CommandSpec command) {
        OptionSpec config = command.findOption(CONFIG_OPTION);
        Object given = config == null ? null : config.getValue();
        if (given != null) {
            return Path.of(given.toString());
        }
        String fromEnv = env.get(envName(CONFIG_OPTION.substring(2)));
        return fromEnv == null || fromEnv.isBlank() ? null : Path.of(fromEnv.strip());
    }

    private static Map<String, String> read(CommandSpec command, Path path) throws IOException {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            properties.load(in);
        } catch (NoSuchFileException e) {
            throw new ConfigurationException(command.commandLine(), "configuration file " + path + " not found");
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigurationException(command.commandLine(), "cannot read the configuration file " + path + ": " + e.getMessage());
        }
        Set<String> known = new TreeSet<>();
        for (OptionSpec option : command.options()) {
            if (configurable(option) && !CONFIG_OPTION.equals(option.longestName())) {
                known.add(key(option));
            }
        }
        Map<String, String> values = new HashMap<>();
        for (String key : new TreeSet<>(properties.stringPropertyNames())) {
            if (!known.contains(key)) {
                throw new ConfigurationException(command.commandLine(), "unknown key '" + key + "' in " + path
                        + " (keys are the long options without '--', as listed by '" + command.qualifiedName() + " --help')");
            }
            values.put(key, properties.getProperty(key).strip());
        }
        return values;
    }
}
