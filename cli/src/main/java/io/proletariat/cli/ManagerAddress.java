package io.proletariat.cli;

import io.proletariat.client.ClientOptions;
import io.proletariat.client.ConnectionOptions;
import io.proletariat.protocol.Wire;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import io.proletariat.protocol.Tls;
import javax.net.ssl.SSLSocketFactory;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code --host} and {@code --port} options shared by the commands that talk to a manager, or
 * {@code --managers} for the managers of a cluster, with TLS ({@code --tls}, {@code --tls-ca},
 * {@code --tls-cert}, {@code --tls-key}), with a quick reachability check so that an
 * unreachable manager is reported at once.
 */
final class ManagerAddress {
    /** Default manager host. */
    static final String DEFAULT_HOST = "127.0.0.1";
    /** Default manager port, as the original's. */
    static final int DEFAULT_PORT = Wire.DEFAULT_PORT;
    /** How long {@link #checkReachable()} waits for the TCP connection. */
    static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    /** The description of {@code --manager-silence}, which the commands built on the libraries take. */
    static final String SILENCE_DESCRIPTION = "Reconnect (to another of --managers, if given) when the manager said nothing for MS; "
            + "it is pinged after a third of it; 0: never (default: ${DEFAULT-VALUE}).";

    @Option(names = {"-H", "--host"}, paramLabel = "HOST", description = "Manager host (default: ${DEFAULT-VALUE}).")
    String host = DEFAULT_HOST;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", description = "Manager port (default: ${DEFAULT-VALUE}).")
    int port = DEFAULT_PORT;

    @Option(names = "--managers", split = ",", paramLabel = "HOST:PORT",
            description = "The managers of a cluster, instead of --host and --port: they are tried in turn, and a standby "
                    + "sends the connection to the leader (a HOST alone takes port " + DEFAULT_PORT + ").")
    List<String> managers;

    /** The environment variable a token is read from when neither --token nor --token-file is given. */
    static final String TOKEN_ENV = "PROLETARIAT_TOKEN";

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "Authenticate with this token, for a manager started with --auth (docs/security.md); "
                    + "visible to other local users in the process list: prefer --token-file or " + TOKEN_ENV + ".")
    String token;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "Authenticate with the token in FILE (its first line). Without --token or --token-file, the token is "
                    + "read from the environment variable " + TOKEN_ENV + " when it is set.")
    java.nio.file.Path tokenFile;

    @Option(names = "--tls", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
            description = "Connect with TLS, trusting the JVM's CAs (or --tls-ca); the manager's certificate must name the host connected to.")
    boolean tls;

    @Option(names = "--tls-ca", paramLabel = "PEM", description = "With TLS (implies --tls): trust the CAs of this PEM file for the manager's certificate.")
    Path tlsCa;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "With TLS (implies --tls): the client certificate (PEM) for a manager that requires one (--tls-client-ca); with --tls-key.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "The unencrypted PKCS#8 PEM private key of --tls-cert.")
    Path tlsKey;

    /** The command this mixin is part of: which options were given. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** {@code host:port} (brackets around an IPv6 literal), or the {@code --managers} list, comma-separated. */
    @Override
    public String toString() {
        return managers != null ? String.join(",", managers) : new Endpoint(host, port).toString();
    }

    /**
     * Null when the options are valid, else the one-line complaint. Writes {@code --managers} back
     * as {@code host:port} each.
     */
    String validate() {
        String bad = resolveToken(System.getenv(TOKEN_ENV));
        if (bad != null) {
            return bad;
        }
        String badTls = validateTls();
        if (badTls != null) {
            return badTls;
        }
        if (managers != null) {
            if (given("--host") || given("--port")) {
                return "--managers replaces --host and --port: give one or the other";
            }
            try {
                managers = ClientOptions.builder().managers(managers).build().managers();
            } catch (IllegalArgumentException e) {
                return "--managers: " + e.getMessage();
            }
            return null;
        }
        if (port < 1 || port > 65535) {
            return "--port must be between 1 and 65535: " + port;
        }
        if (host.isBlank()) {
            return "--host must not be blank";
        }
        return null;
    }

    /**
     * Settles {@link #token}: {@code --token}, else {@code --token-file}'s first line, else {@code env}
     * (the environment's {@value #TOKEN_ENV}); null when none. Returns the complaint, or null.
     */
    String resolveToken(String env) {
        if (token != null && tokenFile != null) {
            return "--token and --token-file both give a token: give one";
        }
        if (tokenFile != null) {
            try {
                List<String> lines = java.nio.file.Files.readAllLines(tokenFile, java.nio.charset.StandardCharsets.UTF_8);
                token = lines.isEmpty() ? "" : lines.get(0).strip();
            } catch (IOException | java.io.UncheckedIOException e) {
                return "--token-file: cannot read " + tokenFile + " (" + e.getMessage() + ")";
            }
            if (token.isEmpty()) {
                return "--token-file: " + tokenFile + " holds no token on its first line";
            }
        } else if (token == null && env != null && !env.isBlank()) {
            token = env.strip();
        }
        if (token != null && (token.isEmpty() || token.length() > 4096 || token.chars().anyMatch(Character::isISOControl))) {
            return "the token must be 1 to 4096 characters without control characters";
        }
        return null;
    }

    /** True when the connection speaks TLS: {@code --tls}, or one of the files that imply it. */
    boolean tlsOn() {
        return tls || tlsCa != null || tlsCert != null || tlsKey != null;
    }

    /** Null when the TLS options are valid (files present and PEM, the key matching), else the one-line complaint. */
    private String validateTls() {
        if ((tlsCert == null) != (tlsKey == null)) {
            return "--tls-cert and --tls-key go together: " + (tlsCert == null ? "--tls-cert" : "--tls-key") + " is missing";
        }
        if (tlsOn()) {
            try {
                Tls.socketFactory(tlsCa, tlsCert, tlsKey);
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        }
        return null;
    }

    /** The TLS sockets of {@code status} ({@link io.proletariat.protocol.BlockingConnection}); null without TLS. */
    SSLSocketFactory socketFactory() {
        return tlsOn() ? Tls.socketFactory(tlsCa, tlsCert, tlsKey) : null;
    }

    private boolean given(String option) {
        return command != null && command.commandLine() != null && command.commandLine().getParseResult() != null
                && command.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** Null when {@code --manager-silence} is valid, else the one-line complaint. */
    static String checkSilence(long millis) {
        return millis == 0 || millis >= 30 ? null : "--manager-silence must be 0 (never) or at least 30: " + millis;
    }

    /** Sets where the library connects: {@code --managers}, or {@code --host} and {@code --port}. */
    <B extends ConnectionOptions.Builder<B>> B applyTo(B options) {
        if (tlsOn()) {
            options.tls(true);
            if (tlsCa != null) {
                options.tlsCa(tlsCa);
            }
            if (tlsCert != null) {
                options.tlsClientCertificate(tlsCert, tlsKey);
            }
        }
        B b = managers != null ? options.managers(managers) : options.host(host).port(port);
        return token == null ? b : b.token(token);
    }

    /** The managers to try, in order: those of {@code --managers}, else the one of {@code --host} and {@code --port}. */
    List<Endpoint> endpoints() {
        if (managers == null) {
            return List.of(new Endpoint(host, port));
        }
        List<Endpoint> all = new ArrayList<>(managers.size());
        for (String m : managers) {
            all.add(Endpoint.parse(m));
        }
        return all;
    }

    /**
     * Opens and closes one TCP connection to the manager, or to each of {@code --managers} until one
     * connects (a standby does: it then sends the connection on to its leader).
     *
     * @return null when it worked, else a one-line reason ("cannot reach the manager at ...")
     */
    String checkReachable() {
        Exception last = null;
        for (Endpoint e : endpoints()) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(e.host(), e.port()), CONNECT_TIMEOUT_MILLIS);
                return null;
            } catch (IOException | IllegalArgumentException ex) {
                last = ex;
            }
        }
        return unreachable(last);
    }

    /** The one-line message for an unreachable manager (or none of {@code --managers} reachable). */
    String unreachable(Throwable cause) {
        String why = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        if (managers != null && managers.size() > 1) {
            return "cannot reach any of the managers at " + this + " (" + why + "); is `proletariat manager` running there?";
        }
        return "cannot reach the manager at " + this + " (" + why + "); is `proletariat manager` running there?";
    }

    /** One manager's address. */
    record Endpoint(String host, int port) {
        /**
         * {@code host:port} as {@code --managers} and a standby's {@code ENOTLEADER} write it
         * ({@code [::1]:1917} for IPv6); a host alone takes the default port.
         *
         * @throws IllegalArgumentException when it is no address
         */
        static Endpoint parse(String text) {
            String s = text.strip();
            String hostPart = s;
            int port = DEFAULT_PORT;
            int colon = s.lastIndexOf(':');
            if (s.startsWith("[")) {
                int close = s.indexOf(']');
                if (close < 0) {
                    throw new IllegalArgumentException("not a manager address (host:port): " + text);
                }
                hostPart = s.substring(1, close);
                if (close + 1 < s.length()) {
                    port = port(s.substring(close + 1).replaceFirst("^:", ""), text);
                }
            } else if (colon >= 0 && s.indexOf(':') == colon) {
                hostPart = s.substring(0, colon);
                port = port(s.substring(colon + 1), text);
            }
            if (hostPart.isBlank() || port < 1 || port > 65535) {
                throw new IllegalArgumentException("not a manager address (host:port): " + text);
            }
            return new Endpoint(hostPart, port);
        }

        private static int port(String digits, String text) {
            try {
                return Integer.parseInt(digits);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a manager address (host:port): " + text, e);
            }
        }

        @Override
        public String toString() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }
}
