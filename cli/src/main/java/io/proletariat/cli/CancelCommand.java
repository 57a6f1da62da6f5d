package io.proletariat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code proletariat cancel ID...}: cancels works, or whole requests, by id. A queued work is
 * dropped, a running one aborted on its worker; its client gets the error {@code ECANCELED}. Asks
 * with the protocol's {@code cancel} command (docs/protocol.md, "Operator commands"), which needs
 * the {@code admin} role when authentication is on. One line per id says what happened.
 *
 * <pre>{@code
 * proletariat cancel W149636R12 W149636R13
 * proletariat cancel --client C1795811149625.3 R203398r610
 * }</pre>
 */
@Command(name = "cancel", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Cancel works or whole requests by id: queued works are dropped, running ones aborted on their worker; "
                + "their clients get the error ECANCELED.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:every id was cancelled",
                "1:some id was not live (finished or unknown), or the manager refused (EPERM: needs the admin role)",
                "2:bad usage",
                "3:the manager is unreachable"})
final class CancelCommand implements Callable<Integer> {
    /** Ids one cancel may name (the manager's bound). */
    static final int MAX_IDS = 1_000;

    @Mixin
    ManagerAddress manager = new ManagerAddress();

    @Option(names = "--client", paramLabel = "ID", description = "Request ids name the requests of this client only (request ids are the clients' own).")
    String client;

    @Option(names = "--json", description = "Print the manager's answer as raw JSON, one line.")
    boolean json;

    @Parameters(arity = "1..*", paramLabel = "ID", description = "Work ids (W...) or request ids, at most 1000.")
    List<String> ids;

    @Override
    public Integer call() {
        String bad = manager.validate();
        if (bad == null && ids.size() > MAX_IDS) {
            bad = "at most " + MAX_IDS + " ids at once: " + ids.size();
        }
        if (bad != null) {
            System.err.println("proletariat cancel: " + bad);
            return Main.EXIT_USAGE;
        }
        ObjectNode frame = Json.MAPPER.createObjectNode();
        ArrayNode list = frame.putArray("ids");
        ids.forEach(list::add);
        if (client != null) {
            frame.put("client", client);
        }
        frame.put("command", "cancel");
        JsonNode answer;
        try {
            answer = OperatorQuery.ask(manager, frame.toString(), "cancel", StatusCommand.TIMEOUT_MILLIS);
        } catch (OperatorQuery.Refused e) {
            System.err.println("proletariat cancel: " + e.getMessage());
            return Main.EXIT_FAILURE;
        } catch (ConnectException | java.net.UnknownHostException e) {
            System.err.println("proletariat cancel: " + manager.unreachable(e));
            return Main.EXIT_UNAVAILABLE;
        } catch (IOException e) {
            System.err.println("proletariat cancel: no answer from " + manager + ": " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
        boolean all = true;
        for (JsonNode item : answer.path("ids")) {
            all &= item.path("cancelled").asLong() > 0;
        }
        if (json) {
            ((ObjectNode) answer).remove(List.of("to", "command"));
            System.out.println(answer);
        } else {
            System.out.print(render(answer));
        }
        return all ? 0 : Main.EXIT_FAILURE;
    }

    /** One line per id. */
    static String render(JsonNode answer) {
        StringBuilder out = new StringBuilder();
        for (JsonNode item : answer.path("ids")) {
            String id = item.path("id").asText();
            long n = item.path("cancelled").asLong();
            if (item.has("reason")) {
                out.append(id).append(": not cancelled: ").append(item.path("reason").asText()).append('\n');
            } else if ("request".equals(item.path("kind").asText())) {
                out.append(id).append(": request of ").append(item.path("client").asText()).append(": ").append(n)
                        .append(n == 1 ? " work" : " works").append(" cancelled\n");
            } else {
                out.append(id).append(": cancelled (client ").append(item.path("client").asText()).append(" gets ECANCELED)\n");
            }
        }
        return out.toString();
    }
}
