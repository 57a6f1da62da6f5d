package io.proletariat.manager.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.proletariat.manager.ManagerOptions;
import io.proletariat.protocol.BlockingConnection;
import io.proletariat.protocol.Tls;
import io.proletariat.testsupport.StderrCapture;
import io.proletariat.testsupport.TestCertificates;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on the protocol port and the HTTP listener, with certificates made for the test: peers served
 * over TLS, mutual TLS and its principal, plaintext and TLS peers on the wrong port refused with a
 * clear log line, the option checks, and a reload of the certificate.
 */
class TlsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    static Path dir;
    static TestCertificates certs;

    private ManagerServer server;

    @BeforeAll
    static void certificates() {
        certs = TestCertificates.create(dir);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private ManagerServer start(ManagerOptions.Builder b) throws InterruptedException {
        server = ManagerServer.start(b.bindAddress("127.0.0.1").port(0).build());
        return server;
    }

    private int port() {
        return server.localAddress().getPort();
    }

    private static String status(BlockingConnection c) throws IOException {
        c.writeFrame("{\"command\":\"status\"}");
        for (;;) {
            String frame = new String(c.readFrame(TIMEOUT), StandardCharsets.UTF_8);
            if (frame.contains("\"to\":\"status\"")) {
                return frame;
            }
        }
    }

    @Test
    void servesTlsPeersAndTheirStatus() throws Exception {
        start(ManagerOptions.builder().tls(certs.serverCert(), certs.serverKey()));
        try (BlockingConnection c = BlockingConnection.connect("127.0.0.1", port(), TIMEOUT, Tls.socketFactory(certs.ca(), null, null))) {
            assertThat(c.socket()).isInstanceOf(SSLSocket.class);
            assertThat(status(c)).contains("\"to\":\"status\"");
        }
        assertThat(server.certificateSubjects()).allSatisfy((id, principal) -> assertThat(principal).isNull());
    }

    @Test
    void mutualTlsGivesTheSubjectAsPrincipalAndRefusesPeersWithoutACertificate() throws Exception {
        start(ManagerOptions.builder().tls(certs.serverCert(), certs.serverKey()).tlsClientCa(certs.ca()));
        try (BlockingConnection c = BlockingConnection.connect("127.0.0.1", port(), TIMEOUT,
                Tls.socketFactory(certs.ca(), certs.clientCert(), certs.clientKey()))) {
            assertThat(status(c)).contains("\"to\":\"status\"");
            assertThat(server.certificateSubjects()).containsValue(TestCertificates.CLIENT_SUBJECT);
        }
        // Without a certificate, and with one of another CA. (The log line is rate-limited: one for both.)
        try (StderrCapture log = new StderrCapture()) {
            for (Path[] client : new Path[][] {{null, null}, {certs.strangerCert(), certs.strangerKey()}}) {
                assertRefused(() -> BlockingConnection.connect("127.0.0.1", port(), TIMEOUT, Tls.socketFactory(certs.ca(), client[0], client[1])));
            }
            await().atMost(TIMEOUT).until(() -> log.text().contains("TLS handshake failed"));
        }
        await().atMost(TIMEOUT).until(() -> server.certificateSubjects().isEmpty());
    }

    @Test
    void aCertificateSubjectInTheAuthFileAuthenticatesWithoutAToken() throws Exception {
        Path auth = dir.resolve("auth-subjects");
        Files.writeString(auth, "tls-admin admin subject:" + TestCertificates.CLIENT_SUBJECT + "\n"
                + "ops client " + io.proletariat.manager.internal.auth.AuthFile.hashLine("ops-token") + "\n");
        start(ManagerOptions.builder().tls(certs.serverCert(), certs.serverKey()).tlsClientCa(certs.ca()).authFile(auth));
        javax.net.ssl.SSLSocketFactory mutual = Tls.socketFactory(certs.ca(), certs.clientCert(), certs.clientKey());
        // No auth frame: the certificate names the principal, whose role allows status.
        try (BlockingConnection c = BlockingConnection.connect("127.0.0.1", port(), TIMEOUT, mutual)) {
            assertThat(status(c)).contains("\"to\":\"status\"").contains("\"principal\":\"tls-admin\"");
        }
        // A token sent first still names its own principal: a client may not ask the status.
        try (BlockingConnection c = BlockingConnection.connect("127.0.0.1", port(), TIMEOUT, mutual)) {
            c.writeFrame("{\"command\":\"auth\",\"token\":\"ops-token\"}");
            c.writeFrame("{\"command\":\"status\"}");
            String frame;
            do {
                frame = new String(c.readFrame(TIMEOUT), StandardCharsets.UTF_8);
            } while (!frame.contains("EPERM"));
        }
        // The subject's line removed: the open connection is cut off; a new one must send a token.
        try (BlockingConnection c = BlockingConnection.connect("127.0.0.1", port(), TIMEOUT, mutual)) {
            status(c);
            Files.writeString(auth, "ops client " + io.proletariat.manager.internal.auth.AuthFile.hashLine("ops-token") + "\n");
            server.reloadAuth();
            assertThat(c.awaitPeerClose(TIMEOUT)).isTrue();
        }
        try (BlockingConnection c = BlockingConnection.connect("127.0.0.1", port(), TIMEOUT, mutual)) {
            c.writeFrame("{\"command\":\"status\"}");
            String frame = new String(c.readFrame(TIMEOUT), StandardCharsets.UTF_8);
            assertThat(frame).contains("EAUTH");
        }
    }

    /** With TLS 1.3 the client may finish its handshake before the server refuses its certificate: the refusal then ends the first read. */
    private static void assertRefused(Connect connect) {
        assertThatThrownBy(() -> {
            try (BlockingConnection c = connect.connect()) {
                status(c);
            }
        }).isInstanceOf(IOException.class);
    }

    private interface Connect {
        BlockingConnection connect() throws IOException;
    }

    @Test
    void aPlaintextPeerOnTheTlsPortIsRefusedAndLogged() throws Exception {
        start(ManagerOptions.builder().tls(certs.serverCert(), certs.serverKey()));
        try (StderrCapture log = new StderrCapture();
                BlockingConnection c = BlockingConnection.connect("127.0.0.1", port(), TIMEOUT)) {
            c.writeFrame("{\"command\":\"status\"}");
            assertThat(c.awaitPeerClose(TIMEOUT)).isTrue();
            await().atMost(TIMEOUT).until(() -> log.text().contains("a plaintext peer connected to the TLS port"));
            assertThat(log.text()).contains("WARN").doesNotContain("unexpected error");
        }
    }

    @Test
    void aTlsClientOnThePlaintextPortIsRefusedWithAClearLine() throws Exception {
        start(ManagerOptions.builder());
        try (StderrCapture log = new StderrCapture()) {
            assertThatThrownBy(() -> BlockingConnection.connect("127.0.0.1", port(), TIMEOUT, Tls.socketFactory(certs.ca(), null, null)))
                    .isInstanceOf(IOException.class);
            await().atMost(TIMEOUT).until(() -> log.text().contains(
                    "a TLS client connected to a plaintext port: start the manager with --tls-cert/--tls-key or connect without --tls"));
            assertThat(log.text()).doesNotContain("ELARGEMSG");
        }
        // Plain peers are served as before, whatever their first bytes are split into.
        try (BlockingConnection c = BlockingConnection.connect("127.0.0.1", port(), TIMEOUT)) {
            c.writeRaw(new byte[] {0});
            c.writeRaw(new byte[] {0, 0, 20});
            c.writeRaw("{\"command\":\"status\"}".getBytes(StandardCharsets.UTF_8));
            String frame;
            do {
                frame = new String(c.readFrame(TIMEOUT), StandardCharsets.UTF_8);
            } while (!frame.contains("\"to\":\"status\""));
        }
        // Other bytes announcing a huge frame still get ELARGEMSG.
        try (BlockingConnection c = BlockingConnection.connect("127.0.0.1", port(), TIMEOUT)) {
            c.writeRaw(new byte[] {0x16, 0x04, 0, 0});
            String frame = new String(c.readFrame(TIMEOUT), StandardCharsets.UTF_8);
            assertThat(frame).contains("ELARGEMSG");
        }
    }

    @Test
    void httpsServesTheStatus() throws Exception {
        start(ManagerOptions.builder().tls(certs.serverCert(), certs.serverKey()).httpPort(0).httpBindAddress("127.0.0.1"));
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", Tls.readCertificates(certs.ca(), "ca")[0]);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        HttpClient http = HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.httpAddress().getPort() + "/api/status"))
                .timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).startsWith("{");
        // Plain HTTP gets nothing from the TLS listener.
        assertThatThrownBy(() -> HttpClient.newBuilder().connectTimeout(TIMEOUT).build().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpAddress().getPort() + "/api/status")).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
    }

    @Test
    void reloadServesTheNewCertificateToNewConnections() throws Exception {
        Path cert = dir.resolve("reload.pem");
        Path key = dir.resolve("reload.key");
        Files.copy(certs.wrongHostCert(), cert);
        Files.copy(certs.wrongHostKey(), key);
        start(ManagerOptions.builder().tls(cert, key));
        // The certificate names another host: refused by hostname verification.
        assertThatThrownBy(() -> BlockingConnection.connect("127.0.0.1", port(), TIMEOUT, Tls.socketFactory(certs.ca(), null, null)).close())
                .isInstanceOf(IOException.class);
        Files.copy(certs.serverCert(), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(certs.serverKey(), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        server.reloadTls();
        try (BlockingConnection c = BlockingConnection.connect("127.0.0.1", port(), TIMEOUT, Tls.socketFactory(certs.ca(), null, null))) {
            assertThat(status(c)).contains("\"to\":\"status\"");
        }
        // A bad file on reload keeps the certificate in use.
        Files.writeString(key, "not a key");
        assertThatThrownBy(server::reloadTls).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--tls-key");
        try (BlockingConnection c = BlockingConnection.connect("127.0.0.1", port(), TIMEOUT, Tls.socketFactory(certs.ca(), null, null))) {
            assertThat(status(c)).contains("\"to\":\"status\"");
        }
    }

    @Test
    void badTlsFilesAreRefusedWithClearErrors() throws IOException {
        Path missing = dir.resolve("missing.pem");
        assertThatThrownBy(() -> ManagerOptions.builder().tls(missing, certs.serverKey()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--tls-cert").hasMessageContaining("no such file");
        Path notPem = dir.resolve("not-pem.txt");
        Files.writeString(notPem, "hello");
        assertThatThrownBy(() -> ManagerOptions.builder().tls(notPem, certs.serverKey()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a PEM certificate");
        assertThatThrownBy(() -> ManagerOptions.builder().tls(certs.serverCert(), notPem).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--tls-key").hasMessageContaining("PKCS#8");
        assertThatThrownBy(() -> ManagerOptions.builder().tls(certs.serverCert(), certs.clientKey()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not match");
        assertThatThrownBy(() -> ManagerOptions.builder().tls(certs.serverCert(), certs.serverKey()).tlsClientCa(notPem).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--tls-client-ca");
        assertThatThrownBy(() -> ManagerOptions.builder().tlsClientCa(certs.ca()).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("needs tls");
        assertThatThrownBy(() -> ManagerOptions.builder().tls(certs.serverCert(), null))
                .isInstanceOf(IllegalArgumentException.class);
    }

}
