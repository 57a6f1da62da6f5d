package io.proletariat.reliability;

import io.proletariat.protocol.BlockingConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.time.Duration;

/** A client that speaks raw frames on a {@link BlockingConnection}: pushes works, never reads, and may reset its socket. */
final class RawClient implements AutoCloseable {
    private final BlockingConnection connection;
    /** The socket underneath, for its buffer sizes. */
    final Socket socket;
    private int rid;

    RawClient(int port) {
        try {
            connection = BlockingConnection.connect("127.0.0.1", port, Duration.ofSeconds(5));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        socket = connection.socket();
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
        try {
            connection.writeFrame(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void sendBytes(byte[] payload) {
        try {
            connection.writeFrame(payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Bytes as they are, no frame header added (a header alone, or part of a frame). */
    void sendRaw(byte[] bytes) {
        try {
            connection.writeRaw(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Resets the connection (SO_LINGER 0). */
    void cut() {
        connection.reset();
    }

    @Override
    public void close() {
        connection.close();
    }
}
