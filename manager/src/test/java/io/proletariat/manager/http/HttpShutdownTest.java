package io.proletariat.manager.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.proletariat.manager.Manager;
import io.proletariat.manager.ManagerOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;

/**
 * {@code Manager.close()} closes the HTTP connections a client keeps alive, idle or with a request in
 * flight. They once stayed open when the HTTP loop's shutdown raced past closing its channels (in a
 * fifth to a half of the closes); each test repeats to catch such a race.
 */
class HttpShutdownTest {
    private final List<Socket> sockets = new ArrayList<>();
    private Manager manager;

    @AfterEach
    void closeAll() throws IOException {
        if (manager != null) {
            manager.close();
        }
        for (Socket s : sockets) {
            s.close();
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", manager.httpAddress().getPort());
        sockets.add(socket);
        socket.setSoTimeout(200);
        return socket;
    }

    private static void requestStatus(Socket socket) throws IOException {
        socket.getOutputStream().write(("GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    }

    /** Reads what is there; true once the manager closed its end. */
    private static boolean atEof(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        try {
            while (true) {
                if (in.read(buffer) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (java.net.SocketException e) {
            return true; // reset: closed all the same
        }
    }

    private static String readResponse(Socket socket) throws IOException {
        socket.setSoTimeout(10_000);
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("response head").isNotNegative();
            head.append((char) b);
        }
        String lower = head.toString().toLowerCase(java.util.Locale.ROOT);
        int at = lower.indexOf("content-length:");
        int length = Integer.parseInt(lower.substring(at + 15, lower.indexOf("\r\n", at)).trim());
        in.readNBytes(length);
        socket.setSoTimeout(200);
        return head.toString();
    }

    private void startManager() {
        manager = new Manager(ManagerOptions.builder().port(0).bindAddress("127.0.0.1").httpPort(0).build()).start();
    }

    private void closeManagerAndExpectEof(List<Socket> open) {
        manager.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            for (Socket s : open) {
                if (!atEof(s)) {
                    return false;
                }
            }
            return true;
        });
    }

    @RepeatedTest(5)
    void closeEndsKeptAliveConnections() throws IOException {
        startManager();
        List<Socket> open = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Socket s = connect();
            requestStatus(s);
            assertThat(readResponse(s)).startsWith("HTTP/1.1 200").containsIgnoringCase("connection: keep-alive");
            open.add(s);
        }
        closeManagerAndExpectEof(open);
    }

    @RepeatedTest(5)
    void closeEndsConnectionsWithARequestInFlight() throws IOException {
        startManager();
        List<Socket> open = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Socket s = connect();
            requestStatus(s);
            open.add(s);
        }
        closeManagerAndExpectEof(open);
    }
}
