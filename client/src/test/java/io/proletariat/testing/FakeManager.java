package io.proletariat.testing;

import io.proletariat.protocol.BlockingConnection;
import io.proletariat.protocol.RawJson;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A scriptable manager for edge cases (OkHttp MockWebServer style): accepts connections on
 * 127.0.0.1, hands each one to the test, records the frames it receives and sends whatever the test
 * tells it to, malformed frames included.
 */
public final class FakeManager implements AutoCloseable {
    private final ServerSocket server;
    private final BlockingQueue<Conn> accepted = new LinkedBlockingQueue<>();
    /** Every connection accepted, handed to the test or not: {@link #close()} closes them all. */
    private final java.util.Queue<Conn> all = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final Thread acceptor;

    public FakeManager() throws IOException {
        this(0);
    }

    public FakeManager(int port) throws IOException {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        acceptor = new Thread(this::acceptLoop, "fake-manager-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        try {
            while (!server.isClosed()) {
                Conn c = new Conn(BlockingConnection.accept(server));
                all.add(c);
                accepted.add(c);
            }
        } catch (IOException e) {
            // closed
        }
    }

    /** The next connection, waiting up to 20 s. */
    public Conn accept() throws InterruptedException {
        Conn c = accepted.poll(20, TimeUnit.SECONDS);
        if (c == null) {
            throw new AssertionError("no connection to the fake manager within 20 s");
        }
        return c;
    }

    @Override
    public void close() throws IOException {
        server.close();
        try {
            acceptor.join(10_000); // no connection is added after this
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        all.forEach(Conn::close);
    }

    /** One accepted connection, on a {@link BlockingConnection}; a thread of its own queues the frames it receives. */
    public static final class Conn implements AutoCloseable {
        private final BlockingConnection connection;
        private final BlockingQueue<RawJson> frames = new LinkedBlockingQueue<>();
        private volatile boolean eof;

        Conn(BlockingConnection connection) {
            this.connection = connection;
            Thread reader = new Thread(this::readLoop, "fake-manager-conn");
            reader.setDaemon(true);
            reader.start();
        }

        private void readLoop() {
            try {
                while (true) {
                    frames.add(RawJson.parse(connection.readFrame()));
                }
            } catch (IOException e) {
                eof = true;
            }
        }

        /** The next frame received, waiting up to 20 s. */
        public RawJson next() throws InterruptedException {
            return next(Duration.ofSeconds(20));
        }

        public RawJson next(Duration wait) throws InterruptedException {
            RawJson f = frames.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
            if (f == null) {
                throw new AssertionError("no frame within " + wait.toMillis() + " ms");
            }
            return f;
        }

        /** The next frame, or null when none arrives within {@code wait}. */
        public RawJson poll(Duration wait) throws InterruptedException {
            return frames.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** Skips frames until one with this command arrives. */
        public RawJson next(String command) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                RawJson f = frames.poll(100, TimeUnit.MILLISECONDS);
                if (f != null && command.equals(Wire.text(f, "command"))) {
                    return f;
                }
            }
            throw new AssertionError("no " + command + " frame within 20 s");
        }

        public boolean isClosedByPeer() {
            return eof;
        }

        /** Sends a JSON text as one frame. */
        public void send(String json) throws IOException {
            connection.writeFrame(json);
        }

        public void sendBytes(byte[] payload) throws IOException {
            connection.writeFrame(payload);
        }

        /** Writes raw bytes (for broken headers). */
        public void sendRaw(byte[] bytes) throws IOException {
            connection.writeRaw(bytes);
        }

        @Override
        public void close() {
            connection.close();
        }
    }
}
