package io.proletariat.cli;

import io.proletariat.cluster.EmbeddedZooKeeper;
import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code proletariat zookeeper}: a single-node ZooKeeper in the foreground, for trying standby
 * managers on one machine ({@link EmbeddedZooKeeper}); Ctrl-C or SIGTERM stops it and deletes its
 * data when that was temporary. Not for production: one node is no quorum.
 */
@Command(name = "zookeeper", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a single-node ZooKeeper for trying standby managers on one machine (Ctrl-C stops it).",
                "For development only: one node is no quorum, and it has no authentication."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "1:the data directory cannot be used, or the server failed",
                "2:bad usage (unknown flag, bad --port)",
                "3:the port is taken, or the address cannot be bound",
                "130:stopped by Ctrl-C (143: by SIGTERM)"})
final class ZookeeperCommand implements Callable<Integer> {
    @Option(names = "--port", paramLabel = "PORT", description = "Client port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port = EmbeddedZooKeeper.DEFAULT_PORT;

    @Option(names = "--data", paramLabel = "DIR", description = "Directory of its snapshots and transaction log, kept across runs (default: a temporary directory, deleted when it stops).")
    Path data;

    @Option(names = "--bind", paramLabel = "ADDR", description = "Address to listen on; 0.0.0.0 for every interface, so that managers on other machines reach it (default: ${DEFAULT-VALUE}).")
    String bind = EmbeddedZooKeeper.DEFAULT_BIND_ADDRESS;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65_535) {
            System.err.println("proletariat zookeeper: --port must be between 0 and 65535: " + port);
            return Main.EXIT_USAGE;
        }
        if (bind == null || bind.isBlank()) {
            System.err.println("proletariat zookeeper: --bind must not be blank");
            return Main.EXIT_USAGE;
        }
        // ZooKeeper logs its whole configuration at INFO; the line below says what matters.
        Main.quietLogger("org.apache.zookeeper", "warn");
        // ... and warns that zookeeper.maxCnxns is unset, which only means no overall limit.
        Main.quietLogger("org.apache.zookeeper.server.ServerCnxnFactory", "error");
        EmbeddedZooKeeper zk;
        try {
            zk = EmbeddedZooKeeper.start(bind, port, data == null ? null : data.toAbsolutePath().normalize());
        } catch (BindException | UnknownHostException e) {
            System.err.println("proletariat zookeeper: cannot listen on " + bind.strip() + ":" + port + ": " + whyNotListening(e));
            return Main.EXIT_UNAVAILABLE;
        } catch (IOException e) {
            System.err.println("proletariat zookeeper: cannot use the data directory " + (data == null ? "(a temporary one)" : data)
                    + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
        AtomicBoolean stopping = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.set(true);
            zk.close();
        }, "proletariat-shutdown"));
        InetAddress host = zk.address().getAddress();
        String where = host.isAnyLocalAddress() ? "*" : host instanceof Inet6Address ? "[" + host.getHostAddress() + "]" : host.getHostAddress();
        System.out.println("proletariat zookeeper listening on " + where + ":" + zk.port() + ", data in " + zk.dataDirectory()
                + (zk.temporaryData() ? " (temporary: deleted when it stops)" : ""));
        System.out.flush();
        zk.awaitTermination();
        if (stopping.get()) {
            return 0; // Ctrl-C or SIGTERM: the JVM exits with 130 or 143
        }
        zk.close();
        System.err.println("proletariat zookeeper: the server stopped after an error (see the log above)");
        return Main.EXIT_FAILURE;
    }

    /** Why the address could not be bound, as the manager says it. */
    private static String whyNotListening(IOException e) {
        String message = String.valueOf(e.getMessage());
        if (e instanceof UnknownHostException) {
            return "unknown host (check --bind)";
        } else if (message.contains("Address already in use")) {
            return "the port is taken (is another ZooKeeper running? choose another with --port)";
        } else if (message.contains("Cannot assign requested address")) {
            return "no interface of this machine has that address (check --bind)";
        }
        return message;
    }
}
