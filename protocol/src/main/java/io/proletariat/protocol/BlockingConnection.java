package io.proletariat.protocol;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One protocol connection over a plain blocking {@link Socket}, for the command-line tools and for
 * tests that play a peer by hand (a worker, a client, a manager, or a hostile one of any of them).
 * The libraries and the manager use Netty and {@link FrameDecoder} instead.
 *
 * <pre>
 * +----------------------------+------------------------------+
 * | length: 4 bytes, big-endian | payload: UTF-8 JSON (length) |
 * +----------------------------+------------------------------+
 * </pre>
 *
 * <p>Frames are read whole, up to {@link Wire#DEFAULT_MAX_FRAME_LENGTH} bytes unless {@link
 * #maxFrameLength(int)} says otherwise, and handed over as
 * they arrived, without parsing: the caller decides how to read the JSON (a zero-length frame is an
 * empty array). {@link #writeRaw} writes bytes with no framing, for tests of broken headers.
 *
 * <p>Threads: a frame is written whole, so writes may come from any thread. Reads belong to one
 * thread at a time. {@link #close()} from any thread ends a blocked read with an exception.
 */
public final class BlockingConnection implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] header = new byte[4];
    private volatile int maxFrameLength = Wire.DEFAULT_MAX_FRAME_LENGTH;

    private BlockingConnection(Socket socket) throws IOException {
        this.socket = socket;
        try {
            socket.setTcpNoDelay(true);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Connects to {@code host:port}, waiting at most {@code timeout}.
     *
     * @throws java.net.UnknownHostException when the host name does not resolve
     * @throws java.net.ConnectException when nothing listens there
     * @throws SocketTimeoutException when the connection is not made in time
     */
    public static BlockingConnection connect(String host, int port, Duration timeout) throws IOException {
        return connect(new InetSocketAddress(host, port), timeout);
    }

    /** Connects to {@code address}, waiting at most {@code timeout}; see {@link #connect(String, int, Duration)}. */
    public static BlockingConnection connect(InetSocketAddress address, Duration timeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(address, millis(timeout));
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        return new BlockingConnection(socket);
    }

    /**
     * Connects to {@code address} from {@code local} (a local address to bind first, e.g. another
     * loopback address in a test), waiting at most {@code timeout}.
     */
    public static BlockingConnection connect(InetSocketAddress address, InetSocketAddress local, Duration timeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.bind(local);
            socket.connect(address, millis(timeout));
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        return new BlockingConnection(socket);
    }

    /**
     * Connects to {@code host:port} over TLS when {@code tls} is not null ({@link Tls#socketFactory}),
     * verifying that the manager's certificate names {@code host}; plain TCP when it is null. The
     * handshake happens here, within {@code timeout}.
     *
     * @throws javax.net.ssl.SSLException when the handshake fails (an untrusted certificate, another host name)
     */
    public static BlockingConnection connect(String host, int port, Duration timeout, javax.net.ssl.SSLSocketFactory tls) throws IOException {
        if (tls == null) {
            return connect(host, port, timeout);
        }
        Socket plain = new Socket();
        try {
            plain.connect(new InetSocketAddress(host, port), millis(timeout));
            plain.setSoTimeout(millis(timeout));
            javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) tls.createSocket(plain, host, port, true);
            javax.net.ssl.SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            socket.setSoTimeout(0);
            return new BlockingConnection(socket);
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    /** Waits for the next connection to {@code server} (until {@link ServerSocket#close()}) and wraps it. */
    public static BlockingConnection accept(ServerSocket server) throws IOException {
        return new BlockingConnection(server.accept());
    }

    /**
     * Sets the longest frame payload read, {@link Wire#DEFAULT_MAX_FRAME_LENGTH} unless set: a peer
     * reading a manager's dispatches needs more, since a dispatch wraps args that were almost as long.
     */
    public BlockingConnection maxFrameLength(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("maxFrameLength must not be negative: " + bytes);
        }
        maxFrameLength = bytes;
        return this;
    }

    /** The socket underneath, for its options (buffer sizes) and addresses. */
    public Socket socket() {
        return socket;
    }

    /** Writes one frame holding {@code json} in UTF-8. */
    public void writeFrame(String json) throws IOException {
        writeFrame(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes one frame holding exactly {@code payload}, whatever it is (invalid JSON included). */
    public void writeFrame(byte[] payload) throws IOException {
        byte[] frame = new byte[4 + payload.length];
        frame[0] = (byte) (payload.length >>> 24);
        frame[1] = (byte) (payload.length >>> 16);
        frame[2] = (byte) (payload.length >>> 8);
        frame[3] = (byte) payload.length;
        System.arraycopy(payload, 0, frame, 4, payload.length);
        writeRaw(frame);
    }

    /** Writes {@code bytes} as they are, no header added: a header alone, part of a frame, garbage. */
    public void writeRaw(byte[] bytes) throws IOException {
        synchronized (out) {
            out.write(bytes);
            out.flush();
        }
    }

    /**
     * The next frame's payload, waiting without limit.
     *
     * @throws EOFException when the peer closed the connection (before or within a frame)
     * @throws FrameTooLargeException when the header announces more than the frame limit
     * @throws IOException when the connection failed or was closed meanwhile
     */
    public byte[] readFrame() throws IOException {
        return nextFrame(false, 0);
    }

    /**
     * The next frame's payload, which must have arrived whole within {@code timeout}.
     *
     * @throws SocketTimeoutException when it did not (after a frame arrived in part, the stream is out
     *     of step: close the connection)
     * @throws EOFException when the peer closed the connection (before or within a frame)
     * @throws FrameTooLargeException when the header announces more than the frame limit
     */
    public byte[] readFrame(Duration timeout) throws IOException {
        byte[] frame = pollFrame(timeout);
        if (frame == null) {
            throw new SocketTimeoutException("Read timed out");
        }
        return frame;
    }

    /**
     * The next frame's payload, or null when not a byte of one arrived within {@code timeout} (the
     * connection is then as it was). A frame that began must end before the deadline.
     *
     * @throws SocketTimeoutException when a frame began but did not end in time
     * @throws EOFException when the peer closed the connection (before or within a frame)
     * @throws FrameTooLargeException when the header announces more than the frame limit
     */
    public byte[] pollFrame(Duration timeout) throws IOException {
        return nextFrame(true, deadline(timeout));
    }

    /**
     * Reads and discards frames until the peer closes the connection.
     *
     * @return true when it closed (or reset) it within {@code timeout}, false when it is still open then
     */
    public boolean awaitPeerClose(Duration timeout) {
        long deadline = deadline(timeout);
        try {
            while (nextFrame(true, deadline) != null) {
                // not the end yet
            }
            return false;
        } catch (EOFException e) {
            return true;
        } catch (SocketException e) {
            return !socket.isClosed(); // a reset from the peer, not our own close
        } catch (IOException | FrameTooLargeException e) {
            return false;
        }
    }

    /** Closes with a reset (SO_LINGER 0), as when a cable is pulled: the peer sees the connection die, not end. */
    public void reset() {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // closing anyway
        }
        close();
    }

    /** Closes the socket; a read blocked in another thread ends with an exception. Never throws. */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }

    /** One frame, by {@code deadline} (a {@link System#nanoTime()} value) when {@code limited}; null when not a byte came in time. */
    private byte[] nextFrame(boolean limited, long deadline) throws IOException {
        if (!readFully(header, limited, deadline, true)) {
            return null;
        }
        long length = ((header[0] & 0xFFL) << 24) | ((header[1] & 0xFF) << 16) | ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
        int limit = maxFrameLength;
        if (length > limit) {
            throw new FrameTooLargeException(length, limit);
        }
        byte[] payload = new byte[(int) length];
        readFully(payload, limited, deadline, false);
        return payload;
    }

    /** Fills {@code b}; false when {@code mayGiveUp} and not a byte came before the deadline. */
    private boolean readFully(byte[] b, boolean limited, long deadline, boolean mayGiveUp) throws IOException {
        int done = 0;
        while (done < b.length) {
            int n;
            try {
                socket.setSoTimeout(limited ? remainingMillis(deadline) : 0);
                n = in.read(b, done, b.length - done);
            } catch (SocketTimeoutException e) {
                if (mayGiveUp && done == 0) {
                    return false;
                }
                throw e;
            }
            if (n < 0) {
                throw new EOFException();
            }
            done += n;
        }
        return true;
    }

    /** Milliseconds left until {@code deadline}, at least 1 (0 would mean no limit); past it, a timeout. */
    private static int remainingMillis(long deadline) throws SocketTimeoutException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("Read timed out");
        }
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
    }

    private static long deadline(Duration timeout) {
        return System.nanoTime() + Math.max(1, timeout.toNanos());
    }

    private static int millis(Duration timeout) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
    }
}
