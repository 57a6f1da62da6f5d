package io.proletariat.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two {@link BlockingConnection}s on loopback: one connected, one accepted. */
class BlockingConnectionTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private ServerSocket server;
    private BlockingConnection near;
    private BlockingConnection far;

    @BeforeEach
    void connect() throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        near = BlockingConnection.connect("127.0.0.1", server.getLocalPort(), WAIT);
        far = BlockingConnection.accept(server);
    }

    @AfterEach
    void close() throws IOException {
        near.close();
        far.close();
        server.close();
    }

    private static String text(byte[] payload) {
        return new String(payload, StandardCharsets.UTF_8);
    }

    @Test
    void aFrameIsABigEndianLengthAndTheUtf8Payload() throws IOException {
        near.writeFrame("{\"a\":\"спасибо\"}");
        DataInputStream raw = new DataInputStream(far.socket().getInputStream());
        int length = raw.readInt();
        byte[] payload = raw.readNBytes(length);
        assertThat(length).isEqualTo("{\"a\":\"спасибо\"}".getBytes(StandardCharsets.UTF_8).length).isEqualTo(22);
        assertThat(text(payload)).isEqualTo("{\"a\":\"спасибо\"}");
    }

    @Test
    void framesArriveWholeAndInOrderWhateverPiecesTheyCameIn() throws IOException {
        near.writeRaw(new byte[] {0, 0});
        near.writeRaw(new byte[] {0, 2, '{'});
        near.writeRaw(new byte[] {'}', 0, 0, 0, 0, 0, 0, 0, 4});
        near.writeRaw("null".getBytes(StandardCharsets.UTF_8));
        assertThat(text(far.readFrame(WAIT))).isEqualTo("{}");
        assertThat(far.readFrame(WAIT)).as("a zero-length frame").isEmpty();
        assertThat(text(far.readFrame())).isEqualTo("null");
    }

    @Test
    void writesFromManyThreadsStayWholeFrames() throws Exception {
        List<CompletableFuture<Void>> writers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            writers.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 200; i++) {
                    try {
                        near.writeFrame("{\"t\":" + thread + ",\"i\":" + i + ",\"pad\":\"" + "x".repeat(i * 7) + "\"}");
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }));
        }
        Set<String> seen = new HashSet<>();
        for (int n = 0; n < 800; n++) {
            String frame = text(far.readFrame(WAIT));
            assertThat(frame).matches("\\{\"t\":\\d,\"i\":\\d+,\"pad\":\"x*\"}");
            seen.add(frame.substring(0, frame.indexOf(",\"pad\"")));
        }
        CompletableFuture.allOf(writers.toArray(new CompletableFuture[0])).get(10, TimeUnit.SECONDS);
        assertThat(seen).hasSize(800);
    }

    @Test
    void pollingASilentConnectionGivesNullAndLeavesItUsable() throws IOException {
        assertThat(far.pollFrame(Duration.ofMillis(50))).isNull();
        near.writeFrame("{}");
        assertThat(text(far.pollFrame(WAIT))).isEqualTo("{}");
    }

    @Test
    void aFrameThatBeganButDidNotEndInTimeIsATimeout() throws IOException {
        near.writeRaw(new byte[] {0, 0, 0, 10, '{'});
        assertThatThrownBy(() -> far.pollFrame(Duration.ofMillis(100))).isInstanceOf(SocketTimeoutException.class);
    }

    @Test
    void readingASilentConnectionWithADeadlineIsATimeout() {
        assertThatThrownBy(() -> far.readFrame(Duration.ofMillis(50)))
                .isInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
    }

    @Test
    void aHeaderAboveTheFrameLimitFailsBeforeThePayload() throws IOException {
        long limit = Wire.DEFAULT_MAX_FRAME_LENGTH;
        near.writeRaw(new byte[] {(byte) (limit >>> 24), (byte) (limit >>> 16), (byte) (limit >>> 8), (byte) (limit + 1)});
        assertThatThrownBy(() -> far.readFrame(WAIT)).isInstanceOf(FrameTooLargeException.class)
                .satisfies(e -> assertThat(((FrameTooLargeException) e).declaredLength()).isEqualTo(limit + 1));
    }

    @Test
    void aHeaderAboveTwoGibibytesIsReadUnsigned() throws IOException {
        near.writeRaw(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
        assertThatThrownBy(() -> far.readFrame(WAIT)).isInstanceOf(FrameTooLargeException.class)
                .satisfies(e -> assertThat(((FrameTooLargeException) e).declaredLength()).isEqualTo(0xFFFF_FFFFL));
    }

    @Test
    void theFrameLimitCanBeRaised() throws IOException {
        near.writeFrame("{\"twelve\":12}");
        near.writeFrame("{\"thirteen\":13}");
        far.maxFrameLength(13);
        assertThat(text(far.readFrame(WAIT))).isEqualTo("{\"twelve\":12}");
        assertThatThrownBy(() -> far.readFrame(WAIT)).isInstanceOf(FrameTooLargeException.class)
                .hasMessage("frame of 15 bytes exceeds the limit of 13 bytes");
    }

    @Test
    void aFrameOfExactlyTheLimitIsRead() throws Exception {
        byte[] payload = new byte[Wire.DEFAULT_MAX_FRAME_LENGTH];
        payload[payload.length - 1] = 'z';
        CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
            try {
                near.writeFrame(payload);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        byte[] read = far.readFrame(WAIT);
        writing.get(10, TimeUnit.SECONDS);
        assertThat(read).hasSize(payload.length).endsWith((byte) 'z');
    }

    @Test
    void thePeerClosingIsTheEndOfTheStream() throws IOException {
        near.writeFrame("{}");
        near.close();
        assertThat(text(far.readFrame(WAIT))).isEqualTo("{}");
        assertThatThrownBy(() -> far.readFrame(WAIT)).isInstanceOf(EOFException.class);
    }

    @Test
    void thePeerClosingWithinAFrameIsTheEndOfTheStream() throws IOException {
        near.writeRaw(new byte[] {0, 0, 0, 9, '{'});
        near.close();
        assertThatThrownBy(() -> far.readFrame(WAIT)).isInstanceOf(EOFException.class);
    }

    @Test
    void awaitingThePeerCloseSkipsFramesAndSeesAnEndOrAReset() throws IOException {
        assertThat(far.awaitPeerClose(Duration.ofMillis(50))).as("still open").isFalse();
        near.writeFrame("{\"skipped\":true}");
        near.close();
        assertThat(far.awaitPeerClose(WAIT)).as("closed").isTrue();

        try (BlockingConnection other = BlockingConnection.connect(new InetSocketAddress("127.0.0.1", server.getLocalPort()), WAIT);
                BlockingConnection accepted = BlockingConnection.accept(server)) {
            other.reset();
            assertThat(accepted.awaitPeerClose(WAIT)).as("reset").isTrue();
        }
    }

    @Test
    void closingUnblocksARead() throws Exception {
        CompletableFuture<byte[]> reading = CompletableFuture.supplyAsync(() -> {
            try {
                return far.readFrame();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        far.close();
        assertThatThrownBy(() -> reading.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(java.io.UncheckedIOException.class);
    }

    @Test
    void connectingWhereNothingListensIsRefused() throws IOException {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        assertThatThrownBy(() -> BlockingConnection.connect("127.0.0.1", port, WAIT)).isInstanceOf(ConnectException.class);
    }
}
