package io.proletariat.cli;

import io.proletariat.protocol.Wire;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import picocli.CommandLine.Option;

/**
 * The {@code --host} and {@code --port} options shared by the commands that talk to a manager,
 * with a quick reachability check so that an unreachable manager is reported at once.
 */
final class ManagerAddress {
    /** Default manager host. */
    static final String DEFAULT_HOST = "127.0.0.1";
    /** Default manager port, as the original's. */
    static final int DEFAULT_PORT = Wire.DEFAULT_PORT;
    /** How long {@link #checkReachable()} waits for the TCP connection. */
    static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    @Option(names = {"-H", "--host"}, paramLabel = "HOST", description = "Manager host (default: ${DEFAULT-VALUE}).")
    String host = DEFAULT_HOST;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", description = "Manager port (default: ${DEFAULT-VALUE}).")
    int port = DEFAULT_PORT;

    /** {@code host:port}, with brackets around an IPv6 literal. */
    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** Null when the options are valid, else the one-line complaint. */
    String validate() {
        if (port < 1 || port > 65535) {
            return "--port must be between 1 and 65535: " + port;
        }
        if (host.isBlank()) {
            return "--host must not be blank";
        }
        return null;
    }

    /**
     * Opens and closes one TCP connection to the manager.
     *
     * @return null when it worked, else a one-line reason ("cannot reach the manager at ...")
     */
    String checkReachable() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
            return null;
        } catch (IOException | IllegalArgumentException e) {
            return unreachable(e);
        }
    }

    /** The one-line message for an unreachable manager. */
    String unreachable(Throwable cause) {
        String why = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return "cannot reach the manager at " + this + " (" + why + "); is `proletariat manager` running there?";
    }
}
