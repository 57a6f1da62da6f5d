package io.proletariat.manager;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.proletariat.protocol.BlockingConnection;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A test peer that speaks raw protocol frames over a real socket, as an original node.js worker,
 * client or admin tool would, on a {@link BlockingConnection}. Reads block with a timeout, so a
 * missing answer fails the test.
 */
public final class RawPeer implements AutoCloseable {
    /** Jackson's default nesting (a dispatch is one level deeper than the push), strings as long as a frame. */
    public static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
            .build());

    /** How long a read waits for a frame. */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    private final BlockingConnection connection;

    public RawPeer(InetSocketAddress address) {
        try {
            // No limit of its own, as a test peer: a dispatch is longer than the push it came in.
            connection = BlockingConnection.connect(address, Duration.ofSeconds(5)).maxFrameLength(Integer.MAX_VALUE - 8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A peer whose socket is bound to {@code localAddress} first (another loopback address, say 127.0.0.2). */
    public RawPeer(InetSocketAddress address, String localAddress) {
        try {
            connection = BlockingConnection.connect(address, new InetSocketAddress(localAddress, 0), Duration.ofSeconds(5))
                    .maxFrameLength(Integer.MAX_VALUE - 8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public RawPeer(Manager manager) {
        this(new InetSocketAddress("127.0.0.1", manager.port()));
    }

    /** Parses JSON written with single quotes for readability: {@code "{'command':'ping'}"}. */
    public static JsonNode json(String singleQuoted) {
        try {
            return JSON.readTree(singleQuoted.replace('\'', '"'));
        } catch (IOException e) {
            throw new IllegalArgumentException(singleQuoted, e);
        }
    }

    /** Sends one frame holding {@code json} (single quotes allowed as in {@link #json(String)}). */
    public RawPeer send(String singleQuoted) {
        return send(json(singleQuoted));
    }

    /**
     * Sends {@code times} frames of {@code payload} in one write: for floods the manager answers by
     * closing, where a write after the close would fail the test instead of the manager.
     */
    public RawPeer sendRepeated(byte[] payload, int times) {
        java.nio.ByteBuffer frames = java.nio.ByteBuffer.allocate(times * (4 + payload.length));
        for (int i = 0; i < times; i++) {
            frames.putInt(payload.length).put(payload);
        }
        return sendRaw(frames.array());
    }

    public RawPeer send(JsonNode node) {
        try {
            return sendBytes(JSON.writeValueAsBytes(node));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends one frame with exactly these payload bytes. */
    public RawPeer sendBytes(byte[] payload) {
        try {
            connection.writeFrame(payload);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends bytes with no framing added (for broken headers). */
    public RawPeer sendRaw(byte[] bytes) {
        try {
            connection.writeRaw(bytes);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next frame; fails after 10 s of silence. */
    public JsonNode read() {
        try {
            return JSON.readTree(new String(connection.readFrame(READ_TIMEOUT), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads frames until one matches, skipping keepalive pings; fails after 10 s. */
    public JsonNode readUntil(Predicate<JsonNode> match) {
        List<JsonNode> skipped = new ArrayList<>();
        while (true) {
            JsonNode n;
            try {
                n = read();
            } catch (UncheckedIOException e) {
                throw new AssertionError("no matching frame; skipped " + skipped, e);
            }
            if (match.test(n)) {
                return n;
            }
            skipped.add(n);
        }
    }

    /** The next frame that is an answer to {@code to}. */
    public JsonNode answer(String to) {
        return readUntil(n -> "answer".equals(n.path("command").asText()) && to.equals(n.path("to").asText()));
    }

    /** The next frame with this command. */
    public JsonNode command(String command) {
        return readUntil(n -> command.equals(n.path("command").asText()) && !n.has("to"));
    }

    /** Asserts that nothing arrives within {@code millis} (for "must not be sent" checks); the end of the stream is silence too. */
    public void assertSilentFor(int millis) {
        try {
            byte[] frame = connection.pollFrame(Duration.ofMillis(millis));
            if (frame != null) {
                throw new AssertionError("expected silence, but a frame arrived: " + new String(frame, StandardCharsets.UTF_8));
            }
        } catch (java.net.SocketTimeoutException e) {
            throw new AssertionError("expected silence, but a frame began", e);
        } catch (EOFException closed) {
            // Silence.
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True once the manager has closed this connection (reads EOF within 10 s). */
    public boolean closedByPeer() {
        return connection.awaitPeerClose(READ_TIMEOUT);
    }

    // ------------------------------------------------------------ role helpers

    /** Offers slots (a number or an object written as JSON) and returns the connection id from the answer. */
    public String offer(String slots) {
        send("{'command':'offer','slots':" + slots + "}");
        JsonNode a = answer("offer");
        assertThat(a.has("error")).as("offer answer %s", a).isFalse();
        return a.get("you").asText();
    }

    /** Pushes works (a JSON array) with extra push fields (JSON object members, may be empty); returns the work ids. */
    public List<String> push(String rid, String worksArray, String extra) {
        send("{'command':'push','rid':'" + rid + "','work':" + worksArray + (extra.isEmpty() ? "" : "," + extra) + "}");
        JsonNode a = answer("push");
        assertThat(a.has("error")).as("push answer %s", a).isFalse();
        List<String> ids = new ArrayList<>();
        a.get("work").forEach(id -> ids.add(id.asText()));
        return ids;
    }

    /** Reads the next dispatch push and accepts every work in it; returns it. */
    public JsonNode takeDispatch() {
        JsonNode push = command("push");
        ObjectNode answer = JSON.createObjectNode().put("to", "push").put("command", "answer");
        push.get("work").forEach(w -> answer.withArray("accepted").add(w.get("id").asText()));
        send(answer);
        return push;
    }

    /** Ids of a dispatch push's works. */
    public static List<String> ids(JsonNode dispatch) {
        List<String> ids = new ArrayList<>();
        dispatch.get("work").forEach(w -> ids.add(w.get("id").asText()));
        return ids;
    }

    /** Sends a done with {@code {"err":null,"data":<data>}} for each id, and reads the manager's answer. */
    public JsonNode finish(List<String> ids, String data) {
        ArrayNodeBuilder b = new ArrayNodeBuilder();
        for (String id : ids) {
            b.add("{'id':'" + id + "','result':{'err':null,'data':" + data + "}}");
        }
        send("{'command':'done','work':" + b + "}");
        return answer("done");
    }

    public JsonNode status() {
        send("{'command':'status'}");
        return answer("status");
    }

    @Override
    public void close() {
        connection.close();
    }

    private static final class ArrayNodeBuilder {
        private final StringBuilder sb = new StringBuilder("[");

        void add(String element) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append(element);
        }

        @Override
        public String toString() {
            return sb + "]";
        }
    }
}
