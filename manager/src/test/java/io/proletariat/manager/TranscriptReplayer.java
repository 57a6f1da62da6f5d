package io.proletariat.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Replays a recorded transcript of the original manager (test resources {@code transcripts/}; docs/protocol.md) against
 * our manager: one {@link RawPeer} per recorded connection sends that connection's {@code to_manager}
 * frames in order, and every {@code from_manager} frame the original sent is expected, in the same
 * order on its connection, with the same shape.
 *
 * <p>Driven step by step: before each frame a peer sends, every frame the transcript shows the
 * manager sending until then must have arrived (on whichever connection). Timing is ignored; the
 * order of frames on one connection is not. Work and connection ids are mapped: the first time an
 * original id appears in an expected frame it is bound to the id at the same place in our frame,
 * later occurrences must agree, and ids in frames the peers send are translated.
 *
 * <p>"Same shape" means: the same keys (plus the documented extra keys of our manager, {@link
 * #ALLOWED_EXTRA}), the same {@code command}, {@code to} and error codes, arrays of the same length,
 * and equal values except ids (mapped), dates (any ISO date) and {@link #VOLATILE} numbers.
 */
final class TranscriptReplayer {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Pattern WORK_ID = Pattern.compile("W\\d{6}R\\d+");
    private static final Pattern CONN_ID = Pattern.compile("C\\d+\\.\\d+");
    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    /** Values that differ from run to run. */
    private static final Set<String> VOLATILE = Set.of("$.bootTime");
    /** Our manager's documented extra keys, by frame kind ({@code command/to}) and path. */
    private static final Map<String, Set<String>> ALLOWED_EXTRA = Map.of(
            "answer/status", Set.of("$.queues", "$.globalWorksOnHold", "$.workers[].slots", "$.workers[].busy",
                    "$.clients[].type", "$.clients[].requests"),
            "answer/done", Set.of("$.ignored"),
            // Push errors echo the request id (M25).
            "answer/push+error", Set.of("$.rid", "$.group"));

    /** One line of a transcript, numbered from 1 as in the file; inserted lines carry the number they follow. */
    record Line(String no, String conn, String dir, JsonNode msg, String event) {
        boolean toManager() {
            return "to_manager".equals(dir);
        }

        @Override
        public String toString() {
            return "line " + no + " " + conn + " " + dir + " " + (msg != null ? msg : "<" + event + ">");
        }
    }

    private TranscriptReplayer() {
    }

    static List<Line> parse(Path file) {
        List<Line> lines = new ArrayList<>();
        try {
            int no = 0;
            for (String text : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                no++;
                if (text.isBlank()) {
                    continue;
                }
                JsonNode n = RawPeer.JSON.readTree(text);
                lines.add(new Line(Integer.toString(no), n.get("conn").asText(), n.get("dir").asText(),
                        n.has("msg") ? n.get("msg") : null, n.has("event") ? n.get("event").asText() : null));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }

    /** Replays {@code lines} against a fresh manager started with {@code options}. */
    static void replay(List<Line> lines, ManagerOptions options, boolean tolerateKeepalivePings) {
        replay(lines, options, tolerateKeepalivePings, null);
    }

    /** Replays {@code lines} with every connection's socket bound to {@code localAddress} first (null: any), e.g. 127.0.0.2. */
    static void replay(List<Line> lines, ManagerOptions options, boolean tolerateKeepalivePings, String localAddress) {
        // The closes at the very end are the driver's own cleanup: done after the final checks.
        int end = lines.size();
        while (end > 0 && lines.get(end - 1).toManager() && lines.get(end - 1).event() != null) {
            end--;
        }
        try (Manager manager = new Manager(options).start(); Peers peers = new Peers(manager, tolerateKeepalivePings, localAddress)) {
            IdMap ids = new IdMap();
            Deque<Line> expected = new ArrayDeque<>();
            for (Line line : lines.subList(0, end)) {
                if (!line.toManager()) {
                    expected.add(line);
                    continue;
                }
                awaitAll(expected, peers, ids);
                perform(line, peers, ids);
            }
            awaitAll(expected, peers, ids);
            peers.assertNothingMore();
        }
    }

    private static void awaitAll(Deque<Line> expected, Peers peers, IdMap ids) {
        while (!expected.isEmpty()) {
            Line line = expected.poll();
            Peer peer = peers.get(line.conn());
            if (line.event() != null) {
                assertThat(line.event()).as("%s", line).isEqualTo("close");
                peer.awaitClosed(line);
                continue;
            }
            JsonNode actual = peer.next(line);
            try {
                new Shape(ids).compare(line.msg(), actual);
            } catch (AssertionError e) {
                throw new AssertionError("frame mismatch at " + line + "\n  ours: " + actual + "\n  " + e.getMessage(), e);
            }
        }
    }

    private static void perform(Line line, Peers peers, IdMap ids) {
        if (line.event() != null) {
            switch (line.event()) {
                case "open" -> peers.open(line.conn());
                case "close", "drop" -> peers.close(line.conn());
                default -> fail("cannot replay event %s", line);
            }
            return;
        }
        Peer peer = peers.get(line.conn());
        JsonNode msg = line.msg();
        if (msg.isObject() && msg.has("raw")) {
            if (msg.has("bad_header")) {
                peer.raw.sendRaw(HexFormat.of().parseHex(msg.get("bad_header").asText()));
            } else if (msg.has("unframed_bytes")) {
                peer.raw.sendRaw(msg.get("raw").asText().getBytes(StandardCharsets.UTF_8));
            } else {
                peer.raw.sendBytes(msg.get("raw").asText().getBytes(StandardCharsets.UTF_8));
            }
            return;
        }
        peer.raw.send(ids.translate(msg));
    }

    // ------------------------------------------------------------------ peers

    /** The replay's connections by transcript name; closes the ones still open. */
    private static final class Peers implements AutoCloseable {
        private final Manager manager;
        private final boolean tolerateKeepalivePings;
        private final Map<String, Peer> byName = new LinkedHashMap<>();
        /** The address every connection is bound to first, or null. */
        private final String localAddress;

        Peers(Manager manager, boolean tolerateKeepalivePings, String localAddress) {
            this.manager = manager;
            this.tolerateKeepalivePings = tolerateKeepalivePings;
            this.localAddress = localAddress;
        }

        void open(String name) {
            Peer old = byName.put(name, new Peer(name, localAddress == null ? new RawPeer(manager)
                    : new RawPeer(new java.net.InetSocketAddress("127.0.0.1", manager.port()), localAddress), tolerateKeepalivePings));
            assertThat(old).as("%s opened twice", name).isNull();
            // The transcript's order of connections matters (status lists them, broadcasts reach them).
            int open = (int) byName.values().stream().filter(p -> !p.closedByUs && !p.closedByManager).count();
            await().atMost(WAIT).until(() -> manager.connections() == open);
        }

        Peer get(String name) {
            Peer p = byName.get(name);
            assertThat(p).as("connection %s was never opened", name).isNotNull();
            return p;
        }

        void close(String name) {
            Peer p = get(name);
            p.closedByUs = true;
            p.close();
        }

        void assertNothingMore() {
            for (Peer p : byName.values()) {
                if (!p.closedByUs && !p.closedByManager) {
                    p.assertNothingMore();
                }
            }
        }

        @Override
        public void close() {
            byName.values().forEach(Peer::close);
        }
    }

    /** A connection with a reader thread, so frames from several connections are collected as they come. */
    private static final class Peer {
        private static final JsonNode CLOSED = MissingNode.getInstance();
        final String name;
        final RawPeer raw;
        final boolean tolerateKeepalivePings;
        final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
        volatile boolean closedByUs;
        boolean closedByManager;

        Peer(String name, RawPeer raw, boolean tolerateKeepalivePings) {
            this.name = name;
            this.raw = raw;
            this.tolerateKeepalivePings = tolerateKeepalivePings;
            Thread reader = new Thread(this::read, "replay-" + name);
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            while (true) {
                try {
                    frames.add(raw.read());
                } catch (UncheckedIOException e) {
                    if (e.getCause() instanceof SocketTimeoutException && !closedByUs) {
                        continue;
                    }
                    frames.add(CLOSED);
                    return;
                }
            }
        }

        JsonNode next(Line expected) {
            while (true) {
                JsonNode n = poll();
                if (n == null) {
                    throw new AssertionError("no frame on " + name + " within " + WAIT.toSeconds() + " s; expected " + expected);
                }
                if (n == CLOSED) {
                    throw new AssertionError("the manager closed " + name + "; expected " + expected);
                }
                if (tolerateKeepalivePings && isPing(n) && !isPing(expected.msg())) {
                    continue;
                }
                return n;
            }
        }

        void awaitClosed(Line expected) {
            while (true) {
                JsonNode n = poll();
                if (n == CLOSED) {
                    closedByManager = true;
                    return;
                }
                if (n == null) {
                    throw new AssertionError(name + " still open after " + WAIT.toSeconds() + " s; expected " + expected);
                }
                if (!(tolerateKeepalivePings && isPing(n))) {
                    throw new AssertionError("unexpected frame on " + name + " before " + expected + ": " + n);
                }
            }
        }

        void assertNothingMore() {
            try {
                JsonNode n = frames.poll(150, TimeUnit.MILLISECONDS);
                while (n != null && tolerateKeepalivePings && isPing(n)) {
                    n = frames.poll();
                }
                if (n == CLOSED) {
                    throw new AssertionError("the manager closed " + name + " unexpectedly");
                }
                if (n != null) {
                    throw new AssertionError("unexpected frame on " + name + ": " + n);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        private JsonNode poll() {
            try {
                return frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        private static boolean isPing(JsonNode n) {
            return n != null && "ping".equals(n.path("command").asText()) && n.size() == 1;
        }

        void close() {
            closedByUs = true;
            raw.close();
        }
    }

    // ------------------------------------------------------------------ ids

    /** Original ids to ours, learned from the manager's frames, applied to the frames peers send. */
    static final class IdMap {
        private final Map<String, String> ours = new HashMap<>();
        private final Map<String, String> originals = new HashMap<>();

        static boolean isId(String s) {
            return WORK_ID.matcher(s).matches() || CONN_ID.matcher(s).matches();
        }

        /** Binds {@code original} to {@code actual}, or checks an earlier binding agrees. */
        void bind(String original, String actual, String where) {
            String known = ours.get(original);
            if (known != null) {
                assertThat(actual).as("%s: original id %s was already bound", where, original).isEqualTo(known);
                return;
            }
            boolean work = WORK_ID.matcher(original).matches();
            assertThat(actual).as("%s: an id of the same kind as %s", where, original)
                    .matches(work ? WORK_ID : CONN_ID);
            String other = originals.putIfAbsent(actual, original);
            assertThat(other).as("%s: our id %s stands for two original ids", where, actual).isNull();
            ours.put(original, actual);
        }

        String translate(String s) {
            String mapped = ours.get(s);
            if (mapped != null) {
                return mapped;
            }
            int slash = s.indexOf('/');
            if (slash > 0 && ours.containsKey(s.substring(0, slash))) {
                return ours.get(s.substring(0, slash)) + s.substring(slash);
            }
            return s;
        }

        JsonNode translate(JsonNode n) {
            if (n.isTextual()) {
                return TextNode.valueOf(translate(n.asText()));
            }
            if (n.isArray()) {
                ArrayNode a = RawPeer.JSON.createArrayNode();
                n.forEach(e -> a.add(translate(e)));
                return a;
            }
            if (n.isObject()) {
                ObjectNode o = RawPeer.JSON.createObjectNode();
                n.fields().forEachRemaining(e -> o.set(e.getKey(), translate(e.getValue())));
                return o;
            }
            return n;
        }
    }

    // ------------------------------------------------------------------ shapes

    /** Compares one expected (original) frame with ours. */
    private static final class Shape {
        private final IdMap ids;
        private Set<String> allowedExtra = Set.of();

        Shape(IdMap ids) {
            this.ids = ids;
        }

        void compare(JsonNode expected, JsonNode actual) {
            String kind = expected.path("command").asText() + "/" + expected.path("to").asText()
                    + (expected.has("error") && expected.has("to") ? "+error" : "");
            allowedExtra = ALLOWED_EXTRA.getOrDefault(kind, Set.of());
            compare(expected, actual, "$");
        }

        private void compare(JsonNode e, JsonNode a, String path) {
            if (e.isObject()) {
                assertThat(a.isObject()).as("%s is an object, ours: %s", path, a).isTrue();
                Set<String> missing = new TreeSet<>();
                e.fieldNames().forEachRemaining(k -> {
                    if (!a.has(k)) {
                        missing.add(k);
                    }
                });
                assertThat(missing).as("%s: keys missing", path).isEmpty();
                Set<String> extra = new TreeSet<>();
                for (Iterator<String> it = a.fieldNames(); it.hasNext(); ) {
                    String k = it.next();
                    if (!e.has(k) && !allowedExtra.contains(path + "." + k)) {
                        extra.add(k);
                    }
                }
                assertThat(extra).as("%s: unexpected keys", path).isEmpty();
                e.fields().forEachRemaining(f -> compare(f.getValue(), a.get(f.getKey()), path + "." + f.getKey()));
            } else if (e.isArray()) {
                assertThat(a.isArray()).as("%s is an array, ours: %s", path, a).isTrue();
                assertThat(a.size()).as("%s: length (ours %s)", path, a).isEqualTo(e.size());
                for (int i = 0; i < e.size(); i++) {
                    compare(e.get(i), a.get(i), path + "[]");
                }
            } else if (e.isTextual()) {
                assertThat(a.isTextual()).as("%s is a string, ours: %s", path, a).isTrue();
                text(e.asText(), a.asText(), path);
            } else if (e.isNumber()) {
                assertThat(a.isNumber()).as("%s is a number, ours: %s", path, a).isTrue();
                if (!VOLATILE.contains(path)) {
                    assertThat(a.decimalValue()).as("%s", path).isEqualByComparingTo(e.decimalValue());
                }
            } else if (e.isNull() && path.equals("$.globalWorksOnHold")) {
                // 0.4 sends null here (H7); we send a count.
                assertThat(a.isIntegralNumber()).as("%s is an integer, ours: %s", path, a).isTrue();
            } else {
                assertThat(a).as("%s", path).isEqualTo(e);
            }
        }

        private void text(String e, String a, String path) {
            if (DATE.matcher(e).matches()) {
                assertThat(a).as("%s is a date", path).matches(DATE);
            } else if (IdMap.isId(e)) {
                ids.bind(e, a, path);
            } else if (e.indexOf('/') > 0 && IdMap.isId(e.substring(0, e.indexOf('/')))) {
                // A relayed system message id: <sender connection id>/<sender's id>.
                int slash = e.indexOf('/');
                assertThat(a).as("%s", path).contains("/");
                ids.bind(e.substring(0, slash), a.substring(0, a.indexOf('/')), path);
                assertThat(a.substring(a.indexOf('/'))).as("%s", path).isEqualTo(e.substring(slash));
            } else {
                assertThat(a).as("%s", path).isEqualTo(e);
            }
        }
    }
}
