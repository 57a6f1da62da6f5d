package io.proletariat.cli;

import io.proletariat.client.Client;
import io.proletariat.client.ClientOptions;
import io.proletariat.client.ConnectionException;
import io.proletariat.client.SystemMessageReceipt;
import io.proletariat.protocol.RawJson;
import io.proletariat.protocol.SystemMessage;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code proletariat sysmsg JSON}: sends a system message and waits for its acknowledgement.
 *
 * <p>Without {@code --to} the message goes to every other participant; {@code --to MANAGER} to the
 * manager alone, {@code --to ID} to one connection (a worker's id from {@code proletariat status}).
 * The manager acknowledges when every recipient answered, left, or 60 s passed; this prints
 * {@code sent to N, received by M}, or {@code received by the manager}. A recipient id that is not
 * connected is an error (exit code 1).
 *
 * <pre>{@code
 * proletariat sysmsg '{"reload":true}'
 * proletariat sysmsg --to MANAGER '"hello"'
 * }</pre>
 */
@Command(name = "sysmsg", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Send a system message and wait for the acknowledgement: prints \"sent to N, received by M\" "
                + "(\"received by the manager\" with --to MANAGER)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:acknowledged",
                "1:no participant with the --to id is connected, or no acknowledgement within 70 s",
                "2:bad usage (unknown flag, the message is not JSON)",
                "3:the manager is unreachable, or the connection was lost"})
final class SysmsgCommand implements Callable<Integer> {
    /** Longest wait for the acknowledgement (the manager gives up on recipients after 60 s). */
    static final long ACK_TIMEOUT_SECONDS = 70;

    @Mixin
    ManagerAddress manager = new ManagerAddress();

    @Option(names = "--to", paramLabel = "ID|MANAGER", description = "Recipient: MANAGER, or a connection id (default: everybody else).")
    String to;

    @Parameters(arity = "1", paramLabel = "JSON", description = "The message, one JSON value (a string needs its quotes: '\"hi\"').")
    String message;

    @Override
    public Integer call() throws InterruptedException {
        RawJson content;
        try {
            String bad = manager.validate();
            if (bad != null) {
                throw new IllegalArgumentException(bad);
            }
            content = Json.parse(message, "the message");
        } catch (IllegalArgumentException | Json.BadJsonException e) {
            System.err.println("proletariat sysmsg: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        String unreachable = manager.checkReachable();
        if (unreachable != null) {
            System.err.println("proletariat sysmsg: " + unreachable);
            return Main.EXIT_UNAVAILABLE;
        }
        try (Client client = new Client(manager.applyTo(ClientOptions.builder())
                .maxRetries(PushCommand.MAX_RETRIES).retryDelay(PushCommand.RETRY_DELAY).build())) {
            SystemMessageReceipt receipt = client.systemMessage(content, to).get(ACK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (SystemMessage.MANAGER.equals(to)) {
                System.out.println("received by the manager"); // it answers at once and counts no recipient
                return 0;
            }
            if (to != null && receipt.sentTo() == 0) {
                System.err.println("proletariat sysmsg: no participant " + to + " is connected (see `proletariat status` for the ids)");
                return Main.EXIT_FAILURE;
            }
            System.out.println("sent to " + receipt.sentTo() + ", received by " + receipt.receivedBy()
                    + (receipt.sentTo() == 0 ? " (nobody else is connected)" : ""));
            return 0;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ConnectionException) {
                System.err.println("proletariat sysmsg: " + manager.unreachable(cause));
                return Main.EXIT_UNAVAILABLE;
            }
            System.err.println("proletariat sysmsg: " + cause.getMessage());
            return Main.EXIT_FAILURE;
        } catch (TimeoutException e) {
            System.err.println("proletariat sysmsg: no acknowledgement within " + ACK_TIMEOUT_SECONDS + " s");
            return Main.EXIT_FAILURE;
        }
    }
}
