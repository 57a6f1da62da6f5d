package io.proletariat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.proletariat.manager.ManagerOptions;
import io.proletariat.testing.Participants;
import io.proletariat.testsupport.TestCertificates;
import io.proletariat.worker.WorkerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client and worker libraries through a manager that speaks TLS, with certificates made for the
 * test: served end to end, with and without mutual TLS; refused when the certificate names another
 * host, when its CA is not trusted, and without a client certificate where one is required.
 */
class TlsClientTest {
    private static final long WAIT_SECONDS = 30;

    @TempDir
    static Path dir;
    static TestCertificates certs;

    private final Participants p = new Participants();

    @BeforeAll
    static void certificates() {
        certs = TestCertificates.create(dir);
    }

    @AfterEach
    void closeAll() {
        p.close();
    }

    private WorkerOptions.Builder worker() {
        return p.workerOptions().slots(2).tlsCa(certs.ca());
    }

    private ClientOptions.Builder client() {
        return p.clientOptions().tlsCa(certs.ca());
    }

    private static Object echo(io.proletariat.client.Client client) throws Exception {
        List<WorkResult> results = client.submit(List.of(Map.of("v", 1), Map.of("v", 2))).get(WAIT_SECONDS, TimeUnit.SECONDS);
        return results.stream().map(r -> r.get(Map.class).get("v")).toList();
    }

    @Test
    void clientAndWorkerAreServedOverTls() throws Exception {
        p.startManager(ManagerOptions.builder().tls(certs.serverCert(), certs.serverKey()));
        p.worker(worker().build(), (work, done) -> done.success(work.args(Map.class)));
        Client client = p.client(client().build());
        assertThat(echo(client)).isEqualTo(List.of(1, 2));
        assertThat(client.options().tls()).isTrue();
        assertThat(client.options().toString()).contains("tls");
    }

    @Test
    void theHostNameIsVerified() {
        p.startManager(ManagerOptions.builder().tls(certs.wrongHostCert(), certs.wrongHostKey()));
        Client client = p.client(client().maxRetries(1).retryDelay(Duration.ofMillis(10)).build());
        assertThatThrownBy(() -> echo(client)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(ConnectionException.class).hasStackTraceContaining("127.0.0.1");
    }

    @Test
    void aManagerSignedByAnUntrustedCaIsRefused() {
        p.startManager(ManagerOptions.builder().tls(certs.serverCert(), certs.serverKey()));
        Client client = p.client(p.clientOptions().tlsCa(certs.otherCa()).maxRetries(1).retryDelay(Duration.ofMillis(10)).build());
        assertThatThrownBy(() -> echo(client)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(ConnectionException.class).hasStackTraceContaining("PKIX");
        // The JVM's trust store does not know the test CA either.
        Client system = p.client(p.clientOptions().tls(true).maxRetries(1).retryDelay(Duration.ofMillis(10)).build());
        assertThatThrownBy(() -> echo(system)).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(ConnectionException.class);
    }

    @Test
    void mutualTlsServesPeersWithACertificateOnly() throws Exception {
        p.startManager(ManagerOptions.builder().tls(certs.serverCert(), certs.serverKey()).tlsClientCa(certs.ca()));
        p.worker(worker().tlsClientCertificate(certs.clientCert(), certs.clientKey()).build(), (work, done) -> done.success(work.args(Map.class)));
        Client client = p.client(client().tlsClientCertificate(certs.clientCert(), certs.clientKey()).build());
        assertThat(echo(client)).isEqualTo(List.of(1, 2));
        // Without a certificate: never served. (With TLS 1.3 the manager refuses it just after the
        // handshake; a worker, ready only once its offer is accepted, counts each as a failed attempt.)
        io.proletariat.worker.Worker without = p.add(new io.proletariat.worker.Worker(worker().maxRetries(1).retryDelay(Duration.ofMillis(10)).build())
                .onWork((work, done) -> done.success(null)));
        without.start();
        assertThat(without.awaitTermination(Duration.ofSeconds(WAIT_SECONDS))).isTrue();
        assertThat(without.isReady()).isFalse();
    }

    @Test
    void badFilesAreRefusedWhenTheOptionsAreBuilt() {
        assertThatThrownBy(() -> ClientOptions.builder().tlsCa(dir.resolve("missing.pem")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--tls-ca").hasMessageContaining("no such file");
        assertThatThrownBy(() -> WorkerOptions.builder().tlsClientCertificate(certs.clientCert(), certs.serverKey()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not match");
        assertThat(ClientOptions.builder().tlsCa(certs.ca()).tls(false).build().tlsCa()).isNull();
        assertThat(ClientOptions.builder().tlsCa(certs.ca()).build().toBuilder().build().tlsCa()).isEqualTo(certs.ca());
    }
}
