package io.proletariat.reliability;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A client that speaks raw frames: pushes works, never reads, and may reset its socket. */
final class RawClient implements AutoCloseable {
    final Socket socket;
    private final DataOutputStream out;
    final DataInputStream in;
    private int rid;

    RawClient(int port) {
        try {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            out = new DataOutputStream(socket.getOutputStream());
            in = new DataInputStream(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Pushes {@code count} works of the checker's shape that nobody checks. */
    void push(int count) {
        StringBuilder works = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            works.append(i == 0 ? "" : ",").append("{\"n\":").append(-i - 1).append(",\"sleep\":100}");
        }
        send("{\"command\":\"push\",\"rid\":\"raw" + (rid++) + "\",\"work\":" + works + "]}");
    }

    void send(String json) {
        sendBytes(json.getBytes(StandardCharsets.UTF_8));
    }

    void sendBytes(byte[] payload) {
        try {
            out.writeInt(payload.length);
            out.write(payload);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Bytes as they are, no frame header added (a header alone, or part of a frame). */
    void sendRaw(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Resets the connection (SO_LINGER 0). */
    void cut() {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // closing anyway
        }
        close();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closed
        }
    }
}
