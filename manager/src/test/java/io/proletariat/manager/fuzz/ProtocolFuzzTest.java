package io.proletariat.manager.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.proletariat.manager.Manager;
import io.proletariat.manager.ManagerOptions;
import io.proletariat.manager.RawPeer;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Protocol fuzzing (issue 6): random and mutated frames on a fresh connection beside a healthy
 * worker and client. After every try the bad connection must still answer a ping (or have been
 * closed, for input that cannot be resynchronised), the healthy pair must still run a work, and the
 * manager must report no unexpected error ({@code Manager.counts()}) and no fatal one.
 */
class ProtocolFuzzTest {
    private static final int MAX_FRAME = 64 * 1024;
    private static final String[] COMMANDS = {"offer", "push", "done", "answer", "abort", "ping", "mystatus", "status",
            "sysmsg", "cleanup", "gc", "dumpall", "limit", "progress", "works", "cancel", "nonsense", ""};
    private static final String[] FIELDS = {"command", "work", "rid", "group", "priority", "timeout", "assigntimeout",
            "runTimeout", "slots", "to", "id", "content", "accepted", "rejected", "ok", "type", "types", "untyped", "max",
            "retries", "backoff", "backoffMax", "retryOn", "delay", "notBefore", "session", "resent", "index",
            "progress", "ids", "client", "worker", "limit", "running",
            "prefetch", "started", "recalled"};
    private static final String[] LEAVES = {"null", "true", "false", "0", "-0", "-1", "1", "1.5", "-2.5e-300", "1e308", "-1e308",
            "9007199254740993", "99999999999999999999999999999999999", "-2147483649", "2147483648", "4294967296", "\"\"", "\"x\"",
            "\"push\"", "\"offer\"", "\"answer\"", "\"-5\"", "\"1e3\"", "\"NaN\"", "\"Infinity\"", "\"0x10\"", "\"MANAGER\"",
            "\"\\u0000\"", "\"\\ud800\"", "[]", "{}", "[null]", "[1,2]", "[\"a\",\"b\"]", "{\"0\":5}", "{\"0\":-5}",
            "{\"0\":1e10}", "{\"a\":1}", "[{\"id\":\"W1\"}]", "[{\"id\":5,\"result\":1}]", "[{\"id\":\"W1\",\"result\":{\"err\":{\"code\":7}}}]",
            "[[[]]]", "{\"_key\":[1]}", "\"resize\"", "\"a.b:c-d_e\"", "[\"resize\",\"x\"]", "[\"resize\",\"\"]",
            "[\"error\",\"ETO\",\"lost\"]", "[\"lost\"]", "1000", "86400000", "2592000000",
            "2592000001", "1001"};

    private static final AtomicLong FRAMES = new AtomicLong();
    private static Manager manager;
    private static RawPeer worker;
    private static RawPeer client;
    private static long round;

    @BeforeContainer
    static void start() {
        manager = new Manager(ManagerOptions.builder().port(0).bindAddress("127.0.0.1").maxFrameLength(MAX_FRAME)
                .maxOutboundBuffer(16 * 1024 * 1024).build()).start();
        worker = new RawPeer(manager);
        worker.offer("4");
        client = new RawPeer(manager);
    }

    @AfterContainer
    static void stop() {
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> manager.connections() == 2 && manager.liveWorks() == 0);
            System.out.println("protocol fuzzing: " + FRAMES.get() + " frames fuzzed");
            assertHealthy();
        } finally {
            worker.close();
            client.close();
            manager.close();
        }
    }

    /**
     * Nothing escaped the manager's handlers (each such error is counted, and logged at WARN with
     * its stack) and no fatal error stopped it.
     */
    private static void assertHealthy() {
        assertThat(manager.fatalError()).as("fatal error").isNull();
        assertThat(manager.counts().unexpectedErrors()).as("unexpected errors (see the WARN log)").isZero();
    }

    /** The healthy pair still gets a work through, and nothing unexpected was logged. */
    @AfterTry
    void healthyPairIsServed() {
        String rid = "healthy" + (round++);
        String id = client.push(rid, "[{\"round\":\"" + rid + "\"}]", "").get(0);
        // Every dispatch is accepted and finished, also those of works fuzz connections pushed;
        // frames are read one by one so that none is skipped.
        boolean ours = false;
        while (!ours) {
            JsonNode frame = worker.read();
            if (!"push".equals(frame.path("command").asText()) || frame.has("to")) {
                continue; // answers to done, aborts of works whose fuzz connection left
            }
            List<String> ids = RawPeer.ids(frame);
            ours = ids.contains(id);
            StringBuilder accepted = new StringBuilder();
            StringBuilder results = new StringBuilder();
            for (String w : ids) {
                accepted.append(accepted.length() == 0 ? "" : ",").append('"').append(w).append('"');
                results.append(results.length() == 0 ? "" : ",").append("{\"id\":\"").append(w)
                        .append("\",\"result\":{\"err\":null,\"data\":\"").append(rid).append("\"}}");
            }
            worker.sendBytes(("{\"to\":\"push\",\"command\":\"answer\",\"accepted\":[" + accepted + "]}").getBytes(StandardCharsets.UTF_8));
            worker.sendBytes(("{\"command\":\"done\",\"work\":[" + results + "]}").getBytes(StandardCharsets.UTF_8));
        }
        JsonNode done = client.readUntil(n -> "done".equals(n.path("command").asText())
                && n.path("work").findValuesAsText("id").contains(id));
        for (JsonNode item : done.get("work")) {
            if (item.path("id").asText().equals(id)) {
                assertThat(item.path("result").path("data").asText()).isEqualTo(rid);
            }
        }
        assertHealthy();
    }

    // ------------------------------------------------------------------ properties

    @Property(tries = 300, edgeCases = EdgeCasesMode.MIXIN)
    void junkInValidFramesIsAnsweredAndTheConnectionLives(@ForAll("junk") String junk) {
        sendAndExpectAlive(junk.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 400, edgeCases = EdgeCasesMode.MIXIN)
    void wrongTypesInEveryFieldOfEveryCommandAreAnsweredAndTheConnectionLives(@ForAll("frames") String frame) {
        sendAndExpectAlive(frame.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 300, edgeCases = EdgeCasesMode.MIXIN)
    void mutatedValidFramesAreAnsweredAndTheConnectionLives(@ForAll("mutated") byte[] frame) {
        sendAndExpectAlive(frame);
    }

    @Property(tries = 40)
    void deepNestingIsEbadjsonWithoutHarm(@ForAll("depths") int depth, @ForAll("nestingPlaces") String place) {
        String nested = "[".repeat(depth) + "]".repeat(depth);
        byte[] payload = String.format(place, nested).getBytes(StandardCharsets.UTF_8);
        if (payload.length > MAX_FRAME) {
            return; // oversize frames have their own property
        }
        try (RawPeer peer = new RawPeer(manager)) {
            peer.sendBytes(payload);
            FRAMES.incrementAndGet();
            JsonNode answer = peer.read();
            if (depth > io.proletariat.protocol.RawJson.MAX_NESTING_DEPTH) {
                // Jackson's StreamReadConstraints stop the parser: the frame is not JSON the manager accepts.
                assertThat(answer.path("error").path("code").asText()).as("answer to %s levels", depth).isEqualTo("EBADJSON");
            } else {
                assertThat(answer.has("error") || answer.has("command")).as("answer %s", answer).isTrue();
            }
            assertAlive(peer);
        }
    }

    @Property(tries = 100)
    void truncatedFramesLeaveNothingBehind(@ForAll("frames") String frame, @ForAll("cuts") double cut, @ForAll boolean lieAboutLength) {
        byte[] payload = frame.getBytes(StandardCharsets.UTF_8);
        int keep = (int) (payload.length * cut);
        try (RawPeer peer = new RawPeer(manager)) {
            if (lieAboutLength) {
                // A header announcing the whole frame, then only part of it, then the connection ends.
                ByteBuffer b = ByteBuffer.allocate(4 + keep).putInt(payload.length).put(payload, 0, keep);
                peer.sendRaw(b.array());
            } else {
                byte[] cutPayload = new byte[Math.max(1, keep)];
                System.arraycopy(payload, 0, cutPayload, 0, cutPayload.length);
                peer.sendBytes(cutPayload);
                assertAlive(peer);
            }
            FRAMES.incrementAndGet();
        }
    }

    @Property(tries = 60)
    void oversizeLengthPrefixesAreElargemsgAndClose(@ForAll("oversize") long length) {
        try (RawPeer peer = new RawPeer(manager)) {
            peer.sendRaw(ByteBuffer.allocate(16).putInt((int) length).put("{\"command\":\"".getBytes(StandardCharsets.UTF_8)).array());
            FRAMES.incrementAndGet();
            assertThat(peer.read().path("error").path("code").asText()).isEqualTo("ELARGEMSG");
            assertThat(peer.closedByPeer()).isTrue();
        }
    }

    // ------------------------------------------------------------------ helpers

    private static void sendAndExpectAlive(byte[] payload) {
        try (RawPeer peer = new RawPeer(manager)) {
            peer.sendBytes(payload);
            FRAMES.incrementAndGet();
            assertAlive(peer);
        }
    }

    /** A ping on the same connection is answered: the bad frame was answered or ignored, not fatal. */
    private static void assertAlive(RawPeer peer) {
        peer.send("{'command':'ping'}");
        peer.answer("ping");
    }

    // ------------------------------------------------------------------ generators

    @Provide
    Arbitrary<String> junk() {
        Arbitrary<String> jsonish = Arbitraries.strings().withChars("{}[]\":,0123456789.eE+-truefalsnl \\u").ofMaxLength(120);
        Arbitrary<String> any = Arbitraries.strings().ofMinLength(1).ofMaxLength(120);
        return Arbitraries.oneOf(jsonish, any).filter(s -> !s.isEmpty());
    }

    private Arbitrary<String> value() {
        Arbitrary<String> leaf = Arbitraries.oneOf(Arbitraries.of(LEAVES),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.doubles().map(String::valueOf),
                Arbitraries.bigIntegers().between(java.math.BigInteger.TEN.pow(30).negate(), java.math.BigInteger.TEN.pow(30)).map(String::valueOf),
                Arbitraries.strings().ofMaxLength(20).map(s -> new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(s))).map(s -> "\"" + s + "\""));
        Arbitrary<String> array = leaf.list().ofMaxSize(5).map(l -> "[" + String.join(",", l) + "]");
        Arbitrary<String> object = Combinators.combine(Arbitraries.of(FIELDS), leaf).as((k, v) -> "\"" + k + "\":" + v)
                .list().ofMaxSize(4).map(l -> "{" + String.join(",", l) + "}");
        Arbitrary<String> items = object.list().ofMaxSize(4).map(l -> "[" + String.join(",", l) + "]");
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, leaf), net.jqwik.api.Tuple.of(2, array),
                net.jqwik.api.Tuple.of(2, object), net.jqwik.api.Tuple.of(2, items));
    }

    @Provide
    Arbitrary<String> frames() {
        Arbitrary<String> command = Arbitraries.oneOf(Arbitraries.of(COMMANDS).map(c -> "\"" + c + "\""), value());
        Arbitrary<String> members = Combinators.combine(Arbitraries.of(FIELDS), value()).as((k, v) -> "\"" + k + "\":" + v)
                .list().ofMaxSize(6).map(l -> String.join(",", l));
        return Combinators.combine(command, members).as((c, m) -> "{" + m + (m.isEmpty() ? "" : ",") + "\"command\":" + c + "}");
    }

    @Provide
    Arbitrary<byte[]> mutated() {
        Arbitrary<String> valid = Arbitraries.of(
                "{\"command\":\"push\",\"rid\":\"r1\",\"work\":[{\"a\":1},2],\"priority\":3,\"timeout\":100}",
                "{\"command\":\"push\",\"rid\":\"r2\",\"work\":[1],\"retries\":3,\"backoff\":10,\"backoffMax\":100,"
                        + "\"retryOn\":[\"error\",\"ETO\"],\"delay\":5,\"notBefore\":0}",
                "{\"command\":\"offer\",\"slots\":{\"0\":2,\"3\":1}}",
                "{\"command\":\"offer\",\"slots\":2,\"prefetch\":3}",
                "{\"command\":\"done\",\"work\":[],\"started\":[\"W000001R1\"],\"recalled\":[\"W000001R2\"]}",
                "{\"command\":\"done\",\"work\":[{\"id\":\"W000001R1\",\"result\":{\"err\":null,\"data\":1}}]}",
                "{\"command\":\"abort\",\"rid\":\"r1\",\"work\":[\"W000001R1\"]}",
                "{\"command\":\"answer\",\"to\":\"push\",\"accepted\":[\"W1\"],\"rejected\":[\"W2\"]}",
                "{\"command\":\"sysmsg\",\"id\":\"M1\",\"to\":\"MANAGER\",\"content\":{\"x\":[1,2]}}",
                "{\"command\":\"status\"}",
                "{\"command\":\"push\",\"rid\":\"t1\",\"work\":[1],\"type\":\"resize\",\"assigntimeout\":50}",
                "{\"command\":\"offer\",\"slots\":2,\"types\":[\"resize\",\"thumb\"],\"untyped\":true}",
                "{\"command\":\"limit\",\"type\":\"resize\",\"max\":1}");
        return Combinators.combine(valid, Arbitraries.integers().between(1, 6), Arbitraries.longs())
                .as((frame, edits, seed) -> mutate(frame.getBytes(StandardCharsets.UTF_8), edits, new java.util.Random(seed)));
    }

    private static byte[] mutate(byte[] b, int edits, java.util.Random r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] cur = b;
        for (int e = 0; e < edits; e++) {
            out.reset();
            int at = r.nextInt(cur.length);
            switch (r.nextInt(4)) {
                case 0 -> { // flip a byte
                    cur = cur.clone();
                    cur[at] = (byte) r.nextInt(256);
                    continue;
                }
                case 1 -> { // delete a byte
                    out.write(cur, 0, at);
                    out.write(cur, at + 1, cur.length - at - 1);
                }
                case 2 -> { // insert a structural byte
                    out.write(cur, 0, at);
                    out.write("{}[]\",:0-e".charAt(r.nextInt(10)));
                    out.write(cur, at, cur.length - at);
                }
                default -> { // duplicate a slice
                    int len = Math.min(cur.length - at, 1 + r.nextInt(12));
                    out.write(cur, 0, at + len);
                    out.write(cur, at, cur.length - at);
                }
            }
            cur = out.toByteArray();
            if (cur.length == 0) {
                cur = new byte[] {'{'};
            }
        }
        return cur;
    }

    @Provide
    Arbitrary<Integer> depths() {
        return Arbitraries.of(2, 996, 997, 998, 999, 1000, 1001, 10_000, 30_000);
    }

    @Provide
    Arbitrary<String> nestingPlaces() {
        return Arbitraries.of("%s", "{\"command\":\"push\",\"rid\":\"d\",\"work\":%s}", "{\"command\":\"push\",\"rid\":\"d\",\"work\":[{\"deep\":%s}]}",
                "{\"command\":\"done\",\"work\":[{\"id\":\"W1\",\"result\":%s}]}", "{\"x\":%s,\"command\":\"ping\"}",
                "{\"command\":\"offer\",\"slots\":%s}", "{\"command\":\"sysmsg\",\"id\":\"M\",\"to\":\"MANAGER\",\"content\":%s}");
    }

    @Provide
    Arbitrary<Double> cuts() {
        return Arbitraries.doubles().between(0.0, 0.95);
    }

    @Provide
    Arbitrary<Long> oversize() {
        return Arbitraries.longs().between(MAX_FRAME + 1L, 0xFFFF_FFFFL).edgeCases(c -> c.add(MAX_FRAME + 1L).add(0x8000_0000L).add(0xFFFF_FFFFL));
    }
}
