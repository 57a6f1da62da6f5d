package io.proletariat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.proletariat.protocol.WorkTypeNames;
import java.io.IOException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code proletariat limit [TYPE=MAX|TYPE=none ...]}: sets or removes limits on how many works of a
 * work type run at once over all workers, with the protocol's admin command {@code limit}
 * (docs/protocol.md, "Work types and limits"), then prints the limits in force and how many run.
 * Without arguments it only prints them.
 *
 * <pre>{@code
 * proletariat limit resize=5
 * proletariat limit resize=none thumbnail=20
 * proletariat limit
 * }</pre>
 */
@Command(name = "limit", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Set (TYPE=MAX) or remove (TYPE=none) limits on the works of a work type running at once over all workers, "
                + "then print the limits in force as TYPE MAX RUNNING. Without arguments, only print them. Needs the admin role "
                + "when the manager runs with --auth."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:done",
                "1:the manager refused (EPERM, EINVTYPE, ETOOMANYTYPES) or gave no usable answer",
                "2:bad usage (unknown flag, not TYPE=MAX or TYPE=none)",
                "3:the manager is unreachable"})
final class LimitCommand implements Callable<Integer> {
    @Mixin
    ManagerAddress manager = new ManagerAddress();

    @Parameters(arity = "0..*", paramLabel = "TYPE=MAX|TYPE=none", description = "A limit to set, or to remove with none.")
    List<String> limits = new ArrayList<>();

    @Override
    public Integer call() {
        Map<String, Integer> changes = new LinkedHashMap<>();
        String bad = manager.validate();
        for (String l : limits) {
            if (bad != null) {
                break;
            }
            int eq = l.lastIndexOf('=');
            String type = eq < 0 ? l : l.substring(0, eq);
            String max = eq < 0 ? "" : l.substring(eq + 1).strip();
            if (!WorkTypeNames.isValid(type)) {
                bad = "invalid work type '" + type + "': 1 to " + WorkTypeNames.MAX_LENGTH + " characters of A-Z a-z 0-9 _ . : -";
            } else if (max.equalsIgnoreCase("none")) {
                changes.put(type, null);
            } else {
                try {
                    int n = Integer.parseInt(max);
                    if (n < 0) {
                        throw new NumberFormatException();
                    }
                    changes.put(type, n);
                } catch (NumberFormatException e) {
                    bad = "give TYPE=MAX (MAX an integer >= 0) or TYPE=none: " + l;
                }
            }
        }
        if (bad != null) {
            System.err.println("proletariat limit: " + bad);
            return Main.EXIT_USAGE;
        }
        String last;
        try {
            if (changes.isEmpty()) {
                last = ask("{\"command\":\"limit\"}");
            } else {
                last = null;
                for (Map.Entry<String, Integer> e : changes.entrySet()) {
                    Map<String, Object> frame = new LinkedHashMap<>();
                    frame.put("command", "limit");
                    frame.put("type", e.getKey());
                    frame.put("max", e.getValue());
                    last = ask(Json.MAPPER.writeValueAsString(frame));
                    JsonNode error = Json.MAPPER.readTree(last).path("error");
                    if (error.isObject()) {
                        System.err.println("proletariat limit: the manager refused " + e.getKey() + ": " + error.path("code").asText() + " "
                                + error.path("description").asText());
                        return Main.EXIT_FAILURE;
                    }
                }
            }
        } catch (ConnectException | java.net.UnknownHostException e) {
            System.err.println("proletariat limit: " + manager.unreachable(e));
            return Main.EXIT_UNAVAILABLE;
        } catch (IOException e) {
            System.err.println("proletariat limit: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            return e instanceof java.net.SocketTimeoutException ? Main.EXIT_FAILURE : Main.EXIT_UNAVAILABLE;
        }
        try {
            System.out.print(render(Json.MAPPER.readTree(last)));
        } catch (IOException e) {
            System.err.println("proletariat limit: the answer is not JSON: " + Json.abbreviate(last));
            return Main.EXIT_FAILURE;
        }
        return 0;
    }

    private String ask(String frame) throws IOException {
        return StatusCommand.ask(manager, StatusCommand.TIMEOUT_MILLIS,
                new StatusCommand.Request(frame, "limit", "limits need the admin role"));
    }

    /** The limits of a {@code limit} answer as {@code TYPE MAX RUNNING} lines, or "no limits". */
    static String render(JsonNode answer) {
        StringBuilder out = new StringBuilder();
        Iterator<Map.Entry<String, JsonNode>> it = answer.path("limits").fields();
        if (!it.hasNext()) {
            return "no limits\n";
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"TYPE", "MAX", "RUNNING"});
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            rows.add(new String[] {e.getKey(), e.getValue().path("max").asText(), e.getValue().path("running").asText()});
        }
        int w0 = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
        int w1 = rows.stream().mapToInt(r -> r[1].length()).max().orElse(0);
        for (String[] r : rows) {
            out.append(r[0]).append(" ".repeat(w0 - r[0].length() + 2)).append(r[1]).append(" ".repeat(w1 - r[1].length() + 2))
                    .append(r[2]).append('\n');
        }
        return out.toString();
    }
}
