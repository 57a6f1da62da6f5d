package io.proletariat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.proletariat.manager.ManagerOptions;
import io.proletariat.testing.Participants;
import io.proletariat.worker.Worker;
import io.proletariat.worker.WorkerOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A client and a worker with tokens against a manager with authentication on (docs/security.md). */
class TokenTest {
    private final Participants p = new Participants();

    @TempDir
    Path dir;

    @AfterEach
    void closeAll() {
        p.close();
    }

    private static String sha256(String token) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    }

    private void startManager() throws Exception {
        Path auth = dir.resolve("auth");
        Files.write(auth, List.of("app client " + sha256("app-token-123456789"), "runner worker " + sha256("runner-token-123456789")));
        p.startManager(ManagerOptions.builder().authFile(auth));
    }

    @Test
    void aClientAndAWorkerWithTokensWorkEndToEndAndAcrossAReconnect() throws Exception {
        startManager();
        Worker worker = p.worker(p.workerOptions().slots(2).token("runner-token-123456789").build(),
                (work, done) -> done.success("ran " + work.args(String.class)));
        Client client = p.client(p.clientOptions().token("app-token-123456789").build());
        assertThat(client.submitOne("a").get(30, TimeUnit.SECONDS).get(String.class)).isEqualTo("ran a");
        assertThat(p.manager().stats().security().authFailures()).isZero();
        assertThat(worker.isReady()).isTrue();
    }

    @Test
    void aWorkerWithoutTheRightTokenIsNeverServed() throws Exception {
        startManager();
        Worker wrong = p.add(new Worker(p.workerOptions().slots(1).token("app-token-123456789").build()).onWork((w, d) -> d.success(1)));
        wrong.start(); // a client's token: the offer is answered EPERM
        Worker none = p.add(new Worker(p.workerOptions().slots(1).build()).onWork((w, d) -> d.success(1)));
        none.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> p.manager().stats().security().authFailures() >= 1
                && p.manager().stats().security().denied() >= 1);
        assertThat(wrong.isReady()).isFalse();
        assertThat(none.isReady()).isFalse();
        assertThat(p.manager().stats().workers()).isEmpty();
    }

    @Test
    void aTokenIsCheckedWhenSet() {
        assertThatThrownBy(() -> WorkerOptions.builder().token("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClientOptions.builder().token("abc\n")).hasMessageContaining("trailing newline");
        assertThatThrownBy(() -> ClientOptions.builder().token("x".repeat(4097))).isInstanceOf(IllegalArgumentException.class);
        assertThat(ClientOptions.builder().token("t").build().token()).isEqualTo("t");
        assertThat(ClientOptions.builder().token("t").build().toBuilder().build().token()).isEqualTo("t");
        assertThat(ClientOptions.builder().build().token()).isNull();
    }
}
