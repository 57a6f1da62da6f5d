package io.proletariat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code proletariat works}: the manager's live works, oldest first, with their id, request id,
 * client, worker, priority, state and age; filtered by client, worker, type or running. Asks with
 * the protocol's {@code works} command (docs/protocol.md, "Operator commands"), which needs the
 * {@code admin} role when authentication is on.
 *
 * <pre>{@code
 * proletariat works --running
 * proletariat works --client C1795811149625.3 --limit 20 --json
 * }</pre>
 */
@Command(name = "works", mixinStandardHelpOptions = true, sortOptions = false,
        description = "List the manager's live works (queued, held, parked, assigned, running), oldest first.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:printed",
                "1:the manager refused (EPERM: needs the admin role) or gave no usable answer",
                "2:bad usage",
                "3:the manager is unreachable"})
final class WorksCommand implements Callable<Integer> {
    @Mixin
    ManagerAddress manager = new ManagerAddress();

    @Option(names = "--client", paramLabel = "ID", description = "Only the works of this client connection (an id as `status` shows it).")
    String client;

    @Option(names = "--worker", paramLabel = "ID", description = "Only the works sent to this worker connection.")
    String worker;

    @Option(names = "--type", paramLabel = "T", description = "Only the works of this type (when the manager has work types).")
    String type;

    @Option(names = "--running", description = "Only the works sent to a worker (assigned or running).")
    boolean running;

    @Option(names = "--limit", paramLabel = "N", description = "List at most N works, 1 to 10000 (default: ${DEFAULT-VALUE}); the rest are counted.")
    int limit = 1_000;

    @Option(names = "--json", description = "Print the manager's answer as raw JSON, one line.")
    boolean json;

    @Override
    public Integer call() {
        String bad = manager.validate();
        if (bad == null && (limit < 1 || limit > 10_000)) {
            bad = "--limit must be from 1 to 10000: " + limit;
        }
        if (bad != null) {
            System.err.println("proletariat works: " + bad);
            return Main.EXIT_USAGE;
        }
        ObjectNode frame = Json.MAPPER.createObjectNode();
        if (client != null) {
            frame.put("client", client);
        }
        if (worker != null) {
            frame.put("worker", worker);
        }
        if (type != null) {
            frame.put("type", type);
        }
        if (running) {
            frame.put("running", true);
        }
        frame.put("limit", limit).put("command", "works");
        JsonNode answer;
        try {
            answer = OperatorQuery.ask(manager, frame.toString(), "works", StatusCommand.TIMEOUT_MILLIS);
        } catch (OperatorQuery.Refused e) {
            System.err.println("proletariat works: " + e.getMessage());
            return Main.EXIT_FAILURE;
        } catch (ConnectException | java.net.UnknownHostException e) {
            System.err.println("proletariat works: " + manager.unreachable(e));
            return Main.EXIT_UNAVAILABLE;
        } catch (IOException e) {
            System.err.println("proletariat works: no answer from " + manager + ": " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
        if (json) {
            ((ObjectNode) answer).remove(List.of("to", "command"));
            System.out.println(answer);
        } else {
            System.out.print(render(answer));
        }
        return 0;
    }

    /** The listing as a table, with the count of works not listed. */
    static String render(JsonNode answer) {
        List<String[]> rows = new ArrayList<>();
        boolean types = false;
        for (JsonNode w : answer.path("works")) {
            types |= w.has("type");
        }
        rows.add(types ? new String[] {"WORK", "REQUEST", "CLIENT", "WORKER", "TYPE", "PRIORITY", "STATE", "AGE"}
                : new String[] {"WORK", "REQUEST", "CLIENT", "WORKER", "PRIORITY", "STATE", "AGE"});
        for (JsonNode w : answer.path("works")) {
            List<String> row = new ArrayList<>(List.of(w.path("id").asText(), w.path("rid").asText(), w.path("client").asText(),
                    w.path("worker").asText("-")));
            if (types) {
                row.add(w.path("type").asText("-"));
            }
            row.addAll(List.of(w.path("priority").asText(), w.path("state").asText(), age(w.path("age").asLong())));
            rows.add(row.toArray(String[]::new));
        }
        StringBuilder out = new StringBuilder();
        StatusCommand.columns(out, rows, "no live works match");
        long more = answer.path("more").asLong();
        if (more > 0) {
            out.append(more).append(" more not listed (of ").append(answer.path("total").asLong()).append("): raise --limit or filter\n");
        }
        return out.toString();
    }

    /** An age as 850ms, 12.3s, 4m05s or 2h03m. */
    static String age(long ms) {
        if (ms < 1_000) {
            return ms + "ms";
        }
        if (ms < 60_000) {
            return String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        long s = ms / 1000;
        return s < 3600 ? String.format(java.util.Locale.ROOT, "%dm%02ds", s / 60, s % 60)
                : String.format(java.util.Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60);
    }
}
