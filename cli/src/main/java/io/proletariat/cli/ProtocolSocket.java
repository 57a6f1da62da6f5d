package io.proletariat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.proletariat.protocol.Wire;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A tiny blocking connection speaking the manager's framing, for one-shot questions such as
 * {@code status}. Not thread-safe; one user at a time.
 *
 * <pre>
 * +--------------------------+------------------------------+
 * | length: 4 bytes, big-end | payload: UTF-8 JSON (length) |
 * +--------------------------+------------------------------+
 * </pre>
 */
final class ProtocolSocket implements AutoCloseable {
    /** Largest answer accepted: the manager's default frame limit. */
    static final int MAX_FRAME = Wire.DEFAULT_MAX_FRAME_LENGTH;

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;

    /** Connects, waiting at most {@code timeoutMillis} for the connection and for each answer. */
    ProtocolSocket(String host, int port, int timeoutMillis) throws IOException {
        socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            socket.setTcpNoDelay(true);
            in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            out = new DataOutputStream(socket.getOutputStream());
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends one frame. */
    void send(String json) throws IOException {
        byte[] payload = json.getBytes(StandardCharsets.UTF_8);
        out.writeInt(payload.length);
        out.write(payload);
        out.flush();
    }

    /** Reads frames until one answers {@code to} ({@code {"to":to,...,"command":"answer"}}), and returns its text. */
    String awaitAnswer(String to) throws IOException {
        while (true) {
            int length = in.readInt();
            if (length < 0 || length > MAX_FRAME) {
                throw new IOException("bad frame length from the manager: " + length);
            }
            byte[] payload = new byte[length];
            in.readFully(payload);
            String text = new String(payload, StandardCharsets.UTF_8);
            JsonNode node = Json.MAPPER.readTree(text);
            if (node != null && to.equals(node.path("to").asText()) && "answer".equals(node.path("command").asText())) {
                return text;
            }
            // Anything else (a ping, a system message) is not for us; pings are optional to answer.
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
