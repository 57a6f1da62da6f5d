package io.proletariat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.proletariat.protocol.BlockingConnection;
import io.proletariat.protocol.FrameTooLargeException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code proletariat status}: the manager's status as a table, or as raw JSON.
 *
 * <p>Asks the manager with the protocol's {@code {"command":"status"}} over a connection of its own
 * (which therefore shows up among the clients, marked {@code *}), or, with {@code --http URL}, reads
 * {@code URL/api/status} from the manager's HTTP listener. {@link #render} accepts both shapes.
 * With {@code --managers} it asks the first that answers, and a standby's leader rather than the
 * standby.
 *
 * <pre>{@code
 * proletariat status
 * proletariat status --json | jq .queues
 * proletariat status --http http://127.0.0.1:8917
 * proletariat status --managers mgr1:1917,mgr2:1917
 * }</pre>
 */
@Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Show the manager's workers (with their ranges as from:used/limit), clients, queues and totals.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:printed",
                "1:the manager gave no usable answer (bad HTTP status, not JSON)",
                "2:bad usage (unknown flag, bad --http URL)",
                "3:the manager is unreachable"})
final class StatusCommand implements Callable<Integer> {
    /** How long to wait for the connection and for the answer. */
    static final int TIMEOUT_MILLIS = 10_000;

    @Mixin
    ManagerAddress manager = new ManagerAddress();

    @Option(names = "--json", description = "Print the manager's answer as raw JSON, one line.")
    boolean json;

    @Option(names = "--http", paramLabel = "URL",
            description = "Read URL/api/status from the manager's HTTP listener (e.g. http://127.0.0.1:8917) instead of asking over the protocol.")
    String http;

    @Override
    public Integer call() {
        String bad = manager.validate();
        URI uri = null;
        if (bad == null && http != null) {
            try {
                uri = URI.create(http.replaceAll("/+$", "") + "/api/status");
                if (uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                    bad = "--http needs a URL such as http://127.0.0.1:8917: " + http;
                }
            } catch (IllegalArgumentException e) {
                bad = "--http needs a URL such as http://127.0.0.1:8917: " + http;
            }
        }
        if (bad != null) {
            System.err.println("proletariat status: " + bad);
            return Main.EXIT_USAGE;
        }
        String text;
        try {
            text = uri != null ? overHttp(uri) : overProtocol();
        } catch (ConnectException e) {
            System.err.println("proletariat status: " + (uri != null ? "cannot reach " + uri + " (" + (e.getMessage() == null ? "connection refused" : e.getMessage()) + ")" : manager.unreachable(e)));
            return Main.EXIT_UNAVAILABLE;
        } catch (IOException e) {
            String what = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (uri == null && e instanceof java.net.UnknownHostException) {
                System.err.println("proletariat status: " + manager.unreachable(e));
                return Main.EXIT_UNAVAILABLE;
            }
            System.err.println("proletariat status: no answer from " + (uri != null ? uri : manager) + ": " + what);
            return uri == null && !(e instanceof java.net.SocketTimeoutException) ? Main.EXIT_UNAVAILABLE : Main.EXIT_FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Main.EXIT_FAILURE;
        }
        if (json) {
            System.out.println(text);
            return 0;
        }
        try {
            System.out.print(render(Json.MAPPER.readTree(text)));
        } catch (IOException e) {
            System.err.println("proletariat status: the answer is not JSON: " + Json.abbreviate(text));
            return Main.EXIT_FAILURE;
        }
        return 0;
    }

    private String overProtocol() throws IOException {
        return ask(manager, TIMEOUT_MILLIS);
    }

    /** Redirects to the leader followed in a row: standbys disagree only for a moment, during an election. */
    static final int MAX_REDIRECTS = 3;

    /**
     * The answer to {@code {"command":"status"}} of the manager, or of the first of {@code --managers}
     * that answers: a standby's {@code ENOTLEADER} sends the question to the leader it names (at most
     * {@value #MAX_REDIRECTS} times in a row); a manager that cannot be reached, or a standby that
     * knows no leader, passes it to the next of the list. See {@link #ask(ManagerAddress.Endpoint, int)}.
     *
     * @throws IOException the failure of the most telling attempt: one that reached a manager, else the last
     */
    static String ask(ManagerAddress manager, int timeoutMillis) throws IOException {
        return ask(manager, timeoutMillis, STATUS);
    }

    /** The status request: its frame, the {@code to} of its answer, and what EPERM means for it. */
    static final Request STATUS = new Request("{\"command\":\"status\"}", "status", "status of everything needs the admin role");

    /** A request of an admin tool: one frame, answered by a frame whose {@code to} is {@code to}. */
    record Request(String frame, String to, String needs) {
    }

    /** {@link #ask(ManagerAddress, int)} with another request ({@code proletariat limit}); its answer, errors but EPERM included. */
    static String ask(ManagerAddress manager, int timeoutMillis, Request request) throws IOException {
        IOException failure = null;
        javax.net.ssl.SSLSocketFactory tls = manager.socketFactory();
        for (ManagerAddress.Endpoint first : manager.endpoints()) {
            ManagerAddress.Endpoint to = first;
            try {
                for (int hops = 0; ; hops++) {
                    Answer answer = ask(to, timeoutMillis, manager.token, tls, request);
                    if (answer.status() != null) {
                        return answer.status();
                    }
                    if (answer.leader() == null) {
                        throw new IOException("the manager at " + to + " is a standby and knows no leader yet (ENOTLEADER)");
                    }
                    if (hops == MAX_REDIRECTS) {
                        throw new IOException("the standbys sent the request on " + MAX_REDIRECTS + " times, last to " + answer.leader()
                                + " (ENOTLEADER): a leader is being elected; try again");
                    }
                    to = ManagerAddress.Endpoint.parse(answer.leader());
                }
            } catch (IOException | IllegalArgumentException e) {
                IOException io = e instanceof IOException x ? x : new IOException("a standby named no address as its leader: " + e.getMessage(), e);
                if (failure == null || failure instanceof ConnectException || failure instanceof java.net.UnknownHostException) {
                    failure = io;
                }
            }
        }
        throw failure;
    }

    /** What one manager said: its status, or, a standby, where the leader is (null when it knows none). */
    record Answer(String status, String leader) {
    }

    /**
     * One manager's answer to {@code {"command":"status"}}, asked over a connection of its own that
     * waits at most {@code timeoutMillis} for the connection and again for the answer; frames that
     * are not the answer (a ping, a system message) are skipped. A standby answers every connection
     * with {@code ENOTLEADER} and closes it: that frame is read even when the request could not be
     * written any more.
     */
    static Answer ask(ManagerAddress.Endpoint manager, int timeoutMillis) throws IOException {
        return ask(manager, timeoutMillis, null, null);
    }

    /** {@link #ask(ManagerAddress.Endpoint, int)}, over TLS when {@code tls} is not null, authenticating first with {@code token} when it is not null. */
    static Answer ask(ManagerAddress.Endpoint manager, int timeoutMillis, String token, javax.net.ssl.SSLSocketFactory tls) throws IOException {
        return ask(manager, timeoutMillis, token, tls, STATUS);
    }

    private static Answer ask(ManagerAddress.Endpoint manager, int timeoutMillis, String token, javax.net.ssl.SSLSocketFactory tls,
                              Request request) throws IOException {
        Duration timeout = Duration.ofMillis(timeoutMillis);
        try (BlockingConnection connection = BlockingConnection.connect(manager.host(), manager.port(), timeout, tls)) {
            IOException notWritten = null;
            try {
                if (token != null) {
                    connection.writeFrame(Json.MAPPER.writeValueAsString(java.util.Map.of("command", "auth", "token", token)));
                }
                connection.writeFrame(request.frame());
            } catch (IOException e) {
                notWritten = e; // closed already: perhaps a standby, whose answer waits to be read
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                String text;
                try {
                    text = new String(connection.readFrame(Duration.ofNanos(deadline - System.nanoTime())), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw notWritten != null ? notWritten : e;
                }
                JsonNode node = Json.MAPPER.readTree(text);
                if (node == null) {
                    continue;
                }
                JsonNode error = node.path("error");
                if (request.to().equals(node.path("to").asText()) && "answer".equals(node.path("command").asText())
                        && !"EPERM".equals(error.path("code").asText())) {
                    return new Answer(text, null);
                }
                if ("ENOTLEADER".equals(error.path("code").asText())) {
                    return new Answer(null, error.path("leader").isTextual() ? error.path("leader").asText() : null);
                }
                String code = error.path("code").asText();
                if (code.equals("EAUTH") || code.equals("EPROTECTED") || code.equals("EPERM")) {
                    throw new IOException("the manager at " + manager + " refused: " + code + " " + error.path("description").asText()
                            + (code.equals("EPERM") ? " (" + request.needs() + ")" : ""));
                }
            }
        } catch (FrameTooLargeException e) {
            throw new IOException("bad frame length from the manager: " + e.declaredLength(), e);
        }
    }

    private static String overHttp(URI uri) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(TIMEOUT_MILLIS)).build();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(TIMEOUT_MILLIS)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode());
        }
        return response.body();
    }

    /**
     * The status as text: the manager's place in its cluster (when it has one), workers, clients,
     * queues per priority, totals. Accepts the protocol's {@code status} answer and the HTTP
     * {@code /api/status} body; absent members are left blank.
     */
    static String render(JsonNode s) {
        StringBuilder out = new StringBuilder();
        long boot = s.path("bootTime").asLong(0);
        out.append("manager up since ").append(boot > 0 ? Instant.ofEpochMilli(boot).toString() : "?");
        if (s.path("manager").has("address")) {
            out.append(" at ").append(s.path("manager").path("address").asText());
        }
        if (s.path("sacredRanges").asBoolean(false)) {
            out.append(", sacred guarantees");
        }
        out.append('\n');
        JsonNode cluster = s.path("cluster");
        if (cluster.isObject()) {
            out.append("cluster ").append(cluster.path("name").asText("?"))
                    .append(": role ").append(cluster.path("role").asText("?"))
                    .append(", epoch ").append(cluster.path("epoch").asText("?"))
                    .append(", leader ").append(cluster.path("leader").isTextual() ? cluster.path("leader").asText() : "unknown")
                    .append(", failovers ").append(cluster.path("failovers").asText("?"))
                    .append('\n');
        }
        out.append('\n');

        List<String[]> workers = new ArrayList<>();
        workers.add(new String[] {"WORKER", "STATUS", "SLOTS", "BUSY", "RANGES (from:used/limit)"});
        boolean typed = false;
        for (JsonNode w : s.path("workers")) {
            typed |= w.has("types");
        }
        if (typed) {
            workers.set(0, new String[] {"WORKER", "STATUS", "SLOTS", "BUSY", "RANGES (from:used/limit)", "TYPES"});
        }
        for (JsonNode w : s.path("workers")) {
            StringBuilder ranges = new StringBuilder();
            for (JsonNode r : w.path("ranges")) {
                if (ranges.length() > 0) {
                    ranges.append(' ');
                }
                ranges.append(r.path("from").asText()).append(':').append(r.path("used").asText()).append('/').append(r.path("limit").asText());
            }
            String[] row = {w.path("id").asText() + (w.path("you").asBoolean() ? " *" : ""),
                    w.path("status").asText(w.has("busy") ? (w.path("busy").asLong() > 0 ? "busy" : "available") : ""),
                    w.path("slots").asText(""), w.path("busy").asText(""), ranges.toString()};
            if (typed) {
                row = java.util.Arrays.copyOf(row, 6);
                row[5] = workerTypes(w);
            }
            workers.add(row);
        }
        table(out, workers, "no workers");

        List<String[]> clients = new ArrayList<>();
        clients.add(new String[] {"CLIENT", "STATUS", "TYPE", "PENDING"});
        for (JsonNode c : s.path("clients")) {
            clients.add(new String[] {c.path("id").asText() + (c.path("you").asBoolean() ? " *" : ""), c.path("status").asText("-"),
                    c.path("type").asText(""), c.has("requests") ? c.path("requests").asText() : c.path("pendingWorks").asText("")});
        }
        table(out, clients, "no clients");

        List<String[]> queues = new ArrayList<>();
        queues.add(new String[] {"PRIORITY", "QUEUED"});
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = s.path("queues").fields(); it.hasNext(); ) {
            entries.add(it.next());
        }
        entries.sort((a, b) -> Long.compare(parseLong(b.getKey()), parseLong(a.getKey())));
        for (Map.Entry<String, JsonNode> e : entries) {
            queues.add(new String[] {e.getKey(), e.getValue().asText()});
        }
        table(out, queues, "no works queued");
        renderTypes(out, s);

        out.append("pending ").append(s.path("pendingWorks").asText("?"))
                .append(", running ").append(s.path("globalRunningWorks").asText("?"))
                .append(", available slots ").append(s.path("globalAvailableSlots").asText("?"))
                .append(", on hold ").append(s.path("globalWorksOnHold").asText("0"));
        if (s.has("globalWorksDelayed")) { // our extension, present while works wait for a time
            out.append(", delayed ").append(s.path("globalWorksDelayed").asText("0"))
                    .append(", waiting to retry ").append(s.path("globalWorksWaitingRetry").asText("0"));
        }
        out.append(", finished ").append(s.path("finishCount").asText("?"))
                .append('\n');
        return out.toString();
    }

    /** A worker's work types, {@code +untyped} when it takes untyped works too; {@code untyped} for a worker of none. */
    private static String workerTypes(JsonNode w) {
        if (!w.has("types")) {
            return "untyped";
        }
        List<String> names = new ArrayList<>();
        w.path("types").forEach(t -> names.add(t.asText()));
        return String.join(",", names) + (w.path("untyped").asBoolean() ? ",+untyped" : "");
    }

    /** The work types (our extension), when the manager knows any: queues, running works, limits, workers; then the types no worker takes. */
    private static void renderTypes(StringBuilder out, JsonNode s) {
        JsonNode types = s.path("types");
        if (!types.isArray() || types.isEmpty()) {
            return;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"TYPE", "QUEUED", "BY PRIORITY", "RUNNING", "LIMIT", "WORKERS"});
        for (JsonNode t : types) {
            StringBuilder byPriority = new StringBuilder();
            for (Iterator<Map.Entry<String, JsonNode>> it = t.path("queues").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                byPriority.append(byPriority.length() > 0 ? " " : "").append(e.getKey()).append(':').append(e.getValue().asText());
            }
            JsonNode limit = t.path("limit");
            rows.add(new String[] {t.path("type").asText(), t.path("queued").asText("0"), byPriority.length() == 0 ? "-" : byPriority.toString(),
                    t.path("running").asText("0"), limit.isNumber() ? limit.asText() : "none", t.path("workers").asText("0")});
        }
        table(out, rows, "no work types");
        JsonNode orphans = s.path("typesWithoutWorkers");
        if (orphans.isArray() && !orphans.isEmpty()) {
            List<String> names = new ArrayList<>();
            orphans.forEach(t -> names.add(t.asText()));
            out.append("no worker takes type").append(names.size() > 1 ? "s " : " ").append(String.join(", ", names))
                    .append(": their works wait\n\n");
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return Long.MIN_VALUE;
        }
    }

    /** Left-aligned columns two spaces apart; {@code empty} instead when there are no rows. */
    /** Writes a table (its first row the header) with columns aligned, or {@code empty} when it has no rows; then a blank line. */
    private static void table(StringBuilder out, List<String[]> rows, String empty) {
        columns(out, rows, empty);
        out.append('\n');
    }

    /** Writes rows (the first the header) with columns aligned by two spaces, or {@code empty} when only the header is there. */
    static void columns(StringBuilder out, List<String[]> rows, String empty) {
        if (rows.size() == 1) {
            out.append(empty).append('\n');
            return;
        }
        int[] width = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(row[i]);
                if (i < row.length - 1) {
                    line.append(" ".repeat(width[i] - row[i].length() + 2));
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }
}
