package io.proletariat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.proletariat.manager.ManagerOptions;
import io.proletariat.protocol.ProletariatException;
import io.proletariat.testing.Participants;
import io.proletariat.testsupport.TestCertificates;
import io.proletariat.worker.Worker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A manager that refuses a participant: {@code EAUTH} and {@code EPROTECTED} are final (pending calls
 * fail with that code, a worker stops); a connection refused without a word (mutual TLS without a
 * certificate) counts as a failed attempt, so the reconnect policy gives up after {@code maxRetries}.
 */
class RefusalTest {
    private static final long WAIT_SECONDS = 30;

    @TempDir
    Path dir;

    private final Participants p = new Participants();

    @AfterEach
    void closeAll() {
        p.close();
    }

    private void startAuthenticatingManager() throws Exception {
        Path auth = dir.resolve("auth");
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest("app-token-123456789".getBytes(StandardCharsets.UTF_8)));
        Files.write(auth, List.of("app client,worker " + hash));
        p.startManager(ManagerOptions.builder().authFile(auth));
    }

    private static ProletariatException failure(Client client) {
        ExecutionException e = (ExecutionException) org.assertj.core.api.Assertions.catchThrowable(
                () -> client.submitOne("x").get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertThat(e).isNotNull();
        assertThat(e.getCause()).isInstanceOf(ProletariatException.class);
        return (ProletariatException) e.getCause();
    }

    @Test
    void aWrongTokenFailsThePendingCallsWithEauthWithoutRetrying() throws Exception {
        startAuthenticatingManager();
        // Many retries allowed: a refusal must not spend them.
        Client client = p.client(p.clientOptions().token("wrong-token-123456789").maxRetries(Integer.MAX_VALUE).build());
        ProletariatException e = failure(client);
        assertThat(e.code()).isEqualTo("EAUTH");
        assertThat(e).hasMessageContaining("refused");
        assertThat(p.manager().stats().security().authFailures()).isEqualTo(1);
        // The next call tries again (the operator may have fixed the auth file), and is refused again.
        assertThat(failure(client).code()).isEqualTo("EAUTH");
        assertThat(p.manager().stats().security().authFailures()).isEqualTo(2);
    }

    @Test
    void aWorkerWithAWrongTokenStops() throws Exception {
        startAuthenticatingManager();
        Worker worker = p.add(new Worker(p.workerOptions().slots(1).token("wrong-token-123456789").build()).onWork((w, d) -> d.success(1)));
        worker.start();
        assertThat(worker.awaitTermination(Duration.ofSeconds(WAIT_SECONDS))).isTrue();
        assertThat(p.manager().stats().security().authFailures()).isEqualTo(1);
    }

    @Test
    void aPeerOutsideTheTrustedNetworksGetsEprotected() {
        p.startManager(ManagerOptions.builder().trustLoopback(false).trustedNetworks(List.of("10.0.0.0/8")));
        Client client = p.client(p.clientOptions().maxRetries(Integer.MAX_VALUE).build());
        assertThat(failure(client).code()).isEqualTo("EPROTECTED");
    }

    @Test
    void aConnectionClosedRightAfterTheHandshakeCountsAsAFailedAttempt() {
        TestCertificates certs = TestCertificates.create(dir);
        p.startManager(ManagerOptions.builder().tls(certs.serverCert(), certs.serverKey()).tlsClientCa(certs.ca()));
        // No client certificate: with TLS 1.3 the handshake succeeds on the client's side and the
        // manager closes at once. The client was ready each time, which used to reset its attempts.
        Client client = p.client(p.clientOptions().tlsCa(certs.ca()).maxRetries(2).retryDelay(Duration.ofMillis(10)).build());
        assertThatThrownBy(() -> client.submitOne("x").get(WAIT_SECONDS, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ConnectionException.class).extracting(c -> ((ConnectionException) c).code()).isEqualTo("ECONNREFUSED");
    }
}
